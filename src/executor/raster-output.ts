/** Writes one save_result output of a job: begin the format, run every chunk on the pool, finish the format. */
import { randomUUID } from 'node:crypto';
import { createRasterWriter, checkFormatOptions } from '../formats/writers.ts';
import type { WrittenAsset } from '../formats/raster-writer.ts';
import type { ObjectStore } from '../storage/index.ts';
import { chunkWindows, rasterMeta } from './chunk-compute.ts';
import { writerOptions, type OutputPlan } from './output-plan.ts';
import type { ChunkPool } from './pool.ts';

export interface RasterOutputRun {
  plan: OutputPlan;
  store: ObjectStore;
  pool: ChunkPool;
  prefix: string;
  signal: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export async function writeRasterOutput(run: RasterOutputRun): Promise<WrittenAsset[]> {
  const { plan, signal } = run;
  const formatOptions = writerOptions(plan);
  checkFormatOptions(plan.format, plan.options);
  const writer = createRasterWriter(plan.format, run.store, run.prefix, formatOptions);
  const meta = rasterMeta(plan);
  await writer.begin(meta, signal);
  const windows = chunkWindows(plan);
  await run.pool.run({
    planId: randomUUID(),
    plan: { ...plan, options: formatOptions },
    prefix: run.prefix,
    windows,
    signal,
    onChunk: run.onProgress,
  });
  return withBandInfo(plan, await writer.finish(meta, signal));
}

/** Data assets describe their bands (STAC raster extension) unless the format did already. */
export function withBandInfo(plan: OutputPlan, assets: WrittenAsset[]): WrittenAsset[] {
  const bands = plan.variables.map((v) => ({
    name: v.name,
    data_type: v.dtype,
    ...(v.nodata !== null ? { nodata: Number.isNaN(v.nodata) ? 'nan' : v.nodata } : {}),
  }));
  return assets.map((a) => (a.roles.includes('data') && !a['raster:bands'] ? { ...a, 'raster:bands': bands } : a));
}
