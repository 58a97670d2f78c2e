/** Computes one output chunk of an output plan: every variable (and time step, when kept) as typed arrays. */
import { chunkSource, type EvalDeps } from '../datacube/chunk-eval.ts';
import { writePlane } from '../datacube/kernels/values.ts';
import { TYPED_ARRAY, type RasterArray } from '../raster/data-types.ts';
import type { ChunkWindow, RasterMeta } from '../formats/raster-writer.ts';
import type { OutputPlan } from './output-plan.ts';

export async function computeChunk(plan: OutputPlan, win: ChunkWindow, deps: EvalDeps, signal: AbortSignal): Promise<Record<string, RasterArray>> {
  const source = chunkSource(plan.node, plan.grid, { col: win.x0, row: win.y0, width: win.width, height: win.height }, deps);
  const n = win.width * win.height;
  const steps = plan.time ? plan.time.length : 1;
  const out: Record<string, RasterArray> = {};
  for (const v of plan.variables) {
    const arr = new TYPED_ARRAY[v.dtype](n * steps) as RasterArray;
    for (let t = 0; t < steps; t++) {
      signal.throwIfAborted();
      const plane = await source.plane(t, v.band, signal);
      writePlane(plane, v.dtype, steps === 1 ? arr : (arr.subarray(t * n, (t + 1) * n) as RasterArray), {
        nodata: v.nodata,
        rounding: 'trunc',
      });
    }
    out[v.name] = arr;
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
