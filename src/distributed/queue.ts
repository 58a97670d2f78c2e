/**
 * The task queue of distributed runs: pg-boss in its own schema of the jobs database. Tasks carry only ids; a
 * task's lease is pg-boss's heartbeat (a worker that stops beating, e.g. SIGKILLed, loses its task to another
 * worker after `leaseSeconds`); retries back off exponentially.
 */
import { createHash } from 'node:crypto';
import { PgBoss } from 'pg-boss';

export const QUEUES = { plan: 'openeo_plan_job', chunks: 'openeo_run_chunks', finalize: 'openeo_finalize_job' } as const;
/** Where pg-boss moves a task whose attempts are used up (including ones lost with their worker). */
export const DEAD_QUEUE = 'openeo_dead_task';

export interface PlanJobData {
  jobId: string;
  run: number;
}
export interface RunChunksData extends PlanJobData {
  output: number;
  chunkIds: number[];
}
export type FinalizeJobData = PlanJobData;

export interface QueueSettings {
  databaseUrl: string;
  /** Without a heartbeat for this long a task goes back to the queue (pg-boss requires >= 10). */
  leaseSeconds?: number;
  /** Attempts after the first for transient failures (and lost leases). */
  retryLimit?: number;
  /** How often this instance looks for lost tasks; it bounds the recovery time beyond the lease. */
  superviseSeconds?: number;
  /** Run the supervisor and own the queue settings (workers do; an API that only enqueues does not). */
  supervise?: boolean;
  schema?: string;
}

export const DEFAULT_LEASE_SECONDS = 30;
/**
 * Work option: with more ready tasks than this, a worker fetches the next task as soon as one ends rather than after
 * its polling interval (which would add up to an interval per task).
 */
export const BURST_WHEN_READY = 1;
export const DEFAULT_RETRY_LIMIT = 4;

export async function openQueue(s: QueueSettings): Promise<PgBoss> {
  const supervise = s.supervise ?? true;
  const boss = new PgBoss({
    connectionString: s.databaseUrl,
    schema: s.schema ?? 'pgboss',
    max: 4,
    supervise,
    ...(supervise ? { superviseIntervalSeconds: s.superviseSeconds ?? 5, monitorIntervalSeconds: s.superviseSeconds ?? 5 } : {}),
    // the backlog figure that lets a worker fetch chunk tasks back to back (see BURST_WHEN_READY) stays fresh
    queueCacheIntervalSeconds: 2,
    schedule: false,
  });
  await boss.start();
  const lease = Math.max(10, s.leaseSeconds ?? DEFAULT_LEASE_SECONDS);
  if (!(await boss.getQueue(DEAD_QUEUE))) await boss.createQueue(DEAD_QUEUE, { retryLimit: 5, retryDelay: 1, retryBackoff: true }).catch(async (e) => {
    if (!(await boss.getQueue(DEAD_QUEUE))) throw e;
  });
  const common = { deadLetter: DEAD_QUEUE, heartbeatSeconds: lease, retryLimit: s.retryLimit ?? DEFAULT_RETRY_LIMIT, retryDelay: 1, retryBackoff: true, retryDelayMax: 60 };
  for (const name of Object.values(QUEUES)) {
    if (await boss.getQueue(name)) {
      // the workers' settings are the deployment's; an instance that only enqueues leaves them alone
      if (supervise) await boss.updateQueue(name, common);
      continue;
    }
    await boss.createQueue(name, common).catch(async (e) => {
      // another process created it at the same moment
      if (!(await boss.getQueue(name))) throw e;
    });
  }
  return boss;
}

/**
 * A stable task id: sending the same task twice (a retried planner or finisher) inserts it once, because pg-boss
 * ignores a job whose id exists.
 */
export function taskId(...parts: (string | number)[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** API side: a job row was queued (status `queued`, run `run`); a worker plans it. */
export async function enqueueJob(boss: PgBoss, jobId: string, run: number): Promise<void> {
  await boss.send(QUEUES.plan, { jobId, run } satisfies PlanJobData, { id: taskId('plan', jobId, run) });
}
