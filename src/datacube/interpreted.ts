/**
 * Callbacks the kernel compiler cannot vectorize, computed pixel by pixel (pixel-callback.ts) over whole planes or
 * series of planes. No-data pixels reach the callback as `null`; a `null` result is no-data again (openEO's
 * implementation notes), booleans are stored as 0 and 1.
 */
import { OpenEOError } from '../errors.ts';
import { parameterInvalid } from '../process-graph/errors.ts';
import { withLabels, type Label } from '../processes/index.ts';
import type { TimeReducer } from './chunk-eval.ts';
import type { Plane, PlaneBuffers } from './kernels/values.ts';
import type { PixelCall } from './pixel-callback.ts';

/** Pixels between two checks of the abort signal (and a turn of the event loop, so an abort message can arrive). */
const YIELD_EVERY = 4096;

/** Stores one callback result at pixel i of `out`. */
export function putValue(out: PlaneBuffers, i: number, v: unknown, what: string): void {
  if (typeof v === 'number') {
    out.data[i] = v;
    out.valid[i] = 1;
  } else if (typeof v === 'boolean') {
    out.data[i] = v ? 1 : 0;
    out.valid[i] = 1;
  } else if (v === null || v === undefined) {
    out.valid[i] = 0;
  } else {
    const kind = Array.isArray(v) ? 'an array' : typeof v;
    throw new OpenEOError('ProcessParameterInvalid', `The ${what} callback returned ${kind}; a data cube holds numbers, booleans and no-data only.`);
  }
}

const valueAt = (p: Plane, i: number): number | null => (p.valid === null || p.valid[i] === 1 ? p.data[i] : null);

/** Loops over n pixels, giving the event loop a turn now and then so that an abort can be seen. */
export async function eachPixel(n: number, signal: AbortSignal | undefined, body: (i: number) => void | Promise<void>): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (i % YIELD_EVERY === YIELD_EVERY - 1) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
    }
    const pending = body(i);
    if (pending) await pending;
  }
}

/** The callback's value: awaited only when it is a promise (the interpreter's answer). */
const settle = <T>(v: unknown, then: (v: unknown) => T): T | Promise<T> => (v instanceof Promise ? v.then(then) : then(v));

/**
 * Callbacks are pure functions of their parameters, so the answer for a pixel without any data is computed once per
 * run and reused: outside the footprint of the data that is most pixels.
 */
function memoNodata(call: PixelCall): (params: () => Record<string, unknown>, nodata: boolean) => unknown {
  let known: { value: unknown } | undefined;
  return (params, nodata) => {
    if (!nodata) return call(params());
    // kept across pixels: an array answer may be the (reused) input row itself, so it is copied
    known ??= { value: settle(call(params()), (v) => (Array.isArray(v) ? [...v] : v)) };
    return known.value;
  };
}

/** apply: the callback on every value `x`. */
export async function interpretApply(call: PixelCall, x: Plane, out: PlaneBuffers, signal?: AbortSignal): Promise<Plane> {
  const run = memoNodata(call);
  await eachPixel(x.data.length, signal, (i) => {
    const v = valueAt(x, i);
    return settle(run(() => ({ x: v }), v === null), (r) => putValue(out, i, r, 'apply'));
  });
  return out;
}

/** reduce_dimension over bands: the callback on each pixel's band values (labeled). */
export async function interpretReduce(call: PixelCall, planes: Plane[], labels: readonly string[], out: PlaneBuffers, what: string, signal?: AbortSignal): Promise<Plane> {
  const n = out.data.length;
  const row = withLabels(new Array<number | null>(planes.length), labels);
  await eachPixel(n, signal, (i) => {
    for (let k = 0; k < planes.length; k++) row[k] = valueAt(planes[k], i);
    const data = row;
    return settle(call({ data }), (v) => putValue(out, i, v, what));
  });
  return out;
}

/** An overlap resolver (merge_cubes) on the values `x` and `y` of each pixel. */
export async function interpretResolver(call: PixelCall, x: Plane, y: Plane, out: PlaneBuffers, signal?: AbortSignal): Promise<Plane> {
  await eachPixel(out.data.length, signal, (i) => settle(call({ x: valueAt(x, i), y: valueAt(y, i) }), (v) => putValue(out, i, v, 'overlap resolver')));
  return out;
}

/** Values of a series of planes, copied as they arrive (a source may reuse a plane's buffers for its next one). */
export class SeriesBuffer {
  private readonly data: Float64Array[] = [];
  private readonly valid: Uint8Array[] = [];
  private count = 0;

  constructor(private readonly n: number) {}

  add(p: Plane): void {
    const k = this.count++;
    if (k === this.data.length) {
      this.data.push(new Float64Array(this.n));
      this.valid.push(new Uint8Array(this.n));
    }
    this.data[k].set(p.data);
    if (p.valid) this.valid[k].set(p.valid);
    else this.valid[k].fill(1);
  }

  addNodata(): void {
    this.add({ data: this.data[0] ?? new Float64Array(this.n), valid: new Uint8Array(this.n) });
  }

  get length(): number {
    return this.count;
  }

  /** The series as planes (valid until the next add or reset). */
  planes(): Plane[] {
    return this.data.slice(0, this.count).map((data, k) => ({ data, valid: this.valid[k] }));
  }

  /** True when pixel i has no data at any step. */
  empty(i: number): boolean {
    for (let k = 0; k < this.count; k++) if (this.valid[k][i] === 1) return false;
    return true;
  }

  /**
   * The series of pixel i (no-data as null) as a labeled array, written into `row` when given: one array serves a
   * whole run, as the callback's answer for a pixel is consumed before the next pixel's call.
   */
  at(i: number, labels: readonly Label[], row?: (number | null)[]): (number | null)[] {
    const out = row ?? withLabels(new Array<number | null>(this.count), labels);
    for (let k = 0; k < this.count; k++) out[k] = this.valid[k][i] === 1 ? this.data[k][i] : null;
    return out;
  }

  reset(): void {
    this.count = 0;
  }
}

/** reduce_dimension over time with any reducer: the steps are kept, the callback runs per pixel at the end. */
export class InterpretedTimeReducer implements TimeReducer {
  private readonly series: SeriesBuffer;
  private readonly out: PlaneBuffers;

  constructor(
    private readonly call: Promise<PixelCall>,
    n: number,
    private readonly labels: readonly string[] | undefined,
  ) {
    this.series = new SeriesBuffer(n);
    this.out = { data: new Float64Array(n), valid: new Uint8Array(n), written: null };
  }

  add(plane: Plane): void {
    this.series.add(plane);
  }

  addNodata(): void {
    this.series.addNodata();
  }

  async result(): Promise<Plane> {
    const call = await this.call;
    const labels = this.labels?.length === this.series.length ? this.labels : Array.from({ length: this.series.length }, (_, k) => k);
    const row = withLabels(new Array<number | null>(this.series.length), labels);
    const run = memoNodata(call);
    await eachPixel(this.out.data.length, undefined, (i) =>
      settle(run(() => ({ data: this.series.at(i, labels, row) }), this.series.empty(i)), (v) => putValue(this.out, i, v, 'reduce_dimension')),
    );
    return this.out;
  }
}

/** What one series of apply_dimension is: a pixel's values along t or bands, or a whole row (x) or column (y). */
export type SeriesUnit = 'pixel' | 'row' | 'column';

/**
 * apply_dimension: the callback on each pixel's values along the dimension (labeled), giving `outs.length` values
 * per pixel (row, column). Another number of values is an error, also a shorter one because no-data was dropped: the
 * cube's shape was fixed when it was planned, and padding would silently turn one process into another.
 */
export async function interpretApplyDimension(call: PixelCall, series: SeriesBuffer, labels: readonly Label[], outs: PlaneBuffers[], signal?: AbortSignal, unit: SeriesUnit = 'pixel'): Promise<Plane[]> {
  const n = outs[0]?.data.length ?? 0;
  const run = memoNodata(call);
  const store = (i: number, r: unknown) => {
    const values = Array.isArray(r) ? r : [r];
    if (values.length !== outs.length) throw lengthChanged(values.length, outs.length, unit);
    for (let k = 0; k < values.length; k++) putValue(outs[k], i, values[k], 'apply_dimension');
  };
  const row = withLabels(new Array<number | null>(series.length), labels);
  await eachPixel(n, signal, (i) => settle(run(() => ({ data: series.at(i, labels, row) }), series.empty(i)), (r) => store(i, r)));
  return outs;
}

/** The planned length is what the callback returned for a series of numbers only (see the process's probe). */
function lengthChanged(got: number, planned: number, unit: SeriesUnit): OpenEOError {
  // the usual cause, and the way to keep the length
  const hint = got < planned ? ' Callbacks that drop no-data values shorten the series where there is no-data, such as sort with nodata null (its default): sort with nodata true or false keeps them (last or first).' : '';
  return parameterInvalid(
    'apply_dimension',
    'process',
    `the callback returned ${got} values for a ${unit} but ${planned} for a ${unit} without no-data; it must return the same number for every ${unit}.${hint}`,
  );
}
