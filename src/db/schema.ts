import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb columns are written as JSON text and read back parsed. */
type Json<T> = ColumnType<T, string, string>;

export type JobStatus = 'created' | 'queued' | 'running' | 'canceled' | 'finished' | 'error';
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export interface UsersTable {
  id: string;
  name: string;
  password_hash: string | null;
  oidc_provider: string | null;
  oidc_subject: string | null;
  email: string | null;
  created: DefaultTimestamp;
}

export interface TokensTable {
  token_hash: string;
  user_id: string;
  created: DefaultTimestamp;
  expires: Timestamp;
}

export interface JobsTable {
  id: string;
  user_id: string;
  title: string | null;
  description: string | null;
  process: Json<Record<string, unknown>>;
  plan: string | null;
  budget: number | null;
  log_level: LogLevel;
  status: JobStatus;
  progress: number | null;
  /** Incremented on every start so that a restarted run's logs and results never mix with an old one's. */
  run: Generated<number>;
  created: DefaultTimestamp;
  updated: DefaultTimestamp;
  queued: Timestamp | null;
  started: Timestamp | null;
  finished: Timestamp | null;
  usage: Json<Record<string, unknown>> | null;
  /** The result metadata the executor hands back (assets, extents), shown by GET /jobs/{id}/results. */
  results: Json<Record<string, unknown>> | null;
}

export interface JobLogsTable {
  seq: Generated<string>;
  job_id: string;
  run: number;
  level: LogLevel;
  code: string | null;
  message: string;
  data: Json<unknown> | null;
  path: Json<unknown[]> | null;
  time: DefaultTimestamp;
}

export interface ProcessGraphsTable {
  user_id: string;
  id: string;
  process: Json<Record<string, unknown>>;
  created: DefaultTimestamp;
  updated: DefaultTimestamp;
}

export interface Database {
  users: UsersTable;
  tokens: TokensTable;
  jobs: JobsTable;
  job_logs: JobLogsTable;
  process_graphs: ProcessGraphsTable;
}

export type UserRow = Selectable<UsersTable>;
export type JobRow = Selectable<JobsTable>;
export type JobLogRow = Selectable<JobLogsTable>;
