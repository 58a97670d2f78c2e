/** One unit of parallel work: compute a chunk (or strip of chunks) of an output plan and hand it to the format writer. */
import { performance } from 'node:perf_hooks';
import { createRasterWriter } from '../formats/writers.ts';
import type { ChunkWindow } from '../formats/raster-writer.ts';
import { computeChunk, outputChunks, rasterMeta } from './chunk-compute.ts';
import type { ChunkStats } from './chunk-stats.ts';
import type { OutputPlan } from './output-plan.ts';
import type { WorkerEnv } from './worker-env.ts';

export interface ChunkTask {
  plan: OutputPlan;
  /** Store prefix of the job's results. */
  prefix: string;
  /** An output chunk, or a strip of them (chunkWindows). */
  window: ChunkWindow;
}

/** Computes and writes the chunk; the figures assume nothing else runs in this environment meanwhile. */
export async function runChunkTask(task: ChunkTask, env: WorkerEnv, signal: AbortSignal): Promise<ChunkStats> {
  const t0 = performance.now();
  const elu0 = performance.eventLoopUtilization();
  const read0 = env.io.bytesRead;
  const written0 = env.io.bytesWritten;
  const data = await computeChunk(task.plan, task.window, { ...env.deps, arena: env.arenaFor(task.plan) }, signal);
  const writer = createRasterWriter(task.plan.format, env.store, task.prefix, task.plan.options);
  const meta = rasterMeta(task.plan);
  for (const chunk of outputChunks(task.plan, task.window, data)) await writer.writeChunk(meta, chunk.window, chunk.data, signal);
  return {
    ms: performance.now() - t0,
    cpuMs: performance.eventLoopUtilization(elu0).active,
    bytesRead: env.io.bytesRead - read0,
    bytesWritten: env.io.bytesWritten - written0,
  };
}
