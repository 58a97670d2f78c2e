/** The contract of the streaming reducers and the step bookkeeping they share. */
import type { Coverage } from './coverage.ts';
import type { Plane, PlaneTarget } from './values.ts';

export type StreamingKind = 'max' | 'min' | 'sum' | 'mean' | 'product' | 'count' | 'first' | 'last' | 'any' | 'all';

export interface StreamingReducerOptions {
  /** Default true, as in the processes. Not used by count. */
  ignoreNodata?: boolean;
  /** count only: count every step (`condition: true`) instead of the valid values. */
  countAll?: boolean;
  /** Where the per-pixel state comes from; default: new arrays. */
  state?: StateArrays;
}

/**
 * Per-pixel state arrays of a reducer, by name, of n elements each. The contents on return are arbitrary: reducers
 * initialise their state themselves. Lets the evaluator keep the memory from chunk to chunk when the chunk size
 * changes (edge chunks), instead of allocating state anew for every size.
 */
export interface StateArrays {
  f64(name: string, n: number): Float64Array;
  u32(name: string, n: number): Uint32Array;
  u16(name: string, n: number): Uint16Array;
  u8(name: string, n: number): Uint8Array;
  /**
   * The object kept under `name` while `fits` accepts it, else a new one from `make` (kept from then on): state
   * that is not a plain typed array, e.g. a WebAssembly memory (simd-narrow.ts). Without it, `make` every time.
   */
  keep?<T>(name: string, fits: (kept: T) => boolean, make: () => T): T;
}

export const newStateArrays: StateArrays = {
  f64: (_name, n) => new Float64Array(n),
  u32: (_name, n) => new Uint32Array(n),
  u16: (_name, n) => new Uint16Array(n),
  u8: (_name, n) => new Uint8Array(n),
};

export interface StreamingReducer {
  readonly kind: StreamingKind;
  /** Steps added so far. */
  readonly steps: number;
  /** One step; the plane is read during the call only, so its buffers may be reused right after. */
  add(plane: Plane): void;
  /** One step in which every pixel is no-data (e.g. an all-nodata block): cheaper than an invalid plane. */
  addNodata(): void;
  /** The reduced plane; it shares the reducer's buffers, so use it before `reset`. No `add` after this. */
  result(): Plane;
  /**
   * Writes what `writePlane(result(), …)` would write straight into the target, without the intermediate plane, and
   * returns true; false (nothing done, `result` still available) when this reducer or conversion has no such path.
   */
  resultInto?(target: PlaneTarget): boolean;
  /** Starts over for another chunk of the same size, keeping the buffers. */
  reset(): void;
  /**
   * The state a generated loop may update in place of `add` (see fused-reduce.ts), or undefined when this reducer
   * cannot be fused (e.g. without ignore_nodata). After such a loop ran over a step, call `addFused`.
   */
  fusion?(): ReducerFusion | undefined;
  /**
   * The state for a fused loop whose values all lie in `range`, in a reduction of `steps` steps: a reducer may keep
   * narrower state when the values allow it (see narrow-state.ts). Same contract as `fusion` otherwise.
   */
  fusionFor?(range: ValueRange | undefined, steps: number): ReducerFusion | undefined;
  /** Books one step done through `fusion()` on the pixels of `cover` (all pixels when undefined). */
  addFused?(cover: Coverage | undefined): void;
}

/** What a fused step updates per valid pixel: `acc` by `op` and `counts` by one (count: `acc` counts, no `counts`). */
export interface ReducerFusion {
  op: 'max' | 'min' | 'sum' | 'product' | 'count';
  acc: Float64Array | Uint16Array | Uint8Array;
  counts: Uint32Array | Uint8Array | null;
}

/** The values a fused loop can hand to its reducer (valid pixels only). */
export interface ValueRange {
  min: number;
  max: number;
  /** Every value is an integer (and none is -0 or NaN). */
  integer: boolean;
}

export abstract class ReducerBase {
  steps = 0;
  protected done = false;
  constructor(readonly n: number) {}
  protected step(plane: Plane | null): void {
    if (this.done) throw new Error('Reducer already produced its result; call reset() first.');
    if (plane && plane.data.length < this.n) throw new RangeError(`Reducer expects planes of ${this.n} pixels, got ${plane.data.length}.`);
    this.steps++;
  }
  protected finish(): void {
    if (this.done) throw new Error('Reducer result was already taken; call reset() first.');
    this.done = true;
  }
  reset(): void {
    this.steps = 0;
    this.done = false;
  }
}

