/**
 * Narrow reducer state. A temporal max / min / sum over 8-bit samples through a tabulated callback (the flood
 * workflow's masked bands) only ever sees small non-negative integers, so its per-pixel state fits in one or two
 * bytes instead of a float64 accumulator and a uint32 count: the fused loop, the reset between chunks and the final
 * conversion then move 2-3 bytes per pixel instead of 12. Integer sums are exact in both widths, so results are the
 * same bits as with the wide state.
 */
import type { RasterArray } from '../../raster/data-types.ts';
import type { ReducerFusion, StateArrays, ValueRange } from './reducer-base.ts';
import type { TruncFormat } from './values.ts';
import { simdAvailable, simdFinalize, simdRegion, type SimdRegion } from './simd-narrow.ts';

export type NarrowOp = 'max' | 'min' | 'sum';

export interface NarrowState {
  op: NarrowOp;
  acc: Uint8Array | Uint16Array;
  counts: Uint8Array;
  /** Start value of `acc` (the identity of `op` over the values the state admits). */
  start: number;
  /** Largest value `acc` can reach. */
  top: number;
  /** Largest value added so far (bounds a mean). */
  valueMax: number;
}

/** Steps a uint8 count can hold. */
const MAX_STEPS = 255;

/** True when every value of `range`, over `steps` steps, keeps a narrow state of `op` exact. */
export function fitsNarrow(op: ReducerFusion['op'], range: ValueRange | undefined, steps: number): op is NarrowOp {
  if (!range || !range.integer || range.min < 0 || steps > MAX_STEPS || range.max < range.min) return false;
  if (op === 'max' || op === 'min') return range.max <= 255;
  return op === 'sum' && range.max * steps <= 65_535;
}

/** The start value of a narrow `op` state: the identity of `op` over the values a narrow state admits. */
export const narrowStart = (op: NarrowOp): number => (op === 'min' ? 255 : 0);

/**
 * The narrow arrays of `op` (contents as left by the last use; see `fillNarrow`): in a memory of the SIMD kernel
 * (simd-narrow.ts) where WebAssembly SIMD runs, else from `state`.
 */
export function narrowState(op: NarrowOp, state: StateArrays, n: number): NarrowState {
  const region = !simdAvailable() ? undefined : state.keep ? state.keep(`simd-${op}`, (r: SimdRegion) => r.capacity >= n, () => simdRegion(op, n)!) : simdRegion(op, n);
  const simd = region?.arrays(n);
  const acc = simd?.acc ?? (op === 'sum' ? state.u16('acc16', n) : state.u8('acc8', n));
  const counts = simd?.counts ?? state.u8('counts8', n);
  return { op, acc, counts, start: narrowStart(op), top: op === 'sum' ? 65_535 : 255, valueMax: 0 };
}

/** Back to the start state over the spans. */
export function fillNarrow(s: NarrowState, spans: Int32Array): void {
  for (let k = 0; k < spans.length; k += 2) {
    s.acc.fill(s.start, spans[k], spans[k + 1]);
    s.counts.fill(0, spans[k], spans[k + 1]);
  }
}

/** Copies the pixels with a valid step into wide state that is at its start state. */
export function widenInto(s: NarrowState, acc: Float64Array, counts: Uint32Array, spans: Int32Array): void {
  const { acc: a, counts: c } = s;
  for (let k = 0; k < spans.length; k += 2) {
    for (let i = spans[k], e = spans[k + 1]; i < e; i++) {
      if (c[i] !== 0) {
        acc[i] = a[i];
        counts[i] = c[i];
      }
    }
  }
}

/** The output format takes every value the state can produce without clamping. */
export function narrowFitsFormat(s: NarrowState, mean: boolean, f: TruncFormat): boolean {
  return f.float || (f.lo <= 0 && f.hi >= (mean ? s.valueMax : s.top));
}

/**
 * Final values for pixels [from, to) as the wide state's finalizeInto writes them: the values are integers within
 * the format, so converting is a store, and a mean (non-negative, at most 65535) truncates with `| 0`.
 */
export function finalizeNarrow(s: NarrowState, mean: boolean, out: RasterArray, f: TruncFormat, from: number, to: number): void {
  const { acc, counts } = s;
  const nodata = f.nodata;
  if (!mean) {
    if (acc instanceof Uint8Array && out instanceof Uint8Array && finalizeBytesByWords(acc, counts, out, nodata, from, to)) return;
    for (let i = from; i < to; i++) out[i] = counts[i] === 0 ? nodata : acc[i];
  } else if (f.float) {
    for (let i = from; i < to; i++) {
      const c = counts[i];
      out[i] = c === 0 ? nodata : acc[i] / c;
    }
  } else {
    for (let i = from; i < to; i++) {
      const c = counts[i];
      out[i] = c === 0 ? nodata : (acc[i] / c) | 0;
    }
  }
}

/**
 * finalizeNarrow over the spans `sp` (sorted, disjoint); the pixels between them, within the first and last span,
 * may be written with no-data. Integer output of a state in a SIMD memory into a Uint8Array goes through the SIMD
 * finalizer (simd-narrow.ts), the rest span by span.
 */
export function finalizeNarrowSpans(s: NarrowState, mean: boolean, out: RasterArray, f: TruncFormat, sp: Int32Array): void {
  if (!f.float && simdFinalize(mean, s.acc, s.counts, out, f.nodata, sp)) return;
  for (let k = 0; k < sp.length; k += 2) finalizeNarrow(s, mean, out, f, sp[k], sp[k + 1]);
}

/**
 * finalizeNarrow of uint8 state into uint8 output four pixels per step: most words of counts are all zero (no valid
 * step: no-data) or all non-zero (the values as they are). False when the arrays do not share word alignment.
 */
function finalizeBytesByWords(acc: Uint8Array, counts: Uint8Array, out: Uint8Array, nodata: number, from: number, to: number): boolean {
  if ((acc.byteOffset | counts.byteOffset | out.byteOffset) & 3) return false;
  const a = Math.min(to, (from + 3) & -4);
  const e = Math.max(a, to & -4);
  const A = new Uint32Array(acc.buffer, acc.byteOffset, acc.length >> 2);
  const C = new Uint32Array(counts.buffer, counts.byteOffset, counts.length >> 2);
  const O = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
  const fill = (nodata & 255) * 0x01010101;
  const byte = (i: number) => (out[i] = counts[i] === 0 ? nodata : acc[i]);
  for (let i = from; i < a; i++) byte(i);
  for (let j = a >> 2, je = e >> 2; j < je; j++) {
    const c = C[j];
    if (c === 0) O[j] = fill;
    // no zero byte in c (the classic has-zero-byte test)
    else if (((c - 0x01010101) & ~c & 0x80808080) === 0) O[j] = A[j];
    else for (let i = j << 2, z = i + 4; i < z; i++) byte(i);
  }
  for (let i = e; i < to; i++) byte(i);
  return true;
}
