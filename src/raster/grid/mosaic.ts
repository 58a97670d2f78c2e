/**
 * Mosaic planning for one output chunk and one time step, with odc-stac's fusing rule: items sorted by id, the
 * first valid (non-nodata) value wins, pixels no item covers stay nodata.
 *
 * An item whose grid shares CRS and resolution with the chunk and sits a whole number of pixels away is a `copy`
 * (source window → destination window, row copies). Anything else is a `warp`: the executor builds a nearest
 * neighbour index map with `warpIndexMap(chunk, itemGrid)` and gathers through it. Both give the same pixels as
 * nearest-neighbour resampling; the copy is just the fast path.
 */
import { gridBounds, invertAffine, isAxisAligned } from './affine.ts';
import { transformBounds } from './bbox-grid.ts';
import { clipWindow, intersectWindows, pixelOffset } from './windows.ts';
import type { Grid, Window } from './types.ts';

export interface MosaicSource {
  id: string;
  grid: Grid;
}

export type MosaicStep =
  | { kind: 'copy'; id: string; /** in the item's pixel grid */ src: Window; /** in the chunk's pixel grid */ dst: Window }
  | { kind: 'warp'; id: string; /** upper bound of the item pixels needed (in the item's grid) */ src: Window };

/** Steps in fusing order. Items that cannot contribute a pixel to the chunk are left out. */
export function planMosaic(chunk: Grid, sources: readonly MosaicSource[]): MosaicStep[] {
  // Plain code-unit comparison, not localeCompare: ids are ASCII and the order must not depend on the locale.
  const sorted = [...sources].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const steps: MosaicStep[] = [];
  for (const s of sorted) {
    // Offsets within 1e-3 px of an integer pick the same source pixels as nearest resampling, so copying is exact.
    const off = pixelOffset(chunk, s.grid, 1e-3);
    if (off) {
      const src = clipWindow({ col: off[0], row: off[1], width: chunk.width, height: chunk.height }, s.grid.width, s.grid.height);
      if (!src) continue;
      steps.push({ kind: 'copy', id: s.id, src, dst: { col: src.col - off[0], row: src.row - off[1], width: src.width, height: src.height } });
      continue;
    }
    const src = sourceWindowEstimate(chunk, s.grid);
    if (src) steps.push({ kind: 'warp', id: s.id, src });
  }
  return steps;
}

/**
 * Item pixels that may be needed for a chunk: the chunk outline (densified) in the item's CRS, as a pixel window
 * of the item grown by 2 pixels for the curvature between outline points, clipped to the item.
 */
export function sourceWindowEstimate(chunk: Grid, item: Grid, pointsPerEdge = 16): Window | undefined {
  if (!isAxisAligned(item.transform)) {
    return { col: 0, row: 0, width: item.width, height: item.height };
  }
  const b = transformBounds(gridBounds(chunk), chunk.crs, item.crs, pointsPerEdge);
  if (!b) return undefined;
  const inv = invertAffine(item.transform);
  const cols = [inv[0] * b[0] + inv[2], inv[0] * b[2] + inv[2]];
  const rows = [inv[4] * b[1] + inv[5], inv[4] * b[3] + inv[5]];
  const c0 = Math.floor(Math.min(...cols)) - 2;
  const r0 = Math.floor(Math.min(...rows)) - 2;
  const w = { col: c0, row: r0, width: Math.ceil(Math.max(...cols)) + 2 - c0, height: Math.ceil(Math.max(...rows)) + 2 - r0 };
  return intersectWindows(w, { col: 0, row: 0, width: item.width, height: item.height });
}

type Pixels = Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/**
 * Fuse a source window into a destination window of the same size, first valid value wins. `dst` and `src` are
 * row-major rasters `dstWidth` / `srcWidth` pixels wide. When the destination window is known to be all nodata
 * (first contributor) whole rows are copied with `set`.
 */
export function copyFirstValid(
  dst: Pixels, dstWidth: number, dstWin: Window,
  src: Pixels, srcWidth: number, srcCol: number, srcRow: number,
  nodata: number, dstIsEmpty = false,
): void {
  const { col, row, width, height } = dstWin;
  if (!dstIsEmpty && dst instanceof Uint8Array && src instanceof Uint8Array && Number.isInteger(nodata) && nodata >= 0 && nodata <= 255) {
    copyFirstValidBytes(dst, dstWidth, dstWin, src, srcWidth, srcCol, srcRow, nodata);
    return;
  }
  for (let r = 0; r < height; r++) {
    const d0 = (row + r) * dstWidth + col;
    const s0 = (srcRow + r) * srcWidth + srcCol;
    if (dstIsEmpty) {
      dst.set(src.subarray(s0, s0 + width), d0);
    } else if (Number.isNaN(nodata)) {
      for (let i = 0; i < width; i++) {
        const v = src[s0 + i];
        if (Number.isNaN(dst[d0 + i]) && !Number.isNaN(v)) dst[d0 + i] = v;
      }
    } else {
      for (let i = 0; i < width; i++) {
        const v = src[s0 + i];
        if (dst[d0 + i] === nodata && v !== nodata) dst[d0 + i] = v;
      }
    }
  }
}

/**
 * copyFirstValid for bytes, four destination pixels at a time: the destination of an overlap is mostly runs that
 * are all nodata (take the source's four bytes as they are: nodata stays nodata) or all valid (keep them).
 */
function copyFirstValidBytes(dst: Uint8Array, dstWidth: number, dstWin: Window, src: Uint8Array, srcWidth: number, srcCol: number, srcRow: number, nodata: number): void {
  const { col, row, width, height } = dstWin;
  const nd4 = Math.imul(nodata, 0x01010101) >>> 0;
  const base = dst.byteOffset;
  const words = new Uint32Array(dst.buffer, base - (base & 3), (dst.length + (base & 3)) >> 2);
  const one = (d: number, s: number) => {
    if (dst[d] === nodata) dst[d] = src[s];
  };
  for (let r = 0; r < height; r++) {
    let d = (row + r) * dstWidth + col;
    let s = (srcRow + r) * srcWidth + srcCol;
    const end = d + width;
    // up to a word boundary of the buffer, then whole words that lie inside the row
    for (; d < end && ((base + d) & 3) !== 0; d++, s++) one(d, s);
    for (; d + 4 <= end; d += 4, s += 4) {
      const x = (words[(d + (base & 3)) >> 2] ^ nd4) >>> 0;
      if (x === 0) {
        dst[d] = src[s];
        dst[d + 1] = src[s + 1];
        dst[d + 2] = src[s + 2];
        dst[d + 3] = src[s + 3];
      } else if (((x - 0x01010101) & ~x & 0x80808080) !== 0) {
        // some byte of the word is nodata
        one(d, s);
        one(d + 1, s + 1);
        one(d + 2, s + 2);
        one(d + 3, s + 3);
      }
    }
    for (; d < end; d++, s++) one(d, s);
  }
}

/** Fuse through a warp index map (`index[k]` indexes `src`, -1 = no source pixel), first valid value wins. */
export function gatherFirstValid(dst: Pixels, index: Int32Array, src: Pixels, nodata: number): void {
  const n = Math.min(dst.length, index.length);
  if (Number.isNaN(nodata)) {
    for (let k = 0; k < n; k++) {
      const s = index[k];
      if (s < 0 || !Number.isNaN(dst[k])) continue;
      dst[k] = src[s];
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const s = index[k];
    if (s < 0 || dst[k] !== nodata) continue;
    const v = src[s];
    if (v !== nodata) dst[k] = v;
  }
}
