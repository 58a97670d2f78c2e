import type { Db } from '../db/database.ts';
import { insertLog, levelRank } from '../db/job-logs.ts';
import type { JobRow } from '../db/schema.ts';
import type { JobLog } from './executor.ts';

/** A logger for one run of a job that stores entries at or above the job's `log_level`. */
export function jobLogger(db: Db, job: Pick<JobRow, 'id' | 'run' | 'log_level'>): JobLog {
  const min = levelRank(job.log_level);
  return async (level, message, extra = {}) => {
    if (levelRank(level) < min) return;
    await insertLog(db, job.id, job.run, { level, message, ...extra });
  };
}
