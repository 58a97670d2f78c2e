/** Pure copies between decoded blocks and window buffers; whole rows go through TypedArray.set on subarrays. */
import type { RasterArray } from './data-types.ts';

export interface CopyRect {
  /** First column and row inside the block. */
  bx: number;
  by: number;
  width: number;
  height: number;
  /** Index in `out` of the rectangle's first pixel, and out's row stride in pixels. */
  outStart: number;
  outStride: number;
}

/**
 * Copies a rectangle of one band from a decoded block of `blockWidth` pixels with `samples` interleaved samples
 * per pixel (1 for single-band or planar blocks).
 */
export function copyBlockRect(
  block: RasterArray,
  blockWidth: number,
  samples: number,
  band: number,
  out: RasterArray,
  r: CopyRect,
): void {
  if (samples === 1) {
    for (let y = 0; y < r.height; y++) {
      const src = (r.by + y) * blockWidth + r.bx;
      // set() between arrays of one type is a memmove
      (out as Uint8Array).set((block as Uint8Array).subarray(src, src + r.width), r.outStart + y * r.outStride);
    }
    return;
  }
  // interleaved samples cannot be copied as runs: one strided loop per row
  for (let y = 0; y < r.height; y++) {
    let s = ((r.by + y) * blockWidth + r.bx) * samples + band;
    const o = r.outStart + y * r.outStride;
    for (let x = 0; x < r.width; x++, s += samples) out[o + x] = block[s];
  }
}

/** Fills a rectangle of `out` with one value (row by row with the native fill). */
export function fillRect(out: RasterArray, outStart: number, outStride: number, width: number, height: number, value: number): void {
  if (width <= 0) return;
  if (outStride === width) {
    out.fill(value, outStart, outStart + width * height);
    return;
  }
  for (let y = 0; y < height; y++) {
    const o = outStart + y * outStride;
    out.fill(value, o, o + width);
  }
}

/**
 * True when the top-left `validRowBytes` x `validRows` bytes of a decoded block (rows of `rowBytes`) equal the
 * same bytes of `template`, a block filled with nodata. Native memcmp: ~20x cheaper than decompressing the block,
 * and it stops at the first data pixel.
 */
export function blockBytesEqual(
  block: Uint8Array,
  template: Uint8Array,
  rowBytes: number,
  validRowBytes: number,
  validRows: number,
): boolean {
  if (validRowBytes === rowBytes) {
    const n = rowBytes * validRows;
    return Buffer.compare(block.subarray(0, n), template.subarray(0, n)) === 0;
  }
  const t = template.subarray(0, validRowBytes);
  for (let r = 0; r < validRows; r++) {
    if (Buffer.compare(block.subarray(r * rowBytes, r * rowBytes + validRowBytes), t) !== 0) return false;
  }
  return true;
}
