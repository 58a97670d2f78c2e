import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { OidcVerifier } from './auth/oidc.ts';
import { AuthService } from './auth/service.ts';
import type { Config } from './config.ts';
import { migrateToLatest, openDatabase, type Db } from './db/database.ts';
import type { JobRow } from './db/schema.ts';
import type { OpenEOError } from './errors.ts';
import type { JobExecutor } from './jobs/executor.ts';
import { JobRunner } from './jobs/runner.ts';
import { openQueue } from './distributed/queue.ts';
import { startLostJobReaper } from './distributed/reaper.ts';
import { pgBossTaskQueue } from './distributed/task-queue.ts';
import type { PgBoss } from 'pg-boss';
import { Registry } from 'prom-client';
import type { SyncRunner } from './executor/sync-runner.ts';
import type { ResultSigner } from './results/signing.ts';
import type { ObjectStore } from './storage/index.ts';

export interface ProcessCatalog {
  has(id: string): boolean;
  list(): Record<string, unknown>[];
}

export interface CollectionCatalog {
  list(): Promise<Record<string, unknown>[]>;
  get(id: string): Promise<Record<string, unknown> | undefined>;
  queryables(id: string): Promise<Record<string, unknown> | undefined>;
}

export interface FormatCatalog {
  fileFormats(): { input: Record<string, unknown>; output: Record<string, unknown> };
}

/** The parts that processing modules provide; tests may replace any of them. */
export interface ContextParts {
  processes: ProcessCatalog;
  collections: CollectionCatalog;
  formats: FormatCatalog;
  store: ObjectStore;
  signer: ResultSigner;
  executor: JobExecutor;
  sync: SyncRunner;
  /**
   * Validates a process (with `process_graph`) for a user: its structure and arguments and, when those are valid,
   * a dry run against the catalog and the formats (see dry-run-check.ts). With `requireValid` the first error is
   * thrown as an OpenEOError; otherwise all errors found are returned.
   */
  validateProcess(process: unknown, userId: string | undefined, opts: { requireValid: boolean }): Promise<OpenEOError[]>;
  estimate(job: JobRow): Promise<Record<string, unknown>>;
  resultsDocument(job: JobRow, opts: { partial: boolean }): Promise<Record<string, unknown>>;
  /** Releases worker threads, sockets and handles. */
  close(): Promise<void>;
}

/** Everything a request handler or job can reach: the processing parts plus database, auth and job running. */
export interface AppContext extends ContextParts {
  config: Config;
  db: Db;
  dbKind: 'pg' | 'pglite';
  logger: Logger;
  auth: AuthService;
  /** Present when this process runs jobs (serve with in-process jobs, or worker). */
  runner?: JobRunner;
  /** Present in distributed execution: started jobs are sent to this queue. */
  queue?: PgBoss;
  /** Metrics recorded by this process's parts (chunks computed here); /metrics adds the database's figures. */
  metrics: Registry;
}

export interface ContextOptions {
  /** Start an in-process job runner (serve on the embedded default, worker). */
  runJobs?: boolean;
  logger?: Logger;
  parts?: Partial<ContextParts>;
}

/** The secret that signs result links: from config, or generated once and kept in the data folder. */
async function signingSecret(config: Config): Promise<string> {
  if (config.signingSecret) return config.signingSecret;
  const file = path.join(config.dataDir, 'signing-secret');
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    await fs.mkdir(config.dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    await fs.writeFile(file, secret, { mode: 0o600, flag: 'wx' }).catch(() => {});
    return (await fs.readFile(file, 'utf8')).trim();
  }
}

/** The one place where the database, auth, processing parts and the job runner are wired together. */
export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const handle = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(handle.db);
  const secret = await signingSecret(config);
  const { defaultParts } = await import('./parts.ts');
  const metrics = new Registry();
  const parts: ContextParts = { ...(await defaultParts(config, handle.db, secret, logger, metrics)), ...options.parts };
  const auth = new AuthService(handle.db, config.limits, new OidcVerifier(config.oidcProviders));
  const distributed = config.execution === 'distributed';
  const runner =
    options.runJobs && !distributed ? new JobRunner(handle.db, parts.executor, logger, {
          concurrency: config.limits.jobConcurrency,
          staleMs: config.limits.jobStaleSeconds * 1000,
          // a heartbeat well inside the stale time, so that a slow database never makes a live job look stale
          heartbeatMs: Math.min(5000, (config.limits.jobStaleSeconds * 1000) / 4),
        }) : undefined;
  runner?.start();
  const queue = distributed ? await openQueue({ databaseUrl: config.databaseUrl!, supervise: false }) : undefined;
  // without a listener, a lost connection (database restart) would be an uncaught error that ends the process
  queue?.on('error', (err) => logger.warn({ err }, 'queue connection error'));
  const reaper = queue ? startLostJobReaper(handle.db, pgBossTaskQueue(queue), logger, { intervalMs: 60_000 }) : undefined;
  return {
    config,
    db: handle.db,
    dbKind: handle.kind,
    logger,
    auth,
    ...parts,
    runner,
    queue,
    metrics,
    async close() {
      await runner?.stop();
      reaper?.stop();
      await queue?.stop({ graceful: false });
      await parts.close();
      await handle.close();
    },
  };
}
