/**
 * Evaluates a cube plan for one output window, pulling planes (one band of one time step) on demand. Reductions
 * over time consume their input one step at a time, so memory depends on the window size, not on the time range.
 */
import { allSettledFirst } from '../async.ts';
import { OpenEOError } from '../errors.ts';
import type { Grid, Window } from '../raster/grid/types.ts';
import { subGrid } from '../raster/grid/affine.ts';
import { BufferArena } from './arena.ts';
import type { RasterArray } from '../raster/data-types.ts';
import type { FusedLoop } from './kernels/codegen.ts';
import { coverageIsEmpty, type Coverage } from './kernels/coverage.ts';
import { fusableChain, reduceFused } from './fused-time.ts';
import type { ReducerFusion, StateArrays, ValueRange } from './kernels/reducer-base.ts';
import { allocBuffers, writePlane, type Plane, type PlaneBuffers, type PlaneTarget } from './kernels/values.ts';
import { SeriesBuffer, type SeriesUnit } from './interpreted.ts';
import { graphFromJson } from './callback-json.ts';
import { recognizeReducer } from './kernels/recognize.ts';
import type { CallbackSpec, CubeNode } from './types.ts';

/** A pixel window of a node's own grid (for `crop`, the input grid is shifted). */
export interface ChunkWindow {
  col: number;
  row: number;
  width: number;
  height: number;
}

export interface PlaneSource {
  readonly times: number;
  readonly bands: number;
  plane(t: number, b: number, signal: AbortSignal): Promise<Plane>;
  /**
   * Writes the plane straight into an output array (as writePlane would), when this source can do so without
   * producing the plane first (a streaming reducer finalizing into the output). Absent: use `writeInto`.
   */
  into?(t: number, b: number, target: PlaneTarget, signal: AbortSignal): Promise<void>;
}

/** Writes plane (t, b) of a source into the target: through the source's own path when it has one. */
export async function writeInto(source: PlaneSource, t: number, b: number, target: PlaneTarget, signal: AbortSignal): Promise<void> {
  if (source.into) return source.into(t, b, target, signal);
  writePlane(await source.plane(t, b, signal), target.dtype, target.out, target.opts);
}

export interface TimeReducer {
  add(plane: Plane): void;
  /** See StreamingReducer.fusion / addFused. */
  fusion?(): ReducerFusion | undefined;
  fusionFor?(range: ValueRange | undefined, steps: number): ReducerFusion | undefined;
  addFused?(cover: Coverage | undefined): void;
  /** A step without any valid pixel (cheaper than an all-invalid plane). */
  addNodata(): void;
  result(): Plane | Promise<Plane>;
  /** See StreamingReducer.resultInto. */
  resultInto?(target: PlaneTarget): boolean;
  /** Starts over keeping the buffers, when the reducer can be reused for the next chunk. */
  reset?(): void;
}

/**
 * Vectorized kernels compiled from callbacks; provided by the kernels module. Results are written into the `out`
 * buffers the calling node owns (reused step after step) and are valid until the node's next call for the band.
 */
export interface KernelProvider {
  apply(cb: CallbackSpec, n: number): (x: Plane, out: PlaneBuffers, signal?: AbortSignal) => Plane | Promise<Plane>;
  reduceBands(cb: CallbackSpec, labels: string[], n: number): (data: Plane[], out: PlaneBuffers, signal?: AbortSignal) => Plane | Promise<Plane>;
  resolver(cb: CallbackSpec, n: number): (x: Plane, y: Plane, out: PlaneBuffers, signal?: AbortSignal) => Plane | Promise<Plane>;
  /** `state`: where a streaming reducer keeps its per-pixel arrays. */
  timeReducer(cb: CallbackSpec, n: number, steps: number, labels?: string[], state?: StateArrays): TimeReducer;
  /** apply_dimension: a series of planes (one per label) to `outs.length` planes, written into `outs`; `unit` names a series in errors. */
  applyDimension(cb: CallbackSpec, labels: readonly (string | number)[], unit?: SeriesUnit): (series: SeriesBuffer, outs: PlaneBuffers[], signal?: AbortSignal) => Promise<Plane[]>;
  mask(data: Plane, mask: Plane, replacement: number | null, n: number, out: PlaneBuffers): Plane;
  /** A plane of n pixels that are all nodata. */
  empty(n: number): Plane;
  /**
   * One reduction step straight from raw samples through an apply callback (undefined: the samples as they are)
   * into a reducer's state, or undefined when that callback cannot run fused.
   */
  fusedStep?(apply: CallbackSpec | undefined, fusion: ReducerFusion, nodata: number | null, sampleType: string): FusedLoop | undefined;
}

/** Where a node's load keeps its buffers between calls. */
export interface LoadSlot {
  arena: BufferArena;
  key: string;
}

/**
 * Reads the mosaic of one band of one time step of a load node for a grid window. With a slot, the plane lives in
 * the slot's buffers until the next read through the same slot.
 */
export interface LoadReader {
  read(node: Extract<CubeNode, { op: 'load' }>, step: number, band: number, target: Grid, signal: AbortSignal, slot?: LoadSlot): Promise<Plane>;
  /** The mosaic's samples as read, before conversion to a plane (for fused kernels). */
  readRaw?(node: Extract<CubeNode, { op: 'load' }>, step: number, band: number, target: Grid, signal: AbortSignal, slot?: LoadSlot): Promise<RawPlane>;
}

/**
 * Samples of one band in the band's own type: no-data where they equal `nodata` (NaN: where NaN; null: nowhere).
 * With a coverage, samples outside it are meaningless and all no-data.
 */
export interface RawPlane {
  data: RasterArray;
  nodata: number | null;
  cover?: Coverage;
}

export interface EvalDeps {
  kernels: KernelProvider;
  loads: LoadReader;
  /** Buffers kept across chunks (one per worker); without it each chunk source allocates its own. */
  arena?: BufferArena;
}

const countTimes = (n: CubeNode): number => {
  switch (n.op) {
    case 'load':
      return n.steps.length;
    case 'select':
      return n.times ? n.times.length : countTimes(n.input);
    case 'reduce_time':
      return 1;
    case 'merge':
      return n.timeMap.length;
    case 'aggregate_time':
      return n.groups.length;
    case 'apply_dimension':
      return n.target === 'time' ? n.size : n.source === 'time' ? 1 : countTimes(n.input);
    case 'crop':
    case 'apply':
    case 'reduce_bands':
    case 'mask':
    case 'resample':
      return countTimes(n.input);
  }
};

const countBands = (n: CubeNode): number => {
  switch (n.op) {
    case 'load':
      return n.bands.length;
    case 'select':
      return n.bands ? n.bands.length : countBands(n.input);
    case 'reduce_bands':
      return 1;
    case 'merge':
      return n.bandMap.length;
    case 'apply_dimension':
      return n.target === 'bands' ? n.size : n.source === 'bands' ? 1 : countBands(n.input);
    case 'crop':
    case 'apply':
    case 'reduce_time':
    case 'mask':
    case 'resample':
    case 'aggregate_time':
      return countBands(n.input);
  }
};

/**
 * Planes per pixel that interpreted callbacks of a plan hold at once (apply_dimension: its input series and all its
 * outputs; a reducer over time other than the streaming and buffered kernels: every step), so that the executor can
 * evaluate fewer pixels at a time: that memory grows with the number of labels.
 */
export function bufferedPlanes(node: CubeNode): number {
  const inputs = (n: CubeNode): CubeNode[] => (n.op === 'mask' ? [n.input, n.mask] : n.op === 'merge' ? [n.a, n.b] : 'input' in n ? [n.input] : []);
  let own = 0;
  // along x or y: the input plane, its series copy, the result and the window's part (and the transposed input)
  if (node.op === 'apply_dimension') own = node.source === 'x' || node.source === 'y' ? 5 : node.labels.length + countTimes(node) * countBands(node);
  else if (node.op === 'reduce_time' && !recognizeReducer(graphFromJson(node.callback.graph))) own = countTimes(node.input);
  return own + inputs(node).reduce((s, n) => s + bufferedPlanes(n), 0);
}

/**
 * The longest rows and columns that apply_dimension nodes along x and along y of a plan take whole (0: no such
 * node). Windows that cut them are still right (such a node computes whole rows or columns for any window) but
 * compute them again for every window.
 */
export function spatialApplies(node: CubeNode): { x: number; y: number } {
  const inputs = node.op === 'mask' ? [node.input, node.mask] : node.op === 'merge' ? [node.a, node.b] : 'input' in node ? [node.input] : [];
  const own = { x: 0, y: 0 };
  if (node.op === 'apply_dimension' && (node.source === 'x' || node.source === 'y')) own[node.source] = node.size;
  return inputs.map(spatialApplies).reduce((a, b) => ({ x: Math.max(a.x, b.x), y: Math.max(a.y, b.y) }), own);
}

/**
 * Builds the source tree of a plan for a window of the plan's output grid. A plane a source returns stays valid
 * until the source is asked for the same band again (every node owns its buffers, keyed by its path in the tree).
 */
export function chunkSource(node: CubeNode, grid: Grid, win: ChunkWindow, deps: EvalDeps): PlaneSource {
  const arena = deps.arena ?? new BufferArena();
  // below an apply_dimension along x or y the window grows to whole rows or columns: sizes are per window
  const build = (node: CubeNode, grid: Grid, win: ChunkWindow, path = 'r'): PlaneSource => {
    const n = win.width * win.height;
    const buffers = (key: string) => arena.take(key, n, () => allocBuffers(n));
    const times = countTimes(node);
    const bands = countBands(node);
    const src = (plane: PlaneSource['plane'], into?: PlaneSource['into']): PlaneSource => (into ? { times, bands, plane, into } : { times, bands, plane });
    switch (node.op) {
      case 'load': {
        const target = subGrid(node.grid, win.col, win.row, win.width, win.height);
        return src((t, b, signal) => deps.loads.read(node, t, b, target, signal, { arena, key: `${path}|${b}` }));
      }
      case 'select': {
        const input = build(node.input, grid, win, `${path}s`);
        const ti = (t: number) => (node.times ? node.times[t] : t);
        const bi = (b: number) => (node.bands ? node.bands[b] : b);
        return src(
          (t, b, s) => input.plane(ti(t), bi(b), s),
          input.into && ((t, b, target, s) => writeInto(input, ti(t), bi(b), target, s)),
        );
      }
      case 'crop':
        return build(node.input, grid, { ...win, col: win.col + node.col, row: win.row + node.row }, `${path}c`);
      case 'apply': {
        const input = build(node.input, grid, win, `${path}a`);
        const kernel = deps.kernels.apply(node.callback, n);
        return src(async (t, b, s) => kernel(await input.plane(t, b, s), buffers(`${path}|${b}`), s));
      }
      case 'reduce_bands': {
        const input = build(node.input, grid, win, `${path}b`);
        const kernel = deps.kernels.reduceBands(node.callback, node.labels, n);
        return src(async (t, b, s) => {
          const planes: Plane[] = [];
          for (let k = 0; k < input.bands; k++) planes.push(await input.plane(t, k, s));
          return kernel(planes, buffers(`${path}|${b}`), s);
        });
      }
      case 'reduce_time': {
        const input = build(node.input, grid, win, `${path}t`);
        const chain = fusableChain(node.input);
        const target = chain && subGrid(chain.load.grid, win.col, win.row, win.width, win.height);
        const reduce = async (b: number, s: AbortSignal) => {
          const reducer = timeReducer(`${path}|${b}`, n, node.callback, input.times, node.labels);
          // load → apply → reducer in one loop over the covered pixels, without intermediate planes
          const fused = chain && target ? await reduceFused({ deps, arena, key: `${path}f|${b}`, chain, target, band: b, steps: input.times, reducer, signal: s }) : 0;
          for (let t = fused; t < input.times; t++) {
            s.throwIfAborted();
            addStep(reducer, await input.plane(t, b, s));
          }
          return reducer;
        };
        return src(
          async (_t, b, s) => (await reduce(b, s)).result(),
          // the final values go straight into the output: no plane of float64 values and masks to write and read again
          async (_t, b, out, s) => {
            const reducer = await reduce(b, s);
            if (!reducer.resultInto?.(out)) writePlane(await reducer.result(), out.dtype, out.out, out.opts);
          },
        );
      }
      case 'aggregate_time': {
        const input = build(node.input, grid, win, `${path}g`);
        const reduce = async (t: number, b: number, s: AbortSignal) => {
          const group = node.groups[t];
          const reducer = timeReducer(`${path}|${b}|${group.length}`, n, node.callback, group.length);
          for (const ti of group) addStep(reducer, await input.plane(ti, b, s));
          return reducer;
        };
        // a period without observations is no-data; its reducer is not called (array_element(index 0), a common
        // "first value", fails on an empty array, and count would say 0)
        const none = (): Plane => ({ data: new Float32Array(n), valid: new Uint8Array(n) });
        return src(
          async (t, b, s) => (node.groups[t].length === 0 ? none() : (await reduce(t, b, s)).result()),
          async (t, b, out, s) => {
            if (node.groups[t].length === 0) return writePlane(none(), out.dtype, out.out, out.opts);
            const reducer = await reduce(t, b, s);
            if (!reducer.resultInto?.(out)) writePlane(await reducer.result(), out.dtype, out.out, out.opts);
          },
        );
      }
      case 'mask': {
        const data = build(node.input, grid, win, `${path}d`);
        const mask = build(node.mask, grid, win, `${path}m`);
        return src(async (t, b, s) => {
          const [d, m] = await allSettledFirst(s, [
            (s) => data.plane(t, b, s),
            (s) => mask.plane(node.maskHasTime ? t : 0, node.maskHasBands ? Math.min(b, mask.bands - 1) : 0, s),
          ]);
          return deps.kernels.mask(d, m, node.replacement, n, buffers(`${path}|${b}`));
        });
      }
      case 'merge': {
        const a = build(node.a, grid, win, `${path}x`);
        const b = build(node.b, grid, win, `${path}y`);
        const resolver = node.resolver ? deps.kernels.resolver(node.resolver, n) : undefined;
        const plane = async (t: number, band: number, s: AbortSignal) => {
          const tm = node.timeMap[t];
          const bm = node.bandMap[band];
          const fromA = bm.a !== undefined && tm.a !== undefined ? (s: AbortSignal) => a.plane(tm.a!, bm.a!, s) : undefined;
          const fromB = bm.b !== undefined && tm.b !== undefined ? (s: AbortSignal) => b.plane(tm.b!, bm.b!, s) : undefined;
          if (fromA && fromB) {
            if (!resolver) throw new OpenEOError('Internal', 'merge without an overlap resolver met an overlap');
            // a failure on one side stops the other before this chunk fails: the plan's next chunk reuses their buffers
            const [x, y] = await allSettledFirst(s, [fromA, fromB]);
            return resolver(x, y, buffers(`${path}|${band}`), s);
          }
          return (await (fromA ?? fromB)?.(s)) ?? deps.kernels.empty(n);
        };
        // a band from one side only is that side's plane: written through its own path
        const into = async (t: number, band: number, target: PlaneTarget, s: AbortSignal) => {
          const tm = node.timeMap[t];
          const bm = node.bandMap[band];
          const useA = bm.a !== undefined && tm.a !== undefined;
          const useB = bm.b !== undefined && tm.b !== undefined;
          if (useA && !useB) return writeInto(a, tm.a!, bm.a!, target, s);
          if (useB && !useA) return writeInto(b, tm.b!, bm.b!, target, s);
          writePlane(await plane(t, band, s), target.dtype, target.out, target.opts);
        };
        return src(plane, a.into || b.into ? into : undefined);
      }
      case 'apply_dimension':
        if (node.source === 'x' || node.source === 'y') return applyAlongSpace(node, node.source, grid, win, path, src);
        return applyDimension(node, build(node.input, grid, win, `${path}d`), n, path, src);
      case 'resample':
        throw new OpenEOError('FeatureUnsupported', `The operation '${node.op}' is not supported by the chunked executor yet.`);
    }
  };
  // Streaming reducers keep their state buffers from chunk to chunk; buffered ones hold the steps and start afresh.
  const timeReducer = (key: string, n: number, cb: CallbackSpec, steps: number, labels?: string[]): TimeReducer => {
    const kept = arena.take(key, n, () => ({}) as { r?: TimeReducer });
    if (kept.r?.reset) {
      kept.r.reset();
      return kept.r;
    }
    // state memory stays with the key when the size changes (edge chunks), as the arena's scratch arrays
    const state: StateArrays = {
      f64: (name, len) => arena.scratch(`${key}|${name}`, len, (l) => new Float64Array(l)),
      u32: (name, len) => arena.scratch(`${key}|${name}`, len, (l) => new Uint32Array(l)),
      u16: (name, len) => arena.scratch(`${key}|${name}`, len, (l) => new Uint16Array(l)),
      u8: (name, len) => arena.scratch(`${key}|${name}`, len, (l) => new Uint8Array(l)),
      keep: (name, fits, make) => arena.keep(`${key}|${name}`, fits, make),
    };
    const r = deps.kernels.timeReducer(cb, n, steps, labels, state);
    if (r.reset) kept.r = r;
    return r;
  };
  /**
   * All values along the target for one index of the other dimension are computed together from the whole series
   * along the source, and kept for the chunk: consumers may ask for them in any order.
   */
  const applyDimension = (node: Extract<CubeNode, { op: 'apply_dimension' }>, input: PlaneSource, n: number, path: string, src: (p: PlaneSource['plane']) => PlaneSource) => {
    const kernel = deps.kernels.applyDimension(node.callback, node.labels);
    const done = new Map<number, Promise<Plane[]>>();
    const compute = async (other: number, s: AbortSignal) => {
      const series = arena.take(`${path}|series`, n, () => new SeriesBuffer(n));
      series.reset();
      const steps = node.source === 'time' ? input.times : input.bands;
      for (let k = 0; k < steps; k++) {
        s.throwIfAborted();
        series.add(await (node.source === 'time' ? input.plane(k, other, s) : input.plane(other, k, s)));
      }
      const outs = Array.from({ length: node.size }, (_, k) => arena.take(`${path}|${other}|${k}`, n, () => allocBuffers(n)));
      return kernel(series, outs, s);
    };
    let last: Promise<unknown> = Promise.resolve();
    return src(async (t, b, s) => {
      const other = node.source !== node.target ? 0 : node.target === 'time' ? b : t;
      let planes = done.get(other);
      if (!planes) {
        // one series at a time: they share the series buffer
        planes = last.then(() => compute(other, s), () => compute(other, s));
        done.set(other, planes);
        last = planes;
      }
      return (await planes)[node.target === 'time' ? t : b];
    });
  };
  /**
   * apply_dimension along x (y): the callback gets each whole row (column) of the node's grid, so the input is asked
   * for full rows (columns) covering the window, and the window's part of the result is returned. The series along
   * the dimension is handed to the kernel as one plane per coordinate, of one pixel per row (column): along y these
   * are the rows of the input plane as they are, along x its columns (transposed in and out).
   */
  const applyAlongSpace = (node: Extract<CubeNode, { op: 'apply_dimension' }>, axis: 'x' | 'y', grid: Grid, win: ChunkWindow, path: string, src: (p: PlaneSource['plane']) => PlaneSource) => {
    const along = node.size;
    const full: ChunkWindow = axis === 'x' ? { col: 0, row: win.row, width: along, height: win.height } : { col: win.col, row: 0, width: win.width, height: along };
    const input = build(node.input, grid, full, `${path}d`);
    const kernel = deps.kernels.applyDimension(node.callback, node.labels, axis === 'x' ? 'row' : 'column');
    // pixels per element of the series: the rows (x) or the columns (y) of the input window
    const across = axis === 'x' ? full.height : full.width;
    const n = win.width * win.height;
    const compute = async (t: number, b: number, s: AbortSignal): Promise<Plane> => {
      const plane = await input.plane(t, b, s);
      const series = arena.take(`${path}|series`, across, () => new SeriesBuffer(across));
      series.reset();
      if (axis === 'y') {
        for (let k = 0; k < along; k++) series.add(rowOf(plane, k, across));
      } else {
        const cols = transposed(plane, full.height, along, arena.scratch(`${path}|tin`, along * across, (l) => new Float64Array(l)), arena.scratch(`${path}|tinv`, along * across, (l) => new Uint8Array(l)));
        for (let k = 0; k < along; k++) series.add(rowOf(cols, k, across));
      }
      s.throwIfAborted();
      const outs = Array.from({ length: along }, (_, k) => arena.take(`${path}|o${k}`, across, () => allocBuffers(across)));
      const result = await kernel(series, outs, s);
      const out = arena.take(`${path}|${b}`, n, () => allocBuffers(n));
      // element k of the result is column k (x) or row k (y) of the full window; the asked window is a part of it
      const lines = axis === 'x' ? win.width : win.height;
      const length = axis === 'x' ? win.height : win.width;
      const [lineStep, step] = axis === 'x' ? [1, win.width] : [win.width, 1];
      for (let k = 0; k < lines; k++) {
        // its pixels are the window's rows (x) or columns (y) already: the full window differs along the axis only
        const p = result[(axis === 'x' ? win.col : win.row) + k];
        for (let j = 0, at = k * lineStep; j < length; j++, at += step) {
          out.data[at] = p.data[j];
          out.valid[at] = p.valid === null || p.valid[j] === 1 ? 1 : 0;
        }
      }
      out.written = null;
      return out;
    };
    // one plane at a time: they share the series and output buffers
    let last: Promise<unknown> = Promise.resolve();
    return src((t, b, s) => {
      const next = last.then(() => compute(t, b, s), () => compute(t, b, s));
      last = next;
      return next;
    });
  };
  return build(node, grid, win);
}

/** Row k (of `width` pixels) of a plane, without copying. */
function rowOf(p: Plane, k: number, width: number): Plane {
  return { data: p.data.subarray(k * width, (k + 1) * width), valid: p.valid ? p.valid.subarray(k * width, (k + 1) * width) : null };
}

/** The plane of `height` x `width` pixels with rows and columns swapped, in the given buffers. */
function transposed(p: Plane, height: number, width: number, data: Float64Array, valid: Uint8Array): Plane {
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      data[c * height + r] = p.data[r * width + c];
      valid[c * height + r] = p.valid === null ? 1 : p.valid[r * width + c];
    }
  }
  return { data, valid };
}

/** A step whose plane has nothing valid is a no-data step (the reducers skip the per-pixel work). */
function addStep(reducer: TimeReducer, plane: Plane): void {
  if (plane.cover && plane.valid && coverageIsEmpty(plane.cover)) reducer.addNodata();
  else reducer.add(plane);
}

export const windowOfChunk = (w: Window): ChunkWindow => ({ col: w.col, row: w.row, width: w.width, height: w.height });
