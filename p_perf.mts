import { createZarrWriter } from './src/formats/zarr/index.ts';
import { createNetcdfWriter } from './src/formats/netcdf/index.ts';
import { createQuicklookWriter } from './src/formats/png/index.ts';
import { tempStore } from './test/formats/fixtures.ts';
const { store, cleanup } = tempStore();
const meta = { grid: { crs: { wkt: 'x' }, transform: [20,0,0,0,-20,0] as any, width: 2048*3, height: 2048*2 }, chunk: { width: 2048, height: 2048 }, variables: [{ name: 'flood', dtype: 'uint8' as const, nodata: 255 }, { name: 'depth', dtype: 'float32' as const, nodata: -9999 }] };
const flood = new Uint8Array(2048*2048); for (let i = 0; i < flood.length; i++) flood[i] = (i % 2048) < 1024 ? 255 : (i * 7) % 3;
const depth = new Float32Array(2048*2048); for (let i = 0; i < depth.length; i++) depth[i] = (i % 1000) / 10;
const sig = new AbortController().signal;
for (const [n, w] of [['netcdf', createNetcdfWriter(store, 'c')], ['zarr-zstd', createZarrWriter(store, 'a')], ['zarr-blosc', createZarrWriter(store, 'b', { codec: 'blosc' })], ['zarr-zlib', createZarrWriter(store, 'e', { codec: 'zlib' })], ['quicklook', createQuicklookWriter(store, 'd')]] as const) {
  await w.begin(meta, sig);
  const t0 = performance.now();
  for (let y0 = 0; y0 < meta.grid.height; y0 += 2048) for (let x0 = 0; x0 < meta.grid.width; x0 += 2048) await w.writeChunk(meta, { x0, y0, width: 2048, height: 2048 }, { flood, depth }, sig);
  const t1 = performance.now();
  await w.finish(meta, sig);
  console.log(n, 'writeChunk', ((t1 - t0) / 6).toFixed(0), 'ms/chunk (2 vars, 2048²)', 'finish', (performance.now() - t1).toFixed(0), 'ms');
}
cleanup();
