/**
 * Evaluates a cube plan for one output window, pulling planes (one band of one time step) on demand. Reductions
 * over time consume their input one step at a time, so memory depends on the window size, not on the time range.
 */
import { OpenEOError } from '../errors.ts';
import type { Grid, Window } from '../raster/grid/types.ts';
import { subGrid } from '../raster/grid/affine.ts';
import type { Plane } from './kernels/values.ts';
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
}

export interface TimeReducer {
  add(plane: Plane): void;
  result(): Plane | Promise<Plane>;
}

/** Vectorized kernels compiled from callbacks; provided by the kernels module. */
export interface KernelProvider {
  apply(cb: CallbackSpec, n: number): (x: Plane) => Plane;
  reduceBands(cb: CallbackSpec, labels: string[], n: number): (data: Plane[]) => Plane;
  resolver(cb: CallbackSpec, n: number): (x: Plane, y: Plane) => Plane;
  timeReducer(cb: CallbackSpec, n: number, steps: number): TimeReducer;
  mask(data: Plane, mask: Plane, replacement: number | null, n: number): Plane;
  /** A plane of n pixels that are all nodata. */
  empty(n: number): Plane;
}

/** Reads the mosaic of one band of one time step of a load node for a grid window. */
export interface LoadReader {
  read(node: Extract<CubeNode, { op: 'load' }>, step: number, band: number, target: Grid, signal: AbortSignal): Promise<Plane>;
}

export interface EvalDeps {
  kernels: KernelProvider;
  loads: LoadReader;
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
    case 'crop':
    case 'apply':
    case 'reduce_bands':
    case 'apply_time':
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
    case 'crop':
    case 'apply':
    case 'reduce_time':
    case 'apply_time':
    case 'mask':
    case 'resample':
    case 'aggregate_time':
      return countBands(n.input);
  }
};

/** Builds the source tree of a plan for a window of the plan's output grid. */
export function chunkSource(node: CubeNode, grid: Grid, win: ChunkWindow, deps: EvalDeps): PlaneSource {
  const n = win.width * win.height;
  const build = (node: CubeNode, grid: Grid, win: ChunkWindow): PlaneSource => {
    const times = countTimes(node);
    const bands = countBands(node);
    const src = (plane: PlaneSource['plane']): PlaneSource => ({ times, bands, plane });
    switch (node.op) {
      case 'load': {
        const target = subGrid(node.grid, win.col, win.row, win.width, win.height);
        return src((t, b, signal) => deps.loads.read(node, t, b, target, signal));
      }
      case 'select': {
        const input = build(node.input, grid, win);
        return src((t, b, s) => input.plane(node.times ? node.times[t] : t, node.bands ? node.bands[b] : b, s));
      }
      case 'crop':
        return build(node.input, grid, { ...win, col: win.col + node.col, row: win.row + node.row });
      case 'apply': {
        const input = build(node.input, grid, win);
        const kernel = deps.kernels.apply(node.callback, n);
        return src(async (t, b, s) => kernel(await input.plane(t, b, s)));
      }
      case 'reduce_bands': {
        const input = build(node.input, grid, win);
        const kernel = deps.kernels.reduceBands(node.callback, node.labels, n);
        return src(async (t, _b, s) => {
          const planes: Plane[] = [];
          for (let b = 0; b < input.bands; b++) planes.push(await input.plane(t, b, s));
          return kernel(planes);
        });
      }
      case 'reduce_time': {
        const input = build(node.input, grid, win);
        return src(async (_t, b, s) => {
          const reducer = deps.kernels.timeReducer(node.callback, n, input.times);
          for (let t = 0; t < input.times; t++) {
            s.throwIfAborted();
            reducer.add(await input.plane(t, b, s));
          }
          return reducer.result();
        });
      }
      case 'aggregate_time': {
        const input = build(node.input, grid, win);
        return src(async (t, b, s) => {
          const group = node.groups[t];
          const reducer = deps.kernels.timeReducer(node.callback, n, group.length);
          for (const ti of group) reducer.add(await input.plane(ti, b, s));
          return reducer.result();
        });
      }
      case 'mask': {
        const data = build(node.input, grid, win);
        const mask = build(node.mask, grid, win);
        return src(async (t, b, s) => {
          const [d, m] = await Promise.all([
            data.plane(t, b, s),
            mask.plane(node.maskHasTime ? t : 0, node.maskHasBands ? Math.min(b, mask.bands - 1) : 0, s),
          ]);
          return deps.kernels.mask(d, m, node.replacement, n);
        });
      }
      case 'merge': {
        const a = build(node.a, grid, win);
        const b = build(node.b, grid, win);
        const resolver = node.resolver ? deps.kernels.resolver(node.resolver, n) : undefined;
        return src(async (t, band, s) => {
          const tm = node.timeMap[t];
          const bm = node.bandMap[band];
          const fromA = bm.a !== undefined && tm.a !== undefined ? a.plane(tm.a, bm.a, s) : undefined;
          const fromB = bm.b !== undefined && tm.b !== undefined ? b.plane(tm.b, bm.b, s) : undefined;
          if (fromA && fromB) {
            if (!resolver) throw new OpenEOError('Internal', 'merge without an overlap resolver met an overlap');
            const [x, y] = await Promise.all([fromA, fromB]);
            return resolver(x, y);
          }
          return (await (fromA ?? fromB)) ?? deps.kernels.empty(n);
        });
      }
      case 'apply_time':
      case 'resample':
        throw new OpenEOError('FeatureUnsupported', `The operation '${node.op}' is not supported by the chunked executor yet.`);
    }
  };
  return build(node, grid, win);
}

export const windowOfChunk = (w: Window): ChunkWindow => ({ col: w.col, row: w.row, width: w.width, height: w.height });
