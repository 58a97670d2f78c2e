/**
 * Streaming reducers over a dimension (time): one `add` per step, state O(n) whatever the number of steps. Results
 * equal the scalar processes (src/processes/statistics.ts, arrays.ts) applied to each pixel's values in step order:
 * sums and products accumulate in float64 in the same order, mean is that sum divided by the count, max/min
 * propagate NaN, `ignore_nodata: true` skips no-data (nothing left → no-data), `false` makes any no-data win.
 * count has no ignore_nodata: it counts valid values (not no-data, finite) or, with `countAll`, every step.
 * any/all read non-zero as true and follow the truth tables of any.json / all.json.
 */
import { ReducerBase, newStateArrays, type ReducerFusion, type ValueRange, type StateArrays, type StreamingKind, type StreamingReducer, type StreamingReducerOptions } from './reducer-base.ts';
import type { RasterArray } from '../../raster/data-types.ts';
import { Picker, Truth } from './reducers-select.ts';
import { addCoverage, copyCoverage, coverageIsFull, coverageSpans, denseSpans, fillSpans, type Coverage } from './coverage.ts';
import { truncFormat, type Plane, type PlaneTarget, type TruncFormat } from './values.ts';
import { finalizeNarrowSpans, fillNarrow, fitsNarrow, narrowFitsFormat, narrowState, widenInto, type NarrowOp, type NarrowState } from './narrow-state.ts';

const NO_SPANS = new Int32Array(0);

export type { StateArrays, StreamingKind, StreamingReducer, StreamingReducerOptions } from './reducer-base.ts';

export function createStreamingReducer(kind: StreamingKind, n: number, opts: StreamingReducerOptions = {}): StreamingReducer {
  const ignore = opts.ignoreNodata ?? true;
  const state = opts.state ?? newStateArrays;
  switch (kind) {
    case 'max':
    case 'min':
    case 'sum':
    case 'mean':
    case 'product':
      return new Accumulator(kind, n, ignore, state);
    case 'count':
      return new Counter(n, opts.countAll ?? false, state);
    case 'first':
    case 'last':
      return new Picker(kind, n, ignore);
    case 'any':
    case 'all':
      return new Truth(kind, n, ignore);
  }
}

type AccumulatorKind = 'max' | 'min' | 'sum' | 'mean' | 'product';

/** max, min, sum, mean, product: a float64 accumulator, a per-pixel count and, without ignore_nodata, a poison mask. */
class Accumulator extends ReducerBase implements StreamingReducer {
  private readonly acc: Float64Array;
  private readonly counts: Uint32Array;
  private readonly poison: Uint8Array | null;
  private readonly valid: Uint8Array;
  /** Steps in which every pixel was valid: counted once instead of per pixel. */
  private allCount = 0;
  private poisonAll = false;
  private readonly all: Int32Array;
  /** Pixels changed since the last reset: the union of the steps' coverages, or every pixel. */
  private touched: Coverage | undefined;
  private touchedAll = true;
  /** The narrow state this chunk runs on, if any (see fusionFor); the wide arrays are then at their start state. */
  private narrow: NarrowState | null = null;
  /** Narrow arrays by op, kept at their start state between uses. */
  private readonly narrowKept = new Map<NarrowOp, NarrowState>();

  constructor(readonly kind: AccumulatorKind, n: number, private readonly ignore: boolean, private readonly state: StateArrays) {
    super(n);
    this.all = denseSpans(n);
    this.acc = state.f64('acc', n);
    this.counts = state.u32('counts', n);
    this.poison = ignore ? null : state.u8('poison', n);
    this.valid = state.u8('valid', n);
    this.reset();
  }

  override reset(): void {
    super.reset();
    const start = this.kind === 'max' ? -Infinity : this.kind === 'min' ? Infinity : this.kind === 'product' ? 1 : 0;
    if (this.narrow) {
      fillNarrow(this.narrow, this.touchedSpans());
      this.narrow = null;
    } else if (this.touchedAll) {
      this.acc.fill(start);
      this.counts.fill(0);
    } else if (this.touched) {
      // only what the last chunk's steps reached differs from the start state
      const sp = coverageSpans(this.touched);
      fillSpans(this.acc, sp, start);
      fillSpans(this.counts, sp, 0);
    }
    this.poison?.fill(0);
    this.allCount = 0;
    this.poisonAll = false;
    this.touched = undefined;
    this.touchedAll = false;
  }

  private track(cover: Coverage | undefined): void {
    if (this.touchedAll) return;
    if (!cover) this.touchedAll = true;
    else if (!this.touched) this.touched = copyCoverage(cover);
    else if (!addCoverage(this.touched, cover)) this.touchedAll = true;
  }

  /** The pixels changed since the last reset. */
  private touchedSpans(): Int32Array {
    return this.touchedAll ? this.all : this.touched ? coverageSpans(this.touched) : NO_SPANS;
  }

  fusion(): ReducerFusion | undefined {
    if (!this.ignore) return undefined;
    return { op: this.kind === 'mean' ? 'sum' : this.kind, acc: this.acc, counts: this.counts };
  }

  fusionFor(range: ValueRange | undefined, steps: number): ReducerFusion | undefined {
    const wide = this.fusion();
    if (!wide) return undefined;
    const op = wide.op;
    // only while the wide arrays are untouched in this chunk (steps without data may have passed)
    if (this.narrow === null && !this.touchedAll && !this.touched && this.allCount === 0 && fitsNarrow(op, range, steps)) {
      let kept = this.narrowKept.get(op);
      if (!kept) {
        kept = narrowState(op, this.state, this.n);
        fillNarrow(kept, this.all);
        this.narrowKept.set(op, kept);
      }
      kept.valueMax = 0;
      this.narrow = kept;
    }
    if (this.narrow && !fitsNarrow(op, range, steps)) this.widen();
    if (!this.narrow) return wide;
    this.narrow.valueMax = Math.max(this.narrow.valueMax, range!.max);
    return { op, acc: this.narrow.acc, counts: this.narrow.counts };
  }

  /** Moves this chunk's narrow state into the wide arrays (for steps whose values a narrow state cannot hold). */
  private widen(): void {
    const narrow = this.narrow;
    if (!narrow) return;
    const spans = this.touchedSpans();
    widenInto(narrow, this.acc, this.counts, spans);
    fillNarrow(narrow, spans);
    this.narrow = null;
  }

  addFused(cover: Coverage | undefined): void {
    this.step(null);
    this.track(cover);
  }

  add(plane: Plane): void {
    this.widen();
    this.step(plane);
    this.track(plane.valid !== null && this.ignore ? plane.cover : undefined);
    const { acc, counts, n } = this;
    const d = plane.data;
    const v = plane.valid;
    if (v === null) {
      this.allCount++;
      switch (this.kind) {
        case 'max':
          for (let i = 0; i < n; i++) acc[i] = Math.max(acc[i], d[i]);
          break;
        case 'min':
          for (let i = 0; i < n; i++) acc[i] = Math.min(acc[i], d[i]);
          break;
        case 'product':
          for (let i = 0; i < n; i++) acc[i] *= d[i];
          break;
        default:
          for (let i = 0; i < n; i++) acc[i] += d[i];
      }
      return;
    }
    // With ignore_nodata, pixels outside the plane's coverage change nothing: visit only the covered spans.
    const sp = plane.cover && this.ignore ? coverageSpans(plane.cover) : this.all;
    for (let s = 0; s < sp.length; s += 2) {
      const e = sp[s + 1];
      switch (this.kind) {
        case 'max':
          for (let i = sp[s]; i < e; i++) if (v[i] !== 0) { acc[i] = Math.max(acc[i], d[i]); counts[i]++; }
          break;
        case 'min':
          for (let i = sp[s]; i < e; i++) if (v[i] !== 0) { acc[i] = Math.min(acc[i], d[i]); counts[i]++; }
          break;
        case 'product':
          for (let i = sp[s]; i < e; i++) if (v[i] !== 0) { acc[i] *= d[i]; counts[i]++; }
          break;
        default:
          for (let i = sp[s]; i < e; i++) if (v[i] !== 0) { acc[i] += d[i]; counts[i]++; }
      }
    }
    const poison = this.poison;
    if (poison) for (let i = 0; i < n; i++) poison[i] |= +(v[i] === 0);
  }

  addNodata(): void {
    this.step(null);
    if (!this.ignore) this.poisonAll = true;
  }

  result(): Plane {
    this.widen();
    this.finish();
    const { acc, counts, poison, valid, n, allCount } = this;
    if (this.poisonAll || (allCount === 0 && this.steps === 0)) {
      valid.fill(0);
      return { data: acc, valid };
    }
    if (!this.touchedAll && allCount === 0 && !poison) {
      // valid only where a step reached: the rest stays at the start state, no-data
      if (!this.touched) {
        valid.fill(0);
        return { data: acc, valid };
      }
      if (!coverageIsFull(this.touched)) valid.fill(0);
      const sp = coverageSpans(this.touched);
      const mean = this.kind === 'mean';
      for (let s = 0; s < sp.length; s += 2) {
        const e = sp[s + 1];
        if (mean) {
          for (let i = sp[s]; i < e; i++) {
            const c = counts[i];
            acc[i] = acc[i] / c;
            valid[i] = +(c > 0);
          }
        } else for (let i = sp[s]; i < e; i++) valid[i] = +(counts[i] > 0);
      }
      return { data: acc, valid, cover: this.touched };
    }
    if (this.kind === 'mean') for (let i = 0; i < n; i++) acc[i] = acc[i] / (counts[i] + allCount);
    if (allCount > 0 && !poison) return { data: acc, valid: null };
    for (let i = 0; i < n; i++) valid[i] = +(counts[i] + allCount > 0 && (poison === null || poison[i] === 0));
    return { data: acc, valid };
  }

  // The cases of result(), each written as writePlane would write that plane; the state is left as it was (reset
  // restores it wholesale), only the target changes.
  resultInto(target: PlaneTarget): boolean {
    const f = truncFormat(target);
    if (!f) return false;
    const { acc, counts, poison, n, allCount } = this;
    const out = target.out;
    if (out.length < n) throw new RangeError(`resultInto: output holds ${out.length} values, reducer has ${n}.`);
    const mean = this.kind === 'mean';
    if (this.narrow && !narrowFitsFormat(this.narrow, mean, f)) this.widen();
    this.finish();
    if (this.narrow) {
      // ignore_nodata, and every step fused: no poison and no all-valid steps
      if (this.steps === 0 || (!this.touchedAll && !this.touched)) out.fill(f.nodata, 0, n);
      else {
        if (!this.touchedAll && !coverageIsFull(this.touched!)) out.fill(f.nodata, 0, n);
        const sp = this.touchedSpans();
        // may write no-data between the spans: it is there already
        finalizeNarrowSpans(this.narrow, mean, out, f, sp);
      }
      return true;
    }
    if (this.poisonAll || (allCount === 0 && this.steps === 0) || (!this.touchedAll && allCount === 0 && !poison && !this.touched)) {
      out.fill(f.nodata, 0, n);
      return true;
    }
    if (!this.touchedAll && allCount === 0 && !poison && this.touched) {
      if (!coverageIsFull(this.touched)) out.fill(f.nodata, 0, n);
      const sp = coverageSpans(this.touched);
      for (let s = 0; s < sp.length; s += 2) finalizeInto(acc, counts, 0, null, mean, out, f, sp[s], sp[s + 1]);
      return true;
    }
    finalizeInto(acc, counts, allCount, poison, mean, out, f, 0, n);
    return true;
  }
}

/**
 * An accumulator's final values for pixels [from, to) written into `out` as writePlane converts them: a pixel with
 * no valid step (or poisoned) is no-data, the others the accumulated value (mean: divided by the pixel's steps).
 */
function finalizeInto(acc: Float64Array, counts: Uint32Array, allCount: number, poison: Uint8Array | null, mean: boolean, out: RasterArray, f: TruncFormat, from: number, to: number): void {
  const { nodata, lo, hi } = f;
  if (f.float) {
    for (let i = from; i < to; i++) {
      const c = counts[i] + allCount;
      out[i] = c === 0 || (poison !== null && poison[i] !== 0) ? nodata : mean ? acc[i] / c : acc[i];
    }
    return;
  }
  if (poison === null && !mean) {
    // the common case (max, min, sum with ignore_nodata) in its own loop: no per-pixel tests that never change
    for (let i = from; i < to; i++) {
      const v = acc[i];
      out[i] = counts[i] + allCount === 0 || v !== v ? nodata : v <= lo ? lo : v >= hi ? hi : Math.trunc(v);
    }
    return;
  }
  if (poison === null) {
    for (let i = from; i < to; i++) {
      const c = counts[i] + allCount;
      const v = acc[i] / c;
      out[i] = c === 0 || v !== v ? nodata : v <= lo ? lo : v >= hi ? hi : Math.trunc(v);
    }
    return;
  }
  for (let i = from; i < to; i++) {
    const c = counts[i] + allCount;
    if (c === 0 || (poison !== null && poison[i] !== 0)) out[i] = nodata;
    else {
      const v = mean ? acc[i] / c : acc[i];
      out[i] = v !== v ? nodata : v <= lo ? lo : v >= hi ? hi : Math.trunc(v);
    }
  }
}

const convert = (v: number, f: TruncFormat) => (f.float ? v : v !== v ? f.nodata : v <= f.lo ? f.lo : v >= f.hi ? f.hi : Math.trunc(v));

/** count: valid (non-null, finite) values per pixel, or every step with `countAll`. Never no-data. */
class Counter extends ReducerBase implements StreamingReducer {
  readonly kind = 'count' as const;
  private readonly counts: Float64Array;

  constructor(n: number, private readonly all: boolean, state: StateArrays) {
    super(n);
    this.counts = state.f64('counts', n);
    this.reset();
  }

  override reset(): void {
    super.reset();
    this.counts.fill(0);
  }

  add(plane: Plane): void {
    this.step(plane);
    if (this.all) return;
    const { counts, n } = this;
    const d = plane.data;
    const v = plane.valid;
    // x - x is 0 exactly for finite x (NaN for NaN and the infinities)
    if (v === null) {
      for (let i = 0; i < n; i++) counts[i] += +(d[i] - d[i] === 0);
      return;
    }
    const sp = plane.cover ? coverageSpans(plane.cover) : denseSpans(n);
    for (let s = 0; s < sp.length; s += 2) {
      const e = sp[s + 1];
      for (let i = sp[s]; i < e; i++) counts[i] += +(v[i] !== 0) & +(d[i] - d[i] === 0);
    }
  }

  addNodata(): void {
    this.step(null);
  }

  fusion(): ReducerFusion | undefined {
    return this.all ? undefined : { op: 'count', acc: this.counts, counts: null };
  }

  addFused(): void {
    this.step(null);
  }

  result(): Plane {
    this.finish();
    if (this.all) this.counts.fill(this.steps);
    return { data: this.counts, valid: null };
  }

  resultInto(target: PlaneTarget): boolean {
    const f = truncFormat(target);
    if (!f) return false;
    const { counts, n } = this;
    const out = target.out;
    if (out.length < n) throw new RangeError(`resultInto: output holds ${out.length} values, reducer has ${n}.`);
    this.finish();
    if (this.all) out.fill(convert(this.steps, f), 0, n);
    else for (let i = 0; i < n; i++) out[i] = convert(counts[i], f);
    return true;
  }
}

