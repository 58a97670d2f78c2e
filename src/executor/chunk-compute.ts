/**
 * Computes one unit of work of an output plan (an output chunk, or a strip of them when apply_dimension runs along x
 * or y): every variable (and time step, when kept) as typed arrays.
 */
import { allSettledFirst } from '../async.ts';
import { bufferedPlanes, chunkSource, spatialApplies, writeInto, type EvalDeps } from '../datacube/chunk-eval.ts';
import { TYPED_ARRAY, type RasterArray } from '../raster/data-types.ts';
import type { ChunkWindow, RasterMeta } from '../formats/raster-writer.ts';
import type { CubeNode } from '../datacube/types.ts';
import type { OutputPlan } from './output-plan.ts';
import { crsToWkt2 } from '../raster/grid/wkt2.ts';

/**
 * Pixels computed at once: a chunk is evaluated in bands of whole rows of at most this many pixels, so that the
 * per-pixel state (reducers hold ~13 bytes per pixel and band) stays small whatever the chunk size.
 */
export const COMPUTE_PIXELS = 1 << 20;

/** Pixels times planes that apply_dimension may buffer at once (about 9 bytes each): its rows shrink accordingly. */
export const BUFFERED_PLANE_PIXELS = 1 << 24;

/**
 * With an arena in deps (one per plan), the arrays returned are the arena's and are overwritten by the plan's next
 * chunk: write them out before computing it.
 */
export async function computeChunk(plan: OutputPlan, win: ChunkWindow, deps: EvalDeps, signal: AbortSignal, maxPixels = COMPUTE_PIXELS): Promise<Record<string, RasterArray>> {
  const n = win.width * win.height;
  const steps = plan.time ? plan.time.length : 1;
  const out: Record<string, RasterArray> = {};
  for (const v of plan.variables) {
    const size = n * steps;
    // scratch: edge chunks take a part of the same memory instead of new arrays
    out[v.name] = deps.arena ? deps.arena.scratch(`out|${v.name}|${v.dtype}`, size, (len) => new TYPED_ARRAY[v.dtype](len) as RasterArray) : (new TYPED_ARRAY[v.dtype](size) as RasterArray);
  }
  const held = bufferedPlanes(plan.node);
  const pixels = held > 0 ? Math.min(maxPixels, Math.floor(BUFFERED_PLANE_PIXELS / held)) : maxPixels;
  const along = spatialApplies(plan.node);
  if (along.y > 0) {
    // whole columns (along x as well: the whole window), each band through a scratch plane into the strided output
    // below a crop the node's columns are taller than the window: they set how many fit at once
    const cols = along.x > 0 ? win.width : Math.max(1, Math.min(win.width, Math.floor(pixels / Math.max(win.height, along.y))));
    for (let x = 0; x < win.width; x += cols) {
      const w = Math.min(cols, win.width - x);
      const source = chunkSource(plan.node, plan.grid, { col: win.x0 + x, row: win.y0, width: w, height: win.height }, deps);
      for (const v of plan.variables) {
        const band = deps.arena ? deps.arena.scratch(`cols|${v.dtype}`, w * win.height, (len) => new TYPED_ARRAY[v.dtype](len) as RasterArray) : (new TYPED_ARRAY[v.dtype](w * win.height) as RasterArray);
        for (let t = 0; t < steps; t++) {
          signal.throwIfAborted();
          await writeInto(source, t, v.band, { dtype: v.dtype, out: band, opts: { nodata: v.nodata, rounding: 'trunc' } }, signal);
          for (let r = 0; r < win.height; r++) out[v.name].set(band.subarray(r * w, (r + 1) * w), t * n + r * win.width + x);
        }
      }
    }
    return out;
  }
  // below a crop the node's rows along x are wider than the window: they set how many fit at once
  const rows = Math.max(1, Math.floor(pixels / Math.max(win.width, along.x)));
  for (let y = 0; y < win.height; y += rows) {
    const h = Math.min(rows, win.height - y);
    const source = chunkSource(plan.node, plan.grid, { col: win.x0, row: win.y0 + y, width: win.width, height: h }, deps);
    // groups at once: while one computes, the others' reads wait on their I/O (remote assets answer late)
    await allSettledFirst(
      signal,
      independentGroups(plan.node, plan.variables).map((group) => async (signal: AbortSignal) => {
        for (const v of group) {
          for (let t = 0; t < steps; t++) {
            signal.throwIfAborted();
            // rows y..y+h of time step t: contiguous in the [t][row][col] layout
            const at = t * n + y * win.width;
            await writeInto(source, t, v.band, { dtype: v.dtype, out: out[v.name].subarray(at, at + h * win.width) as RasterArray, opts: { nodata: v.nodata, rounding: 'trunc' } }, signal);
          }
        }
      }),
    );
  }
  return out;
}

/**
 * The variables in groups whose evaluations share no buffers, so that groups may run at once (each group in turn):
 * under a merge at the root, the bands taken from one side only (its subtree's nodes, reducer states and read
 * buffers are its own, as when the merge evaluates both sides at once). Everything else is one group: two bands of
 * one subtree may need the same node's plane (a mask's single band, say), which is computed into one buffer.
 */
export function independentGroups<V extends { band: number }>(node: CubeNode, variables: readonly V[]): V[][] {
  if (node.op !== 'merge') return [[...variables]];
  const a = variables.filter((v) => node.bandMap[v.band]?.from === 'a');
  const b = variables.filter((v) => node.bandMap[v.band]?.from === 'b');
  if (a.length + b.length < variables.length) return [[...variables]];
  return [a, b].filter((g) => g.length > 0);
}

/** The writer's view of an output plan. */
export function rasterMeta(plan: OutputPlan): RasterMeta {
  const { crs, transform, width, height } = plan.grid;
  return {
    // WKT2 where we can write it: the STAC assets' proj:wkt2 and the Zarr/netCDF CRS attributes carry this text
    grid: { crs: { wkt: crs.wkt ? (crsToWkt2(crs) ?? crs.wkt) : '', proj4: crs.proj4, ...(crs.epsg ? { epsg: crs.epsg } : {}) }, transform: [...transform], width, height },
    chunk: plan.chunk,
    variables: plan.variables.map((v) => ({ name: v.name, dtype: v.dtype, nodata: v.nodata === null || Number.isNaN(v.nodata) && !v.dtype.startsWith('float') ? null : v.nodata })),
    ...(plan.time ? { time: { labels: plan.time, ...(plan.timeName ? { name: plan.timeName } : {}) } } : {}),
  };
}

/**
 * The units of work of a plan in row-major order (neighbours share input blocks, so close in time is
 * cache-friendly): its output chunks, or with apply_dimension along x the rows of chunks as full-width strips, along
 * y the columns of chunks as full-height strips, along both the whole grid (outputPlan bounds their size). Each is a
 * union of whole output chunks: see outputChunks.
 */
export function chunkWindows(plan: OutputPlan): ChunkWindow[] {
  const out: ChunkWindow[] = [];
  const along = spatialApplies(plan.node);
  const { width, height } = plan.grid;
  const cw = along.x > 0 ? width : plan.chunk.width;
  const ch = along.y > 0 ? height : plan.chunk.height;
  for (let y0 = 0; y0 < height; y0 += ch) {
    for (let x0 = 0; x0 < width; x0 += cw) {
      out.push({ x0, y0, width: Math.min(cw, width - x0), height: Math.min(ch, height - y0) });
    }
  }
  return out;
}

/**
 * The output chunks a unit of work covers, each with its samples cut out of the unit's (the writers take one whole
 * chunk per call). A unit that is one chunk is given as it is.
 */
export function* outputChunks(plan: OutputPlan, unit: ChunkWindow, data: Record<string, RasterArray>): Generator<{ window: ChunkWindow; data: Record<string, RasterArray> }> {
  const { width: cw, height: ch } = plan.chunk;
  if (unit.width <= cw && unit.height <= ch) {
    yield { window: unit, data };
    return;
  }
  const steps = plan.time ? plan.time.length : 1;
  for (let y0 = unit.y0; y0 < unit.y0 + unit.height; y0 += ch) {
    for (let x0 = unit.x0; x0 < unit.x0 + unit.width; x0 += cw) {
      const window = { x0, y0, width: Math.min(cw, unit.x0 + unit.width - x0), height: Math.min(ch, unit.y0 + unit.height - y0) };
      const part: Record<string, RasterArray> = {};
      for (const [name, all] of Object.entries(data)) {
        const cut = new (all.constructor as new (n: number) => RasterArray)(steps * window.width * window.height);
        for (let t = 0; t < steps; t++) {
          for (let r = 0; r < window.height; r++) {
            const from = t * unit.width * unit.height + (y0 - unit.y0 + r) * unit.width + (x0 - unit.x0);
            cut.set(all.subarray(from, from + window.width), (t * window.height + r) * window.width);
          }
        }
        part[name] = cut;
      }
      yield { window, data: part };
    }
  }
}
