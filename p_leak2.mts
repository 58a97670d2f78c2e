import { init, compress } from '@bokuweb/zstd-wasm';
await init();
const sizes = [4 << 20, 16 << 20, 1 << 20, 32 << 20, 64 << 20, 128<<20, 256 << 20];
for (const n of sizes) {
  const big = new Uint8Array(n); for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
  try { compress(big, 1); console.log('ok', n); } catch (e) { console.log('failed', n, (e as Error).message); }
}
