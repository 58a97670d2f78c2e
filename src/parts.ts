import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { chunkMetrics } from './jobs/chunk-metrics.ts';
import type { Config } from './config.ts';
import type { ContextParts } from './context.ts';
import type { Db } from './db/database.ts';
import { createChunkPool } from './executor/pool.ts';
import { threadBoot } from './executor/thread-entry.ts';
import { s3Options } from './executor/worker-env.ts';
import { SyncRunner } from './executor/sync-runner.ts';
import type { DistributedDeps } from './distributed/deps.ts';
import { TaskJobExecutor } from './jobs/task-executor.ts';
import { dryRunErrors } from './executor/dry-run-check.ts';
import { estimateJob } from './executor/estimate.ts';
import { listProcessSpecs } from './processes/index.ts';
import { createProcessingCore } from './processing.ts';
import { resultsDocument } from './results/document.ts';
import { loadOutputs } from './distributed/run-state.ts';
import { resultMetadata } from './executor/result-metadata.ts';
import type { JobRow } from './db/schema.ts';
import { ResultSigner } from './results/signing.ts';
import { createObjectStore } from './storage/index.ts';

/** The processing side of the context: processes, collections, formats, storage and the job executor. */
export async function defaultParts(config: Config, db: Db, secret: string, logger: Logger, metrics: Registry): Promise<ContextParts> {
  const core = await createProcessingCore(config, db);
  const { registry, validator, formats, collections } = core;
  const specs = listProcessSpecs(registry) as unknown as Record<string, unknown>[];
  const store = createObjectStore(config.storageUrl, { s3: s3Options(config.s3) });
  const signer = new ResultSigner(secret);
  const settings = { storageUrl: config.storageUrl, s3: config.s3, outbound: core.outbound, processLimits: core.processLimits };
  const pool = createChunkPool(config.limits.chunkThreads, settings, threadBoot(config, logger));
  const executorDeps = { validator, store, pool, maxDepth: config.limits.graphDepth, processLimits: core.processLimits, cubeServices: core.cubeServices };
  // jobs run in this process through the task functions of distributed runs (the per-user limits are the API's here)
  const taskDeps: DistributedDeps = {
    ...executorDeps,
    db,
    logger,
    chunksPerTask: Math.min(config.queue.chunksPerTask, 4),
    statusPollMs: 1000,
    userRunningJobs: 0,
    userQueuedChunks: 0,
    deferSeconds: 5,
    onChunk: chunkMetrics(metrics),
    close: async () => {},
  };
  return {
    processes: { has: (id) => registry.get(id) !== undefined, list: () => specs },
    collections,
    formats,
    store,
    signer,
    executor: new TaskJobExecutor(taskDeps, { retryLimit: config.queue.retryLimit }),
    sync: new SyncRunner(executorDeps, config.limits.syncPixels),
    async close() {
      await pool.close();
      await store.close();
      await core.close();
    },
    async validateProcess(process, userId, { requireValid }) {
      // only POST /validation asks without requiring validity; there parameters defined nowhere are no error
      const { errors } = await validator.check(process, userId, undefined, { allowUnresolvedParameters: !requireValid });
      if (errors.length === 0) errors.push(...(await dryRunErrors(executorDeps, store, process, userId, { strictlyValid: requireValid })));
      if (requireValid && errors.length > 0) throw errors[0];
      return errors;
    },
    estimate: (job) => estimateJob(executorDeps, job, Math.max(1, config.limits.chunkThreads)),
    resultsDocument: async (job) => resultsDocument(config, signer, job, Date.now(), await plannedResults(db, job)),
  };
}

/** Partial results of a planned run: what its first output will describe (the finished run stores it). */
async function plannedResults(db: Db, job: JobRow) {
  if (job.results || job.status === 'created') return undefined;
  const [first] = await loadOutputs(db, job.id, job.run);
  return first ? resultMetadata(first.plan) : undefined;
}
