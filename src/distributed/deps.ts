/**
 * What a worker process needs to plan and run jobs, built from the config: the shared processing core (validator,
 * cube services) and, instead of a thread pool, its own WorkerEnv in which it runs its chunks.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { createWorkerEnv, type WorkerEnv } from '../executor/worker-env.ts';
import type { ProcessValidator } from '../executor/validate-process.ts';
import { createProcessingCore } from '../processing.ts';
import type { CubeServices } from '../processes/cube/index.ts';

export interface DistributedDeps {
  db: Db;
  logger: Logger;
  validator: ProcessValidator;
  cubeServices(): CubeServices;
  maxDepth: number;
  /** Results store, COG reader and kernels of this process; chunks run here. */
  env: WorkerEnv;
  /** Chunks per run_chunks task. */
  chunksPerTask: number;
  /** How often a running task looks at its job's status (cancel, restart). */
  statusPollMs: number;
  close(): Promise<void>;
}

export interface DepsOptions {
  chunksPerTask?: number;
  statusPollMs?: number;
}

export async function createDistributedDeps(config: Config, db: Db, logger: Logger, o: DepsOptions = {}): Promise<DistributedDeps> {
  const core = await createProcessingCore(config, db);
  const env = createWorkerEnv({ storageUrl: config.storageUrl, s3: config.s3, outbound: core.outbound });
  return {
    db,
    logger,
    validator: core.validator,
    maxDepth: config.limits.graphDepth,
    env,
    chunksPerTask: o.chunksPerTask ?? 8,
    statusPollMs: o.statusPollMs ?? 1000,
    cubeServices: core.cubeServices,
    async close() {
      await env.close();
      await core.close();
    },
  };
}
