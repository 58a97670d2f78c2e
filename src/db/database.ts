import fs from 'node:fs/promises';
import path from 'node:path';
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
    lite = await PGlite.create(dir, { startParams: pgliteStartParams(PGlite.defaultStartParams) });
  } catch (e) {
    unlock();
    throw e;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(lite) });
  return { db, kind: 'pglite', close: () => db.destroy().finally(unlock) };
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
  const lite = await PGlite.create({ startParams: pgliteStartParams(PGlite.defaultStartParams) });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(lite) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
