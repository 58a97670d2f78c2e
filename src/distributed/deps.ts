/**
 * What the task functions need to plan and run jobs: the shared processing core (validator, cube services), the
 * results store and a chunk pool. A worker process builds its own from the config; the embedded default hands over
 * the API process's pool and store.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { ChunkStats } from '../executor/chunk-stats.ts';
import { createChunkPool, type ChunkPool } from '../executor/pool.ts';
import { threadBoot } from '../executor/thread-entry.ts';
import type { ProcessValidator } from '../executor/validate-process.ts';
import type { ProcessLimits } from '../process-graph/types.ts';
import { s3Options } from '../executor/worker-env.ts';
import { createProcessingCore } from '../processing.ts';
import type { CubeServices } from '../processes/cube/index.ts';
import { createObjectStore, type ObjectStore } from '../storage/index.ts';

export interface DistributedDeps {
  db: Db;
  logger: Logger;
  validator: ProcessValidator;
  cubeServices(): CubeServices;
  maxDepth: number;
  /** What one process call may allocate (arrays); also bounds the values of a JSON result. */
  processLimits: ProcessLimits;
  store: ObjectStore;
  /** Where chunks are computed (worker threads of this process, or its main thread). */
  pool: ChunkPool;
  /** Chunks per run_chunks task. */
  chunksPerTask: number;
  /** How often a running task looks at its job's status (cancel, restart). */
  statusPollMs: number;
  /** Per-user limits checked before a queued job is planned (0: none), and how long a deferred job waits. */
  userRunningJobs: number;
  userQueuedChunks: number;
  deferSeconds: number;
  /** Called for every chunk written here (metrics). */
  onChunk?(stats: ChunkStats): void;
  close(): Promise<void>;
}

export interface DepsOptions {
  chunksPerTask?: number;
  statusPollMs?: number;
  /** Worker threads computing chunks; default the config's CHUNK_THREADS. */
  threads?: number;
  onChunk?(stats: ChunkStats): void;
}

export async function createDistributedDeps(config: Config, db: Db, logger: Logger, o: DepsOptions = {}): Promise<DistributedDeps> {
  const core = await createProcessingCore(config, db);
  const settings = { storageUrl: config.storageUrl, s3: config.s3, outbound: core.outbound, processLimits: core.processLimits };
  const pool = createChunkPool(o.threads ?? config.limits.chunkThreads, settings, threadBoot(config, logger));
  const store = createObjectStore(config.storageUrl, { s3: s3Options(config.s3) });
  return {
    db,
    logger,
    validator: core.validator,
    maxDepth: config.limits.graphDepth,
    processLimits: core.processLimits,
    store,
    pool,
    chunksPerTask: o.chunksPerTask ?? config.queue.chunksPerTask,
    statusPollMs: o.statusPollMs ?? 1000,
    userRunningJobs: config.queue.userRunningJobs,
    userQueuedChunks: config.queue.userQueuedChunks,
    deferSeconds: 5,
    cubeServices: core.cubeServices,
    ...(o.onChunk ? { onChunk: o.onChunk } : {}),
    async close() {
      await pool.close();
      await store.close();
      await core.close();
    },
  };
}
