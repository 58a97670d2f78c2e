/**
 * Streaming reducers over a dimension (time): one `add` per step, state O(n) whatever the number of steps. Results
 * equal the scalar processes (src/processes/statistics.ts, arrays.ts) applied to each pixel's values in step order:
 * sums and products accumulate in float64 in the same order, mean is that sum divided by the count, max/min
 * propagate NaN, `ignore_nodata: true` skips no-data (nothing left → no-data), `false` makes any no-data win.
 * count has no ignore_nodata: it counts valid values (not no-data, finite) or, with `countAll`, every step.
 * any/all read non-zero as true and follow the truth tables of any.json / all.json.
 */
import { ReducerBase, type StreamingKind, type StreamingReducer, type StreamingReducerOptions } from './reducer-base.ts';
import { Picker, Truth } from './reducers-select.ts';
import type { Plane } from './values.ts';

export type { StreamingKind, StreamingReducer, StreamingReducerOptions } from './reducer-base.ts';

export function createStreamingReducer(kind: StreamingKind, n: number, opts: StreamingReducerOptions = {}): StreamingReducer {
  const ignore = opts.ignoreNodata ?? true;
  switch (kind) {
    case 'max':
    case 'min':
    case 'sum':
    case 'mean':
    case 'product':
      return new Accumulator(kind, n, ignore);
    case 'count':
      return new Counter(n, opts.countAll ?? false);
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

  constructor(readonly kind: AccumulatorKind, n: number, private readonly ignore: boolean) {
    super(n);
    this.acc = new Float64Array(n);
    this.counts = new Uint32Array(n);
    this.poison = ignore ? null : new Uint8Array(n);
    this.valid = new Uint8Array(n);
    this.reset();
  }

  override reset(): void {
    super.reset();
    this.acc.fill(this.kind === 'max' ? -Infinity : this.kind === 'min' ? Infinity : this.kind === 'product' ? 1 : 0);
    this.counts.fill(0);
    this.poison?.fill(0);
    this.allCount = 0;
    this.poisonAll = false;
  }

  add(plane: Plane): void {
    this.step(plane);
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
    switch (this.kind) {
      case 'max':
        for (let i = 0; i < n; i++) if (v[i] !== 0) { acc[i] = Math.max(acc[i], d[i]); counts[i]++; }
        break;
      case 'min':
        for (let i = 0; i < n; i++) if (v[i] !== 0) { acc[i] = Math.min(acc[i], d[i]); counts[i]++; }
        break;
      case 'product':
        for (let i = 0; i < n; i++) if (v[i] !== 0) { acc[i] *= d[i]; counts[i]++; }
        break;
      default:
        for (let i = 0; i < n; i++) if (v[i] !== 0) { acc[i] += d[i]; counts[i]++; }
    }
    const poison = this.poison;
    if (poison) for (let i = 0; i < n; i++) poison[i] |= +(v[i] === 0);
  }

  addNodata(): void {
    this.step(null);
    if (!this.ignore) this.poisonAll = true;
  }

  result(): Plane {
    this.finish();
    const { acc, counts, poison, valid, n, allCount } = this;
    if (this.poisonAll || (allCount === 0 && this.steps === 0)) {
      valid.fill(0);
      return { data: acc, valid };
    }
    if (this.kind === 'mean') for (let i = 0; i < n; i++) acc[i] = acc[i] / (counts[i] + allCount);
    if (allCount > 0 && !poison) return { data: acc, valid: null };
    for (let i = 0; i < n; i++) valid[i] = +(counts[i] + allCount > 0 && (poison === null || poison[i] === 0));
    return { data: acc, valid };
  }
}

/** count: valid (non-null, finite) values per pixel, or every step with `countAll`. Never no-data. */
class Counter extends ReducerBase implements StreamingReducer {
  readonly kind = 'count' as const;
  private readonly counts: Float64Array;

  constructor(n: number, private readonly all: boolean) {
    super(n);
    this.counts = new Float64Array(n);
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
    if (v === null) for (let i = 0; i < n; i++) counts[i] += +(d[i] - d[i] === 0);
    else for (let i = 0; i < n; i++) counts[i] += +(v[i] !== 0) & +(d[i] - d[i] === 0);
  }

  addNodata(): void {
    this.step(null);
  }

  result(): Plane {
    this.finish();
    if (this.all) this.counts.fill(this.steps);
    return { data: this.counts, valid: null };
  }
}

