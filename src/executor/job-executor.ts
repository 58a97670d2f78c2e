import type { Logger } from 'pino';
import type { JobExecution, JobExecutor, JobOutcome } from '../jobs/executor.ts';
import { evaluateGraph } from './evaluate-graph.ts';
import type { CubeServices, SaveRequest } from '../processes/cube/index.ts';
import { jobResultKey, jobResultsPrefix, type StoredAsset, type StoredResults } from '../results/layout.ts';
import type { ObjectStore } from '../storage/index.ts';
import { outputPlan } from './output-plan.ts';
import type { ChunkPool } from './pool.ts';
import { writeRasterOutput } from './raster-output.ts';
import { resultMetadata } from './result-metadata.ts';
import type { ProcessValidator } from './validate-process.ts';

export interface GraphJobExecutorDeps {
  validator: ProcessValidator;
  store: ObjectStore;
  pool: ChunkPool;
  /** Fresh services per run (save_result requests are collected per evaluation). */
  cubeServices(): CubeServices;
  logger: Logger;
  /** Bounds nested user-defined process calls at run time (a cycle of stored processes would never end). */
  maxDepth: number;
}

/**
 * Runs a job's process graph: evaluation builds lazy cube plans (searching the catalogs), then every save_result is
 * written chunk by chunk through the pool. Graphs whose result is a plain value are stored as a JSON asset.
 */
export class GraphJobExecutor implements JobExecutor {
  constructor(private readonly deps: GraphJobExecutorDeps) {}

  async execute({ job, signal, log, progress }: JobExecution): Promise<JobOutcome> {
    const { value, saved } = await evaluateGraph(this.deps, job.process, job.user_id, signal);
    const prefix = jobResultsPrefix(job.id);
    if (saved.length === 0) return this.saveJson(job.id, value, signal);
    await log('info', `Process graph evaluated: ${saved.length} output(s) to write.`);
    const assets: Record<string, StoredAsset> = {};
    let stored: StoredResults | undefined;
    for (const [i, save] of saved.entries()) {
      const plan = outputPlan(withDistinctName(save, i));
      const total = Math.ceil(plan.grid.width / plan.chunk.width) * Math.ceil(plan.grid.height / plan.chunk.height);
      await log('info', `Writing ${plan.format}: ${plan.grid.width} x ${plan.grid.height} px, ${plan.variables.length} variable(s), ${total} chunk(s).`, {
        data: { grid: { width: plan.grid.width, height: plan.grid.height, transform: plan.grid.transform }, variables: plan.variables.map((v) => v.name) },
      });
      const written = await writeRasterOutput({
        plan,
        store: this.deps.store,
        pool: this.deps.pool,
        prefix: prefix.replace(/\/$/, ''),
        signal,
        onProgress: (done, all) => void progress(((i + done / all) / saved.length) * 99).catch(() => {}),
      });
      for (const a of written) assets[a.path] = a as StoredAsset;
      stored ??= { ...resultMetadata(plan), assets };
    }
    const results: StoredResults = { ...stored!, assets };
    await log('info', `Wrote ${Object.keys(assets).length} asset(s).`);
    return { results: results as unknown as Record<string, unknown> };
  }

  private async saveJson(jobId: string, value: unknown, signal: AbortSignal): Promise<JobOutcome> {
    const bytes = new TextEncoder().encode(JSON.stringify(value ?? null));
    await this.deps.store.put(jobResultKey(jobId, 'result.json'), bytes, { contentType: 'application/json' }, signal);
    const results: StoredResults = {
      assets: { 'result.json': { path: 'result.json', type: 'application/json', roles: ['data'], title: 'Result', 'file:size': bytes.length } },
    };
    return { results: results as unknown as Record<string, unknown>, usage: { output: { value: bytes.length, unit: 'bytes' } } };
  }

  async discardResults(jobId: string, signal?: AbortSignal): Promise<void> {
    await this.deps.store.deletePrefix(jobResultsPrefix(jobId), signal);
  }
}

/** Several outputs of one format get distinct store names. */
function withDistinctName(save: SaveRequest, i: number): SaveRequest {
  if (i === 0 || save.options.name !== undefined || save.format !== 'ZARR') return save;
  return { ...save, options: { ...save.options, name: `result_${i + 1}` } };
}
