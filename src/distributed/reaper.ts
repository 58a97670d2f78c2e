/**
 * No distributed job stays `running` or `queued` forever: every such job has a task on the queue (waiting, active
 * or due for a retry) until it ends. A job seen without one on two passes in a row (a task removed by hand, a queue
 * schema reset, a bug) is repaired: a queued job gets a new plan task, a running one ends in `error`.
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import type { JobRow } from '../db/schema.ts';
import { QUEUES, taskId } from './queue.ts';
import { failRun } from './run-state.ts';
import type { TaskQueue } from './task-queue.ts';

export interface ReaperOptions {
  intervalMs: number;
  /** The queue's schema (pg-boss). */
  schema?: string;
}

/** One pass; `suspects` carries the jobs seen without a task on the previous pass (`id/run`). */
export async function reapLostJobs(db: Db, queue: TaskQueue, logger: Logger, suspects: Set<string>, schema = 'pgboss'): Promise<Set<string>> {
  const orphans = await sql<Pick<JobRow, 'id' | 'run' | 'status'>>`
    select j.id, j.run, j.status from jobs j
    where j.status in ('queued', 'running')
      and not exists (
        select 1 from ${sql.table(`${schema}.job`)} t
        where t.data->>'jobId' = j.id and (t.data->>'run')::int = j.run
          and t.state in ('created', 'retry', 'active')
      )`.execute(db);
  const now = new Set<string>();
  for (const j of orphans.rows) {
    const key = `${j.id}/${j.run}`;
    if (!suspects.has(key)) {
      now.add(key);
      continue;
    }
    if (j.status === 'queued') {
      await queue.send(QUEUES.plan, [{ id: taskId('plan', j.id, j.run, 'reaper', Date.now()), data: { jobId: j.id, run: j.run } }]);
      logger.warn({ job: j.id, run: j.run }, 'queued job without a plan task: sent a new one');
    } else if (await failRun(db, j.id, j.run, 'The job was lost: no worker task was left for it on the queue.', 'Internal')) {
      logger.error({ job: j.id, run: j.run }, 'running job without a queue task: ended in error');
    }
  }
  return now;
}

export function startLostJobReaper(db: Db, queue: TaskQueue, logger: Logger, o: ReaperOptions): { stop(): void } {
  let suspects = new Set<string>();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    reapLostJobs(db, queue, logger, suspects, o.schema)
      .then((next) => (suspects = next))
      // the database may be restarting; the next pass decides
      .catch((err) => logger.warn({ err }, 'lost-job reaper pass failed'))
      .finally(() => (busy = false));
  }, o.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
