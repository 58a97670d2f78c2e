import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './database.ts';
import type { JobRow, JobStatus, LogLevel } from './schema.ts';

export interface NewJob {
  userId: string;
  title?: string | null;
  description?: string | null;
  process: Record<string, unknown>;
  plan?: string | null;
  budget?: number | null;
  logLevel: LogLevel;
}

export interface JobPatch {
  title?: string | null;
  description?: string | null;
  process?: Record<string, unknown>;
  plan?: string | null;
  budget?: number | null;
  logLevel?: LogLevel;
}

export const ACTIVE_STATUSES: JobStatus[] = ['queued', 'running'];
const RESTARTABLE: JobStatus[] = ['created', 'finished', 'error', 'canceled'];

export async function insertJob(db: Db, job: NewJob): Promise<JobRow> {
  return db
    .insertInto('jobs')
    .values({
      id: randomUUID(),
      user_id: job.userId,
      title: job.title ?? null,
      description: job.description ?? null,
      process: JSON.stringify(job.process),
      plan: job.plan ?? null,
      budget: job.budget ?? null,
      log_level: job.logLevel,
      status: 'created',
      progress: null,
      queued: null,
      started: null,
      finished: null,
      usage: null,
      results: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findJob(db: Db, userId: string, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
}

export async function findJobById(db: Db, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Keyset page of a user's jobs, oldest first; `after` is the last (created, id) of the previous page. No limit: all. */
export async function listJobs(
  db: Db,
  userId: string,
  limit: number | undefined,
  after?: { created: string; id: string },
): Promise<JobRow[]> {
  let q = db.selectFrom('jobs').selectAll().where('user_id', '=', userId);
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb('created', '>', new Date(after.created)),
        eb.and([eb('created', '=', new Date(after.created)), eb('id', '>', after.id)]),
      ]),
    );
  }
  q = q.orderBy('created').orderBy('id');
  return (limit === undefined ? q : q.limit(limit)).execute();
}

/** Applies a patch unless the job is queued or running; returns the row, or why it was not updated. */
export async function patchJob(
  db: Db,
  userId: string,
  id: string,
  patch: JobPatch,
): Promise<{ row?: JobRow; reason?: 'missing' | 'locked' }> {
  const set: Record<string, unknown> = { updated: sql`now()` };
  if ('title' in patch) set.title = patch.title ?? null;
  if ('description' in patch) set.description = patch.description ?? null;
  if (patch.process !== undefined) set.process = JSON.stringify(patch.process);
  if ('plan' in patch) set.plan = patch.plan ?? null;
  if ('budget' in patch) set.budget = patch.budget ?? null;
  if (patch.logLevel !== undefined) set.log_level = patch.logLevel;
  const row = await db
    .updateTable('jobs')
    .set(set)
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('status', 'not in', ACTIVE_STATUSES)
    .returningAll()
    .executeTakeFirst();
  if (row) return { row };
  const exists = await findJob(db, userId, id);
  return { reason: exists ? 'locked' : 'missing' };
}

/**
 * created/finished/error/canceled → queued, starting a new run: old logs, results and usage are discarded in the
 * same transaction. Returns undefined when the job was not in a restartable state (already queued or running).
 */
export async function queueJob(db: Db, userId: string, id: string): Promise<JobRow | undefined> {
  return db.transaction().execute((tx) => startRun(tx, userId, id));
}

/**
 * queueJob within the user's limit of queued + running jobs. Starts of one user are serialized by an advisory lock
 * held until the commit: counting and queueing as two statements let parallel starts all pass the count (12 of 16
 * starts got through a limit of 10). Returns the queued row, or `active` (the user's count) when the limit refused the start; neither
 * when the job is not restartable (meanwhile queued by another start, or deleted).
 */
export async function queueJobWithinLimit(
  db: Db,
  userId: string,
  id: string,
  opts: { maxActive: number },
): Promise<{ row?: JobRow; active?: number }> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`openeo-job-starts:${userId}`}))`.execute(tx);
    const job = await tx.selectFrom('jobs').select('status').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (!job || !RESTARTABLE.includes(job.status)) return {};
    const { n } = await tx
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', userId)
      .where('status', 'in', ACTIVE_STATUSES)
      .executeTakeFirstOrThrow();
    const active = Number(n);
    if (active >= opts.maxActive) return { active };
    return { row: await startRun(tx, userId, id) };
  });
}

async function startRun(tx: Db, userId: string, id: string): Promise<JobRow | undefined> {
  const row = await tx
    .updateTable('jobs')
    .set({
      status: 'queued',
      run: sql`run + 1`,
      progress: 0,
      queued: sql`now()`,
      started: null,
      finished: null,
      usage: null,
      results: null,
      updated: sql`now()`,
    })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('status', 'in', RESTARTABLE)
    .returningAll()
    .executeTakeFirst();
  if (row) await tx.deleteFrom('job_logs').where('job_id', '=', id).where('run', '<', row.run).execute();
  return row;
}

/** Takes the oldest queued job for running; concurrent takers never get the same job. */
export async function claimQueuedJob(db: Db, onlyId?: string): Promise<JobRow | undefined> {
  return db.transaction().execute(async (tx) => {
    let pick = tx.selectFrom('jobs').select('id').where('status', '=', 'queued');
    if (onlyId) pick = pick.where('id', '=', onlyId);
    const next = await pick.orderBy('queued').limit(1).forUpdate().skipLocked().executeTakeFirst();
    if (!next) return undefined;
    return tx
      .updateTable('jobs')
      .set({ status: 'running', started: sql`now()`, updated: sql`now()` })
      .where('id', '=', next.id)
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
  });
}

export async function setJobProgress(db: Db, id: string, run: number, progress: number): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ progress, updated: sql`now()` })
    .where('id', '=', id)
    .where('run', '=', run)
    .where('status', '=', 'running')
    .execute();
}

/** Ends a run; a no-op (returns false) when the run was canceled or superseded meanwhile. */
export async function completeJob(
  db: Db,
  id: string,
  run: number,
  outcome: { status: 'finished' | 'error'; results?: Record<string, unknown>; usage?: Record<string, unknown> },
): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({
      status: outcome.status,
      progress: outcome.status === 'finished' ? 100 : sql`progress`,
      finished: sql`now()`,
      updated: sql`now()`,
      results: outcome.results ? JSON.stringify(outcome.results) : null,
      usage: outcome.usage ? JSON.stringify(outcome.usage) : null,
    })
    .where('id', '=', id)
    .where('run', '=', run)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

/** queued/running → canceled. Returns the updated row, or undefined when there was nothing to cancel. */
export async function cancelJob(db: Db, userId: string, id: string): Promise<JobRow | undefined> {
  return db
    .updateTable('jobs')
    .set({ status: 'canceled', finished: sql`now()`, updated: sql`now()` })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('status', 'in', ACTIVE_STATUSES)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteJob(db: Db, userId: string, id: string): Promise<boolean> {
  const res = await db.deleteFrom('jobs').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return res.numDeletedRows > 0n;
}

/**
 * running → queued for the same run (it goes on from its last written chunk), when a worker shuts down before
 * finishing it or its process stopped. With `staleBefore`, only while its heartbeat is still that old (a live
 * runner's heartbeat wins). True when the job was requeued.
 */
export async function requeueJob(db: Db, id: string, run: number, staleBefore?: Date): Promise<boolean> {
  let q = db
    .updateTable('jobs')
    .set({ status: 'queued', started: null, updated: sql`now()` })
    .where('id', '=', id)
    .where('run', '=', run)
    .where('status', '=', 'running');
  if (staleBefore) q = q.where('updated', '<', staleBefore);
  const res = await q.executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

/** Jobs left `running` by a process that died: their `updated` heartbeat is older than the cutoff. */
export async function staleJobs(db: Db, olderThan: Date): Promise<JobRow[]> {
  return db.selectFrom('jobs').selectAll().where('status', '=', 'running').where('updated', '<', olderThan).execute();
}

/** Stale running jobs → error (all of them, or the one given). */
export async function failStaleJobs(db: Db, olderThan: Date, onlyId?: string): Promise<JobRow[]> {
  let q = db
    .updateTable('jobs')
    .set({ status: 'error', finished: sql`now()`, updated: sql`now()` })
    .where('status', '=', 'running')
    .where('updated', '<', olderThan);
  if (onlyId) q = q.where('id', '=', onlyId);
  return q.returningAll().execute();
}

export async function touchJob(db: Db, id: string, run: number): Promise<JobStatus | undefined> {
  const row = await db
    .updateTable('jobs')
    .set({ updated: sql`now()` })
    .where('id', '=', id)
    .where('run', '=', run)
    .where('status', '=', 'running')
    .returning('status')
    .executeTakeFirst();
  return row?.status;
}
