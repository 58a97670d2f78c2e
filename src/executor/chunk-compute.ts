/** Computes one output chunk of an output plan: every variable (and time step, when kept) as typed arrays. */
import { bufferedPlanes, chunkSource, writeInto, type EvalDeps } from '../datacube/chunk-eval.ts';
import { TYPED_ARRAY, type RasterArray } from '../raster/data-types.ts';
import type { ChunkWindow, RasterMeta } from '../formats/raster-writer.ts';
import type { OutputPlan } from './output-plan.ts';

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
  const rows = Math.max(1, Math.floor(pixels / win.width));
  for (let y = 0; y < win.height; y += rows) {
    const h = Math.min(rows, win.height - y);
    const source = chunkSource(plan.node, plan.grid, { col: win.x0, row: win.y0 + y, width: win.width, height: h }, deps);
    for (const v of plan.variables) {
      for (let t = 0; t < steps; t++) {
        signal.throwIfAborted();
        // rows y..y+h of time step t: contiguous in the [t][row][col] layout
        const at = t * n + y * win.width;
        await writeInto(source, t, v.band, { dtype: v.dtype, out: out[v.name].subarray(at, at + h * win.width) as RasterArray, opts: { nodata: v.nodata, rounding: 'trunc' } }, signal);
      }
    }
  }
  return out;
}

/** The writer's view of an output plan. */
export function rasterMeta(plan: OutputPlan): RasterMeta {
  const { crs, transform, width, height } = plan.grid;
  return {
    grid: { crs: { wkt: crs.wkt ?? '', proj4: crs.proj4, ...(crs.epsg ? { epsg: crs.epsg } : {}) }, transform: [...transform], width, height },
    chunk: plan.chunk,
    variables: plan.variables.map((v) => ({ name: v.name, dtype: v.dtype, nodata: v.nodata === null || Number.isNaN(v.nodata) && !v.dtype.startsWith('float') ? null : v.nodata })),
    ...(plan.time ? { time: { labels: plan.time } } : {}),
  };
}

/** Output chunks in row-major order (neighbours share input blocks, so close in time is cache-friendly). */
export function chunkWindows(plan: OutputPlan): ChunkWindow[] {
  const out: ChunkWindow[] = [];
  const { width: cw, height: ch } = plan.chunk;
  for (let y0 = 0; y0 < plan.grid.height; y0 += ch) {
    for (let x0 = 0; x0 < plan.grid.width; x0 += cw) {
      out.push({ x0, y0, width: Math.min(cw, plan.grid.width - x0), height: Math.min(ch, plan.grid.height - y0) });
    }
  }
  return out;
}
