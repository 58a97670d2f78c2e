/**
 * Pure helpers turning the executor's chunk samples into full Zarr chunks: Zarr chunks always have the full
 * chunk shape, so edge chunks (and a last partial group of time steps) are padded with the fill value.
 */
import type { SampleArray } from '../raster-writer.ts';

export interface PackShape {
  /** Samples of the window: `steps` planes of `height` x `width`. */
  width: number;
  height: number;
  /** Full chunk plane size. */
  chunkWidth: number;
  chunkHeight: number;
}

/**
 * Copies time steps `[t0, t0 + count)` of `src` into `dst` (planes of chunkHeight x chunkWidth, `dst.length /
 * plane` of them), filling everything outside the window with `fill`.
 */
export function packChunk(src: SampleArray, shape: PackShape, t0: number, count: number, dst: SampleArray, fill: number): void {
  const { width, height, chunkWidth, chunkHeight } = shape;
  const plane = chunkWidth * chunkHeight;
  const full = width === chunkWidth && height === chunkHeight;
  if (!full || dst.length > count * plane) dst.fill(fill);
  for (let s = 0; s < count; s++) {
    const srcBase = (t0 + s) * width * height;
    if (full) {
      dst.set(src.subarray(srcBase, srcBase + plane), s * plane);
      continue;
    }
    for (let r = 0; r < height; r++) {
      const from = srcBase + r * width;
      dst.set(src.subarray(from, from + width), s * plane + r * chunkWidth);
    }
  }
}

/**
 * True when every sample equals `value` (NaN matches NaN), i.e. the chunk may be left out of the store. `value`
 * must be as stored (e.g. rounded to float32) or a float32 array never matches.
 */
export function allEqual(a: SampleArray, value: number): boolean {
  if (Number.isNaN(value)) {
    for (let i = 0; i < a.length; i++) if (a[i] === a[i]) return false;
    return true;
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== value) return false;
  return true;
}

export const bytesOfSamples = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
