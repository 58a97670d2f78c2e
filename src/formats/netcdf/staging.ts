/**
 * Where chunks wait until finish() can write the netCDF file front to back: one zstd-compressed object of
 * big-endian samples per (variable, time step, chunk). Compressed because results are mostly nodata and the
 * staging area may be a remote object store.
 */
import { compress, decompress } from '@bokuweb/zstd-wasm';
// The one guarded initialisation of the process-wide zstd WASM instance (see there why a second init breaks it).
import { ensureZstd } from '../zarr/codecs.ts';

export const stagingRoot = (root: string, fileName: string) => `${root}.staging/${fileName}/`;

export const stagingKey = (stage: string, variable: string, t: number, y0: number, x0: number) => `${stage}${variable}/${t}/${y0}_${x0}.bin.zst`;

export async function packStaged(bytes: Uint8Array): Promise<Uint8Array> {
  await ensureZstd();
  return compress(bytes, 1);
}

export async function unpackStaged(bytes: Uint8Array, expected: number): Promise<Uint8Array> {
  await ensureZstd();
  const out = decompress(bytes);
  if (out.length !== expected) throw new Error(`staged chunk has ${out.length} bytes, expected ${expected}`);
  return out;
}
