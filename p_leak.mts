import { init, compress } from '@bokuweb/zstd-wasm';
await init();
const big = new Uint8Array(16 << 20); for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
for (let i = 0; i < 200; i++) {
  try { compress(big, Number(process.argv[2] ?? 3)); } catch (e) { console.log('failed at', i, (e as Error).message); break; }
}
console.log('done');
