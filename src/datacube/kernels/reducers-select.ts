/** Streaming first/last and any/all (see reducers.ts for the semantics). */
import { ReducerBase, type StreamingReducer } from './reducer-base.ts';
import type { Plane } from './values.ts';

/** first / last: with ignore_nodata the first (last) valid value; without, the value of the first (last) step. */
export class Picker extends ReducerBase implements StreamingReducer {
  private readonly acc: Float64Array;
  private readonly has: Uint8Array;
  private filled = 0;

  constructor(readonly kind: 'first' | 'last', n: number, private readonly ignore: boolean) {
    super(n);
    this.acc = new Float64Array(n);
    this.has = new Uint8Array(n);
  }

  override reset(): void {
    super.reset();
    this.has.fill(0);
    this.filled = 0;
  }

  add(plane: Plane): void {
    this.step(plane);
    const { acc, has, n } = this;
    const d = plane.data;
    const v = plane.valid;
    if (!this.ignore) {
      if (this.kind === 'first' && this.steps > 1) return;
      acc.set(d.length === n ? d : d.subarray(0, n));
      if (v) has.set(v.length === n ? v : v.subarray(0, n));
      else has.fill(1);
      return;
    }
    if (this.kind === 'first') {
      if (this.filled === n) return;
      let filled = this.filled;
      for (let i = 0; i < n; i++) {
        if (has[i] === 0 && (v === null || v[i] !== 0)) {
          acc[i] = d[i];
          has[i] = 1;
          filled++;
        }
      }
      this.filled = filled;
    } else if (v === null) {
      acc.set(d.length === n ? d : d.subarray(0, n));
      has.fill(1);
    } else {
      for (let i = 0; i < n; i++) if (v[i] !== 0) { acc[i] = d[i]; has[i] = 1; }
    }
  }

  addNodata(): void {
    this.step(null);
    if (!this.ignore && (this.kind === 'last' || this.steps === 1)) this.has.fill(0);
  }

  result(): Plane {
    this.finish();
    return { data: this.acc, valid: this.has };
  }
}

const SEEN = 1; // any: a true value; all: a false value
const NULL = 2;

/** any / all over boolean planes (non-zero is true). */
export class Truth extends ReducerBase implements StreamingReducer {
  private readonly state: Uint8Array;
  private readonly data: Float64Array;
  private readonly valid: Uint8Array;
  private nullAll = false;

  constructor(readonly kind: 'any' | 'all', n: number, private readonly ignore: boolean) {
    super(n);
    this.state = new Uint8Array(n);
    this.data = new Float64Array(n);
    this.valid = new Uint8Array(n);
  }

  override reset(): void {
    super.reset();
    this.state.fill(0);
    this.nullAll = false;
  }

  add(plane: Plane): void {
    this.step(plane);
    const { state, n } = this;
    const d = plane.data;
    const v = plane.valid;
    const lookFor = this.kind === 'any'; // the value that decides: true for any, false for all
    if (v === null) for (let i = 0; i < n; i++) state[i] |= (d[i] !== 0) === lookFor ? SEEN : 0;
    else for (let i = 0; i < n; i++) state[i] |= v[i] === 0 ? NULL : (d[i] !== 0) === lookFor ? SEEN : 0;
  }

  addNodata(): void {
    this.step(null);
    this.nullAll = true;
  }

  result(): Plane {
    this.finish();
    const { state, data, valid, n } = this;
    const decided = this.kind === 'any' ? 1 : 0;
    const nullAll = this.nullAll && !this.ignore;
    for (let i = 0; i < n; i++) {
      const s = state[i];
      const seen = (s & SEEN) !== 0;
      data[i] = seen ? decided : 1 - decided;
      valid[i] = seen || this.ignore || ((s & NULL) === 0 && !nullAll) ? 1 : 0;
    }
    return { data, valid };
  }
}
