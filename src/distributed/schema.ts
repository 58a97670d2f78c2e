/** Kysely types of the tables of distributed runs (migration 20261125_0002_distributed). */
import type { ColumnType, Kysely, Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

type Json<T> = ColumnType<T, string, string>;

export interface JobRunsTable {
  job_id: string;
  run: number;
  chunks_total: number;
  finalize_queued: ColumnType<boolean, boolean | undefined, boolean>;
  started: ColumnType<Date, Date | string | undefined, Date | string>;
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
  done_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
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
