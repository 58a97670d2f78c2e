/** Kysely types of the tables of distributed runs (migration 20261125_0002_distributed). */
import type { ColumnType, Kysely, RawBuilder, Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

type Json<T> = ColumnType<T, string, string>;

export interface JobRunsTable {
  job_id: string;
  run: number;
  chunks_total: number;
  finalize_queued: ColumnType<boolean, boolean | undefined, boolean>;
  started: ColumnType<Date, Date | string | undefined, Date | string>;
  cpu_ms: ColumnType<string, number | undefined, number | RawBuilder<unknown>>;
  bytes_read: ColumnType<string, number | undefined, number | RawBuilder<unknown>>;
  bytes_written: ColumnType<string, number | undefined, number | RawBuilder<unknown>>;
}

export interface JobOutputsTable {
  job_id: string;
  run: number;
  idx: number;
  /** Store prefix of the output (no trailing slash), as the writers take it. */
  prefix: string;
  /** The OutputPlan with the options the format writer takes. */
  plan: Json<unknown>;
}

export interface JobChunksTable {
  job_id: string;
  run: number;
  output: number;
  idx: number;
  x0: number;
  y0: number;
  w: number;
  h: number;
  done_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null | RawBuilder<unknown>>;
  ms: ColumnType<number | null, number | null | undefined, number | null>;
  cpu_ms: ColumnType<number | null, number | null | undefined, number | null>;
  bytes_read: ColumnType<string | null, number | null | undefined, number | null>;
  bytes_written: ColumnType<string | null, number | null | undefined, number | null>;
}

export interface DistDatabase extends Database {
  job_runs: JobRunsTable;
  job_outputs: JobOutputsTable;
  job_chunks: JobChunksTable;
}

export type DistDb = Kysely<DistDatabase>;
export type JobChunkRow = Selectable<JobChunksTable>;

/** The same connection, typed with the tables of this module as well. */
export const distDb = (db: Db): DistDb => db as unknown as DistDb;
