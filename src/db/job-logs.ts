import type { Db } from './database.ts';
import type { JobLogRow, LogLevel } from './schema.ts';

export const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warning', 'error'];
export const levelRank = (l: LogLevel): number => LOG_LEVELS.indexOf(l);

export interface NewLog {
  level: LogLevel;
  message: string;
  code?: string;
  data?: unknown;
  path?: unknown[];
}

export async function insertLog(db: Db, jobId: string, run: number, log: NewLog): Promise<void> {
  await db
    .insertInto('job_logs')
    .values({
      job_id: jobId,
      run,
      level: log.level,
      message: log.message,
      code: log.code ?? null,
      data: log.data === undefined ? null : JSON.stringify(log.data),
      path: log.path ? JSON.stringify(log.path) : null,
    })
    .execute();
}

/** Logs of one run at or above `minLevel`, after the sequence number `afterSeq`, oldest first; no limit: all. */
export async function listLogs(
  db: Db,
  jobId: string,
  run: number,
  opts: { afterSeq?: string; minLevel: LogLevel; limit?: number },
): Promise<JobLogRow[]> {
  let q = db
    .selectFrom('job_logs')
    .selectAll()
    .where('job_id', '=', jobId)
    .where('run', '=', run)
    .where('level', 'in', LOG_LEVELS.slice(levelRank(opts.minLevel)));
  if (opts.afterSeq !== undefined) q = q.where('seq', '>', opts.afterSeq);
  q = q.orderBy('seq');
  return (opts.limit === undefined ? q : q.limit(opts.limit)).execute();
}

export async function lastErrorLog(db: Db, jobId: string, run: number): Promise<JobLogRow | undefined> {
  return db
    .selectFrom('job_logs')
    .selectAll()
    .where('job_id', '=', jobId)
    .where('run', '=', run)
    .where('level', '=', 'error')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Log entries of a run with the given code. */
export async function countLogs(db: Db, jobId: string, run: number, code: string): Promise<number> {
  const row = await db
    .selectFrom('job_logs')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('job_id', '=', jobId)
    .where('run', '=', run)
    .where('code', '=', code)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
