/**
 * A worker process of distributed runs (`openeo-backend worker`): takes plan, chunk and finalize tasks from the
 * queue shared by every worker on every machine with the same DATABASE_URL and object store.
 */
import type { Logger } from 'pino';
import type { PgBoss } from 'pg-boss';
import type { Config } from '../config.ts';
import { migrateToLatest, openDatabase } from '../db/database.ts';
import { OpenEOError } from '../errors.ts';
import type { ChunkStats } from '../executor/chunk-stats.ts';
import { createDistributedDeps } from './deps.ts';
import { pgBossTaskQueue } from './task-queue.ts';
import { BURST_WHEN_READY, DEAD_QUEUE, DEFAULT_RETRY_LIMIT, openQueue, QUEUES, type QueueSettings } from './queue.ts';
import { deadTask, finalizeJob, planJob, runChunks, type Attempt, type TaskContext } from './tasks.ts';

export interface DistributedWorkerOptions {
  config: Config;
  logger: Logger;
  /** Chunk tasks run at the same time in this process (at least one per chunk thread). */
  concurrency: number;
  /** Worker threads computing chunks; default the config's CHUNK_THREADS. */
  threads?: number;
  chunksPerTask?: number;
  statusPollMs?: number;
  /** Queue polling interval (seconds, >= 0.5). */
  pollSeconds?: number;
  queue?: Omit<QueueSettings, 'databaseUrl'>;
  /** Called as a task starts here (metrics, tests). */
  onTaskStart?(queue: string, data: unknown): void;
  /** Called for every chunk written here (metrics). */
  onChunk?(stats: ChunkStats): void;
}

export interface DistributedWorker {
  boss: PgBoss;
  /** Graceful: stops taking tasks, waits for the running ones (up to `timeoutMs`), then releases everything. */
  stop(timeoutMs?: number): Promise<void>;
}

export async function startDistributedWorker(o: DistributedWorkerOptions): Promise<DistributedWorker> {
  const { config, logger } = o;
  if (!config.databaseUrl) throw new OpenEOError('Internal', 'Distributed workers need DATABASE_URL (a shared Postgres).');
  const handle = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(handle.db);
  const deps = await createDistributedDeps(config, handle.db, logger, { chunksPerTask: o.chunksPerTask, statusPollMs: o.statusPollMs, threads: o.threads, onChunk: o.onChunk });
  const boss = await openQueue({ databaseUrl: config.databaseUrl, ...o.queue });
  boss.on('error', (err) => logger.error({ err }, 'queue error'));
  const ctx: TaskContext = { deps, queue: pgBossTaskQueue(boss), retryLimit: o.queue?.retryLimit ?? DEFAULT_RETRY_LIMIT };
  const pollingIntervalSeconds = o.pollSeconds ?? 1;
  const handler =
    <T>(name: string, fn: (ctx: TaskContext, data: T, a: Attempt) => Promise<void>) =>
    async (jobs: { id: string; data: T; signal: AbortSignal; retryCount: number }[]) => {
      for (const job of jobs) {
        const started = Date.now();
        o.onTaskStart?.(name, job.data);
        await fn(ctx, job.data, { signal: job.signal, retryCount: job.retryCount });
        logger.debug({ task: name, id: job.id, ms: Date.now() - started, data: job.data }, 'task done');
      }
    };
  await boss.work(QUEUES.plan, { pollingIntervalSeconds, localConcurrency: 1 }, handler(QUEUES.plan, planJob));
  const chunkTasks = Math.max(1, o.concurrency, deps.pool.size);
  const perUser = config.queue.userRunningTasks;
  await boss.work(QUEUES.chunks, { pollingIntervalSeconds, burstWhenReadyExceeds: BURST_WHEN_READY, localConcurrency: chunkTasks, ...(perUser > 0 ? { groupConcurrency: perUser } : {}) }, handler(QUEUES.chunks, runChunks));
  await boss.work(QUEUES.finalize, { pollingIntervalSeconds, localConcurrency: 1 }, handler(QUEUES.finalize, finalizeJob));
  await boss.work(DEAD_QUEUE, { pollingIntervalSeconds: Math.max(pollingIntervalSeconds, 2), localConcurrency: 1 }, handler(DEAD_QUEUE, deadTask));
  logger.info({ chunkTasks, threads: deps.pool.size }, 'distributed worker started');
  return {
    boss,
    async stop(timeoutMs = 30_000) {
      await boss.stop({ graceful: true, timeout: timeoutMs });
      await deps.close();
      await handle.close();
    },
  };
}
