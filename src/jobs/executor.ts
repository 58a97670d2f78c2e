import type { JobRow, LogLevel } from '../db/schema.ts';

export interface JobLog {
  (level: LogLevel, message: string, extra?: { code?: string; data?: unknown; path?: unknown[] }): Promise<void>;
}

export interface JobExecution {
  job: JobRow;
  signal: AbortSignal;
  log: JobLog;
  /** 0–100; throttled by the caller. */
  progress(percent: number): Promise<void>;
}

export interface JobOutcome {
  /** What GET /jobs/{id}/results shows: STAC fields (assets, geometry, bbox, properties, links). */
  results: Record<string, unknown>;
  usage?: Record<string, unknown>;
}

/** The seam between the job state machine and processing: the executor issue plugs its chunked executor in here. */
export interface JobExecutor {
  /** The outcome to store, or undefined when the executor has settled the job (finished or error) itself. */
  execute(execution: JobExecution): Promise<JobOutcome | undefined>;
  /** Removes whatever a previous run of the job stored (called before a restart runs and when a job is deleted). */
  discardResults(jobId: string, signal?: AbortSignal): Promise<void>;
}
