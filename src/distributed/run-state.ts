/** Repository functions of distributed runs: job_runs, job_outputs, job_chunks. */
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { insertLog } from '../db/job-logs.ts';
import type { JobRow } from '../db/schema.ts';
import type { ChunkWindow } from '../formats/raster-writer.ts';
import type { ChunkStats } from '../executor/chunk-stats.ts';
import type { OutputPlan } from '../executor/output-plan.ts';
import { distDb, type JobChunkRow } from './schema.ts';

export interface PlannedOutput {
  prefix: string;
  plan: OutputPlan;
  windows: ChunkWindow[];
}

/** Replaces whatever an earlier (interrupted) planning of the run stored; chunk marks start over. */
export async function storeRunPlan(db: Db, jobId: string, run: number, outputs: PlannedOutput[]): Promise<void> {
  await distDb(db).transaction().execute(async (tx) => {
    await tx.deleteFrom('job_runs').where('job_id', '=', jobId).where('run', '=', run).execute();
    const total = outputs.reduce((n, o) => n + o.windows.length, 0);
    await tx.insertInto('job_runs').values({ job_id: jobId, run, chunks_total: total }).execute();
    for (const [idx, o] of outputs.entries()) {
      await tx.insertInto('job_outputs').values({ job_id: jobId, run, idx, prefix: o.prefix, plan: JSON.stringify(o.plan) }).execute();
      // in slices, to stay below the bind-parameter limit on huge jobs
      for (let i = 0; i < o.windows.length; i += 2000) {
        const rows = o.windows.slice(i, i + 2000).map((w, k) => ({ job_id: jobId, run, output: idx, idx: i + k, x0: w.x0, y0: w.y0, w: w.width, h: w.height }));
        await tx.insertInto('job_chunks').values(rows).execute();
      }
    }
  });
}

export async function loadOutputs(db: Db, jobId: string, run: number): Promise<{ idx: number; prefix: string; plan: OutputPlan }[]> {
  const rows = await distDb(db).selectFrom('job_outputs').selectAll().where('job_id', '=', jobId).where('run', '=', run).orderBy('idx').execute();
  return rows.map((r) => ({ idx: r.idx, prefix: r.prefix, plan: r.plan as OutputPlan }));
}

export async function pendingChunks(db: Db, jobId: string, run: number, output: number, ids: number[]): Promise<JobChunkRow[]> {
  if (ids.length === 0) return [];
  return distDb(db)
    .selectFrom('job_chunks')
    .selectAll()
    .where('job_id', '=', jobId)
    .where('run', '=', run)
    .where('output', '=', output)
    .where('idx', 'in', ids)
    .where('done_at', 'is', null)
    .orderBy('idx')
    .execute();
}

/** Every chunk of the run, in order (output, index), with whether it is written. */
export async function chunkMarks(db: Db, jobId: string, run: number): Promise<{ output: number; idx: number; done: boolean }[]> {
  const rows = await distDb(db)
    .selectFrom('job_chunks')
    .select(['output', 'idx', 'done_at'])
    .where('job_id', '=', jobId)
    .where('run', '=', run)
    .orderBy('output')
    .orderBy('idx')
    .execute();
  return rows.map((r) => ({ output: r.output, idx: r.idx, done: r.done_at !== null }));
}

/**
 * Marks a chunk written, adds what it cost to the run, and sets the job's progress (never lower than it was: tasks
 * finishing side by side may commit out of order); returns the run's progress (done, total). One statement, so one
 * round trip per chunk: with the embedded database each statement cost the server's thread ~0.5 ms, and the five
 * this took before were ~5% of the CPU of the flood bench job.
 */
export async function markChunkDone(db: Db, jobId: string, run: number, output: number, idx: number, stats: ChunkStats): Promise<{ done: number; total: number }> {
  const cpuMs = Math.round(stats.cpuMs);
  const { bytesRead, bytesWritten } = stats;
  // the count of written chunks sees the table as it was before this statement: the chunk marked here is added
  const { rows } = await sql<{ done: string; total: number | null }>`
    with marked as (
      update job_chunks set done_at = now(), ms = ${Math.round(stats.ms)}, cpu_ms = ${cpuMs}, bytes_read = ${bytesRead}, bytes_written = ${bytesWritten}
      where job_id = ${jobId} and run = ${run} and output = ${output} and idx = ${idx} and done_at is null
      returning idx
    ), costs as (
      update job_runs set cpu_ms = cpu_ms + ${cpuMs}, bytes_read = bytes_read + ${bytesRead}, bytes_written = bytes_written + ${bytesWritten}
      where job_id = ${jobId} and run = ${run}
      returning chunks_total
    ), progress as (
      select (select count(*) from job_chunks where job_id = ${jobId} and run = ${run} and done_at is not null)
          + (select count(*) from marked) as done,
        (select chunks_total from costs) as total
    ), shown as (
      update jobs set progress = greatest(coalesce(jobs.progress, 0), floor(progress.done * 99.0 / progress.total)), updated = now()
      from progress
      where jobs.id = ${jobId} and jobs.run = ${run} and jobs.status = 'running' and progress.total > 0
    )
    select done, total from progress`.execute(db);
  return { done: Number(rows[0]?.done ?? 0), total: rows[0]?.total ?? 0 };
}

/**
 * Whether every chunk of the run is written. Each chunk's mark is committed before this runs, so of two tasks
 * finishing the last chunks at the same moment, at least the later one sees all marks.
 */
export async function allChunksDone(db: Db, jobId: string, run: number): Promise<boolean> {
  const row = await distDb(db)
    .selectFrom('job_chunks')
    .select('idx')
    .where('job_id', '=', jobId)
    .where('run', '=', run)
    .where('done_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row === undefined;
}

/** Records that finalize was sent; true only for the first caller (a conditional update, race-free). */
export async function claimFinalize(db: Db, jobId: string, run: number): Promise<boolean> {
  const res = await distDb(db)
    .updateTable('job_runs')
    .set({ finalize_queued: true })
    .where('job_id', '=', jobId)
    .where('run', '=', run)
    .where('finalize_queued', '=', false)
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

export async function jobState(db: Db, jobId: string): Promise<Pick<JobRow, 'status' | 'run'> | undefined> {
  return db.selectFrom('jobs').select(['status', 'run']).where('id', '=', jobId).executeTakeFirst();
}

/** running → error for this run, with the cause in the job log; a no-op when the run is over already. */
export async function failRun(db: Db, jobId: string, run: number, message: string, code: string, data?: unknown): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ status: 'error', finished: sql`now()`, updated: sql`now()` })
    .where('id', '=', jobId)
    .where('run', '=', run)
    .where('status', '=', 'running')
    .executeTakeFirst();
  if (res.numUpdatedRows === 0n) return false;
  await insertLog(db, jobId, run, { level: 'error', message, code, data });
  return true;
}

/** What the run's chunks cost so far. */
export async function runUsage(db: Db, jobId: string, run: number): Promise<{ cpuMs: number; bytesRead: number; bytesWritten: number }> {
  const row = await distDb(db)
    .selectFrom('job_runs')
    .select(['cpu_ms', 'bytes_read', 'bytes_written'])
    .where('job_id', '=', jobId)
    .where('run', '=', run)
    .executeTakeFirst();
  return { cpuMs: Number(row?.cpu_ms ?? 0), bytesRead: Number(row?.bytes_read ?? 0), bytesWritten: Number(row?.bytes_written ?? 0) };
}

export async function runningJobsOfUser(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Chunks not yet written of running jobs (their current runs), of one user or of all: the chunk backlog. */
export async function chunkBacklog(db: Db, userId?: string): Promise<number> {
  let q = distDb(db)
    .selectFrom('job_chunks')
    .innerJoin('jobs', (j) => j.onRef('jobs.id', '=', 'job_chunks.job_id').onRef('jobs.run', '=', 'job_chunks.run'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('jobs.status', '=', 'running')
    .where('job_chunks.done_at', 'is', null);
  if (userId !== undefined) q = q.where('jobs.user_id', '=', userId);
  const row = await q.executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * queued → running for the job unless its user is at a limit (0: none). Claims of one user are serialized by an
 * advisory lock, so two planners taking two jobs of the user at the same moment cannot both pass the check.
 */
export async function claimWithinUserLimits(
  db: Db,
  jobId: string,
  userId: string,
  limits: { runningJobs: number; queuedChunks: number },
): Promise<{ job?: JobRow; deferred: boolean; running: number; pending: number }> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`openeo-user:${userId}`}))`.execute(tx);
    const running = limits.runningJobs ? await runningJobsOfUser(tx, userId) : 0;
    const pending = limits.queuedChunks ? await chunkBacklog(tx, userId) : 0;
    // a job alone larger than the chunk limit still runs once the user has nothing else pending
    const over = (limits.runningJobs > 0 && running >= limits.runningJobs) || (limits.queuedChunks > 0 && pending > 0 && pending >= limits.queuedChunks);
    if (over) return { deferred: true, running, pending };
    const job = await tx
      .updateTable('jobs')
      .set({ status: 'running', started: sql`now()`, updated: sql`now()` })
      .where('id', '=', jobId)
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
    return { job, deferred: false, running, pending };
  });
}
