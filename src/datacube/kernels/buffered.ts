/**
 * Reducers that need all values of a pixel at once (median, sd, variance, or any callback): the steps are kept
 * (memory = pixels x steps x (bytes per value + 1), so callers bound the chunk size by the number of steps), then
 * each pixel's column is reduced. median/sd/variance run on a reused scratch column with the same arithmetic as
 * src/processes/statistics.ts; a ColumnReducer (e.g. the interpreter calling the callback) gets a fresh array per
 * pixel and is the slow, general path.
 */
import { OpenEOError } from '../../errors.ts';
import type { Plane } from './values.ts';

export type BufferedKind = 'median' | 'sd' | 'variance';

/** Reduces one pixel's values (in step order, null = no-data) to a number, boolean or null. */
export type ColumnReducer = (values: (number | null)[], pixel: number) => unknown;

export interface BufferedReducerOptions {
  /** For the built-in kinds; default true. */
  ignoreNodata?: boolean;
}

interface Step {
  data: Float32Array | Float64Array;
  valid: Uint8Array | null;
}

export class BufferedReducer {
  private readonly stored: (Step | null)[] = [];
  private readonly ignore: boolean;

  constructor(readonly n: number, private readonly how: BufferedKind | ColumnReducer, opts: BufferedReducerOptions = {}) {
    this.ignore = opts.ignoreNodata ?? true;
  }

  get steps(): number {
    return this.stored.length;
  }

  /** Bytes held by the stored steps. */
  get bytes(): number {
    let b = 0;
    for (const s of this.stored) if (s) b += s.data.byteLength + (s.valid?.byteLength ?? 0);
    return b;
  }

  /** Copies the plane (Float32 stays Float32), so the caller may reuse its buffers. */
  add(plane: Plane): void {
    const n = this.n;
    if (plane.data.length < n) throw new RangeError(`Reducer expects planes of ${n} pixels, got ${plane.data.length}.`);
    this.stored.push({ data: plane.data.slice(0, n), valid: plane.valid ? plane.valid.slice(0, n) : null });
  }

  addNodata(): void {
    this.stored.push(null);
  }

  async result(signal?: AbortSignal): Promise<Plane> {
    const data = new Float64Array(this.n);
    const valid = new Uint8Array(this.n);
    if (typeof this.how === 'string') this.reduceBuiltIn(this.how, data, valid, signal);
    else await this.reduceColumns(this.how, data, valid, signal);
    return { data, valid };
  }

  private reduceBuiltIn(kind: BufferedKind, data: Float64Array, valid: Uint8Array, signal?: AbortSignal): void {
    const { stored, n, ignore } = this;
    const col = new Float64Array(stored.length);
    for (let i = 0; i < n; i++) {
      if ((i & 0xffff) === 0) signal?.throwIfAborted();
      let c = 0;
      let hasNull = false;
      let hasNaN = false;
      for (let s = 0; s < stored.length; s++) {
        const st = stored[s];
        if (st === null || (st.valid !== null && st.valid[i] === 0)) hasNull = true;
        else {
          const v = st.data[i];
          if (v !== v) hasNaN = true;
          col[c++] = v;
        }
      }
      if (c === 0 || (hasNull && !ignore)) continue; // valid stays 0
      valid[i] = 1;
      data[i] = kind === 'median' ? (hasNaN ? NaN : median(col, c)) : kind === 'variance' ? variance(col, c) : Math.sqrt(variance(col, c));
    }
  }

  private async reduceColumns(fn: ColumnReducer, data: Float64Array, valid: Uint8Array, signal?: AbortSignal): Promise<void> {
    const { stored, n } = this;
    for (let i = 0; i < n; i++) {
      if ((i & 0x3ff) === 0) signal?.throwIfAborted();
      const values: (number | null)[] = new Array(stored.length);
      for (let s = 0; s < stored.length; s++) {
        const st = stored[s];
        values[s] = st === null || (st.valid !== null && st.valid[i] === 0) ? null : st.data[i];
      }
      let r = fn(values, i);
      if (r instanceof Promise) r = await r;
      if (r === null) continue;
      if (typeof r === 'number') data[i] = r;
      else if (typeof r === 'boolean') data[i] = r ? 1 : 0;
      else throw new OpenEOError('ProcessParameterInvalid', `The reducer must return a number, a boolean or null per pixel, got ${Array.isArray(r) ? 'an array' : typeof r}.`);
      valid[i] = 1;
    }
  }
}

/** Median of col[0..c) (no NaN): sorts in place. Insertion sort: columns are as long as the number of steps. */
function median(col: Float64Array, c: number): number {
  for (let j = 1; j < c; j++) {
    const v = col[j];
    let k = j - 1;
    // -0 sorts before +0, as in TypedArray sort (the scalar median), so the sign of a zero median matches
    while (k >= 0 && (col[k] > v || (v === 0 && col[k] === 0 && 1 / v < 0 && 1 / col[k] > 0))) {
      col[k + 1] = col[k];
      k--;
    }
    col[k + 1] = v;
  }
  const mid = c >> 1;
  return c % 2 === 1 ? col[mid] : (col[mid - 1] + col[mid]) / 2;
}

/** Sample variance in the order of statistics.ts: mean first, then the sum of squared deviations. */
function variance(col: Float64Array, c: number): number {
  let s = 0;
  for (let j = 0; j < c; j++) s += col[j];
  const mean = s / c;
  let ss = 0;
  for (let j = 0; j < c; j++) ss += (col[j] - mean) * (col[j] - mean);
  return ss / (c - 1);
}
