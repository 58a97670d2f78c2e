/** One unit of parallel work: compute a chunk of an output plan and hand it to the format writer. */
import { createRasterWriter } from '../formats/writers.ts';
import type { ChunkWindow } from '../formats/raster-writer.ts';
import { computeChunk, rasterMeta } from './chunk-compute.ts';
import type { OutputPlan } from './output-plan.ts';
import type { WorkerEnv } from './worker-env.ts';

export interface ChunkTask {
  plan: OutputPlan;
  /** Store prefix of the job's results. */
  prefix: string;
  window: ChunkWindow;
}

export async function runChunkTask(task: ChunkTask, env: WorkerEnv, signal: AbortSignal): Promise<void> {
  const data = await computeChunk(task.plan, task.window, { ...env.deps, arena: env.arenaFor(task.plan) }, signal);
  const writer = createRasterWriter(task.plan.format, env.store, task.prefix, task.plan.options);
  await writer.writeChunk(rasterMeta(task.plan), task.window, data, signal);
}
