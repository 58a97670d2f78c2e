import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kysely, Migrator, PostgresDialect, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { migrations } from '../../migrations/index.ts';
import { lockEmbeddedDatabase } from './embedded-lock.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: 'pg' | 'pglite';
  close(): Promise<void>;
}

// timestamptz and bigint come back as Date and string from both drivers; keep int8 as string (log sequence numbers).
// PGlite turns int8 into a JS number by default: log entry ids went out as JSON numbers where the spec wants strings.
const pgliteParsers = { 20: (value: string) => value };

export async function openDatabase(opts: { url?: string; dataDir: string; poolSize?: number }): Promise<DatabaseHandle> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle client losing its server (restart) must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    // The pool takes its listener off a client it hands out (e.g. held by a transaction between statements); a
    // connection dying then emits 'error' on the client, which unheard ends the process. The statement in flight (or
    // the next one) fails with the same error, so the listener has nothing else to do.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'pg', close: () => db.destroy() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = path.join(opts.dataDir, 'pglite');
  await fs.mkdir(dir, { recursive: true });
  const unlock = lockEmbeddedDatabase(dir);
  let lite;
  try {
    const startParams = pgliteStartParams(PGlite.defaultStartParams);
    await initEmbedded(dir, startParams);
    lite = await PGlite.create(dir, { startParams, parsers: pgliteParsers });
  } catch (e) {
    unlock();
    throw e;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(lite) });
  return { db, kind: 'pglite', close: () => db.destroy().finally(unlock) };
}

/**
 * A new embedded database is created in a child process. PGlite's initdb leaves ~450 MB of WebAssembly memory in
 * the process that ran it, until a garbage collection that may come only after the first job has started: the
 * bench's flood job then peaked at 1.03-1.09 GB instead of ~0.8 GB, in about 1 of 5 fresh processes.
 */
async function initEmbedded(dir: string, startParams: string[]): Promise<void> {
  if (existsSync(path.join(dir, 'PG_VERSION'))) return;
  const script = fileURLToPath(new URL('./pglite-init.mjs', import.meta.url));
  try {
    await promisify(execFile)(process.execPath, [script, dir, JSON.stringify(startParams)], { timeout: 120_000 });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`creating the embedded database in ${dir} failed: ${err.stderr?.trim() || err.message}`, { cause: e });
  }
}

/**
 * Postgres inside PGlite writes its whole shared buffer pool at start, so every megabyte of it is resident for the
 * life of the process: the default 128 MB was a fifth of an idle server's memory. Our tables (users, jobs, logs,
 * queue) are small and the embedded database is for a single machine; 16 MB keeps them cached.
 */
const PGLITE_SHARED_BUFFERS = '16MB';
const pgliteStartParams = (defaults: readonly string[]) => [...defaults, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];

/** In-memory embedded database, for tests of the database layer. */
export async function openMemoryDatabase(): Promise<DatabaseHandle> {
  const { PGlite } = await import('@electric-sql/pglite');
  const lite = await PGlite.create({ startParams: pgliteStartParams(PGlite.defaultStartParams), parsers: pgliteParsers });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(lite) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
