/**
 * The task functions of a distributed job run. Every one is idempotent: a task that runs again (lost lease,
 * retry) redoes only what is not marked done, and writers give the same bytes for a rewritten chunk.
 *   plan_job → writer.begin per output, chunk list stored, run_chunks tasks sent
 *   run_chunks → chunks computed and written here, marked done; the last one sends finalize_job
 *   finalize_job → writer.finish per output, results stored, job finished
 */
import { withBandInfo } from '../executor/raster-output.ts';
import { claimQueuedJob, completeJob, findJobById } from '../db/jobs.ts';
import type { JobRow } from '../db/schema.ts';
import { toOpenEOError } from '../errors.ts';
import { chunkWindows, rasterMeta } from '../executor/chunk-compute.ts';
import { outputPlan, writerOptions, type OutputPlan } from '../executor/output-plan.ts';
import { resultMetadata } from '../executor/result-metadata.ts';
import { encodeJsonResult } from '../formats/json-result.ts';
import { checkFormatOptions, createRasterWriter } from '../formats/writers.ts';
import { jobLogger } from '../jobs/job-log.ts';
import { evaluateGraph } from '../executor/evaluate-graph.ts';
import type { SaveRequest } from '../processes/cube/index.ts';
import { jobResultKey, jobResultsPrefix, type StoredAsset, type StoredResults } from '../results/layout.ts';
import type { DistributedDeps } from './deps.ts';
import { watchJob } from './job-watch.ts';
import { QUEUES, taskId, type FinalizeJobData, type PlanJobData, type RunChunksData } from './queue.ts';
import { allChunksDone, claimFinalize, failRun, jobState, loadOutputs, markChunkDone, pendingChunks, chunkMarks, claimWithinUserLimits, runUsage, storeRunPlan } from './run-state.ts';
import type { TaskQueue } from './task-queue.ts';

export interface TaskContext {
  deps: DistributedDeps;
  queue: TaskQueue;
  retryLimit: number;
}

/** One attempt of a queue task. */
export interface Attempt {
  signal: AbortSignal;
  retryCount: number;
}

export async function planJob(ctx: TaskContext, { jobId, run }: PlanJobData, attempt: Attempt): Promise<void> {
  const { db } = ctx.deps;
  let job = await findJobById(db, jobId);
  if (!job || job.run !== run) return;
  const claimedHere = job.status === 'queued';
  if (claimedHere) {
    const claimed = await claimOrDefer(ctx, job.user_id, { jobId, run });
    if (claimed === 'deferred') return;
    job = claimed;
  }
  if (!job || job.run !== run || job.status !== 'running') return;
  const log = jobLogger(db, job);
  const watch = watchJob(db, jobId, run, ctx.deps.statusPollMs, attempt.signal);
  const signal = watch.signal;
  try {
    if (claimedHere) await log('info', 'Job started.');
    if ((await loadOutputs(db, jobId, run)).length > 0) {
      // planned before: by a planner that stopped after storing the plan, or a run resumed after its process stopped
      const { pending, total } = await sendChunkTasks(ctx, job);
      await log('info', `Resuming the run: ${pending} of ${total} chunk(s) left to write.`);
      return;
    }
    // a new run: what an earlier run (or an interrupted planning of this one) wrote goes before anything is written;
    // only this run's planner gets here, so no other start can delete what this run writes
    await ctx.deps.store.deletePrefix(jobResultsPrefix(jobId), signal);
    const { value, saved } = await evaluateGraph(ctx.deps, job.process, job.user_id, signal);
    if (saved.length === 0) return await saveJson(ctx, job, value, signal);
    const prefix = jobResultsPrefix(jobId).replace(/\/$/, '');
    const outputs = saved.map((s, i) => ({ prefix, plan: outputPlan(withDistinctName(s, i)) }));
    for (const o of outputs) {
      checkFormatOptions(o.plan.format, o.plan.options);
      await createRasterWriter(o.plan.format, ctx.deps.store, o.prefix, writerOptions(o.plan)).begin(rasterMeta(o.plan), signal);
    }
    const planned = outputs.map((o) => ({ ...o, windows: chunkWindows(o.plan) }));
    await storeRunPlan(db, jobId, run, planned);
    const total = planned.reduce((n, o) => n + o.windows.length, 0);
    await log('info', `Process graph evaluated: ${outputs.length} output(s), ${total} chunk(s) in tasks of up to ${ctx.deps.chunksPerTask}.`);
    await sendChunkTasks(ctx, job);
  } catch (e) {
    await settle(ctx, jobId, run, e, attempt, watch.jobOver, 'Planning the job failed');
  } finally {
    watch.stop();
  }
}

export async function runChunks(ctx: TaskContext, { jobId, run, output, chunkIds }: RunChunksData, attempt: Attempt): Promise<void> {
  const { db, pool } = ctx.deps;
  const state = await jobState(db, jobId);
  if (!state || state.run !== run || state.status !== 'running') return;
  const out = (await loadOutputs(db, jobId, run)).find((o) => o.idx === output);
  if (!out) return;
  const plan = { ...out.plan, options: writerOptions(out.plan) };
  const planId = chunkPlanId(jobId, run, output);
  const watch = watchJob(db, jobId, run, ctx.deps.statusPollMs, attempt.signal);
  let current: number | undefined;
  try {
    for (const c of await pendingChunks(db, jobId, run, output, chunkIds)) {
      // between chunks as well as inside them: a canceled job stops here at the latest
      watch.signal.throwIfAborted();
      current = c.idx;
      const window = { x0: c.x0, y0: c.y0, width: c.w, height: c.h };
      const stats = await pool.runChunk({ planId, plan, prefix: out.prefix, window }, watch.signal);
      ctx.deps.onChunk?.(stats);
      ctx.deps.logger.debug({ job: jobId, run, output, chunk: c.idx, ...stats }, 'chunk written');
      await markChunkDone(db, jobId, run, output, c.idx, stats);
    }
  } catch (e) {
    const where = current === undefined ? `output ${output}` : `chunk ${current} of output ${output} (${describeChunk(plan, current, chunkIds)})`;
    return settle(ctx, jobId, run, e, attempt, watch.jobOver, `Writing ${where} failed`);
  } finally {
    // the plan stays warm in the threads for the job's next task (they keep a few; see PLANS_PER_THREAD)
    watch.stop();
  }
  if (await allChunksDone(db, jobId, run)) await sendFinalize(ctx, jobId, run);
}

export async function finalizeJob(ctx: TaskContext, { jobId, run }: FinalizeJobData, attempt: Attempt): Promise<void> {
  const { db, store } = ctx.deps;
  const job = await findJobById(db, jobId);
  if (!job || job.run !== run || job.status !== 'running') return;
  const log = jobLogger(db, job);
  const watch = watchJob(db, jobId, run, ctx.deps.statusPollMs, attempt.signal);
  try {
    const assets: Record<string, StoredAsset> = {};
    let stored: Omit<StoredResults, 'assets'> | undefined;
    const outputs = await loadOutputs(db, jobId, run);
    for (const o of outputs) {
      const written = withBandInfo(o.plan, await createRasterWriter(o.plan.format, store, o.prefix, writerOptions(o.plan)).finish(rasterMeta(o.plan), watch.signal));
      for (const a of written) assets[a.path] = a as StoredAsset;
      stored ??= resultMetadata(o.plan);
    }
    // each writer removed its own staging folder; in a results folder on disk the folder that held them stayed
    for (const prefix of new Set(outputs.map((o) => o.prefix))) await store.deletePrefix(`${prefix}/.staging/`, watch.signal);
    const results: StoredResults = { ...stored, assets };
    const usage = jobUsage(job.started, await runUsage(db, jobId, run), assets);
    await log('info', `Wrote ${Object.keys(assets).length} asset(s).`);
    if (await completeJob(db, jobId, run, { status: 'finished', results: results as unknown as Record<string, unknown>, usage })) {
      await log('info', 'Job finished.');
    }
  } catch (e) {
    await settle(ctx, jobId, run, e, attempt, watch.jobOver, 'Finishing the results failed');
  } finally {
    watch.stop();
  }
}

/**
 * A task whose attempts are all used up without the task settling it (its worker died on the last one): the job
 * cannot finish, so it ends in `error` naming the task. A no-op when the job ended already.
 */
export async function deadTask(ctx: TaskContext, data: Partial<RunChunksData> & PlanJobData, _attempt: Attempt): Promise<void> {
  if (!data || typeof data.jobId !== 'string' || typeof data.run !== 'number') return;
  const what = data.chunkIds ? `Chunks ${data.chunkIds.join(', ')} of output ${data.output}` : 'A step of the job';
  await failRun(ctx.deps.db, data.jobId, data.run, `${what} could not be written: every attempt was lost (the worker running it stopped) or failed.`, 'Internal', { attempts: ctx.retryLimit + 1 });
}

/**
 * Sends the chunk tasks of the run for the chunks not yet written (all of them after planning), or the finalize task
 * when none is left. Tasks group consecutive chunks the same way every time, so a task sent again keeps its id (and
 * the queue ignores it while the first one exists).
 */
async function sendChunkTasks(ctx: TaskContext, job: JobRow): Promise<{ pending: number; total: number }> {
  const marks = await chunkMarks(ctx.deps.db, job.id, job.run);
  const size = ctx.deps.chunksPerTask;
  const tasks = [];
  let groups = 0;
  for (let i = 0; i < marks.length; ) {
    const { output } = marks[i];
    const first = marks[i].idx - (marks[i].idx % size);
    const group = [];
    for (; i < marks.length && marks[i].output === output && marks[i].idx < first + size; i++) group.push(marks[i]);
    // the n-th task of every job has the same priority, so the tasks of concurrent jobs (and users) interleave
    // instead of one job's queue running out first; the group caps one user's tasks running at once
    const priority = -groups++;
    if (group.every((c) => c.done)) continue;
    const data: RunChunksData = { jobId: job.id, run: job.run, output, chunkIds: group.map((c) => c.idx) };
    tasks.push({ id: taskId('chunks', job.id, job.run, output, first), data, priority, group: job.user_id });
  }
  await ctx.queue.send(QUEUES.chunks, tasks);
  const pending = marks.filter((c) => !c.done).length;
  if (pending === 0) await sendFinalize(ctx, job.id, job.run);
  return { pending, total: marks.length };
}

/** The name of an output's plan in the chunk pool's threads. */
export const chunkPlanId = (jobId: string, run: number, output: number) => `${jobId}/${run}/${output}`;

/** Sends finalize_job; its stable id makes a second send a no-op, the flag records the first. */
async function sendFinalize(ctx: TaskContext, jobId: string, run: number): Promise<void> {
  await ctx.queue.send(QUEUES.finalize, [{ id: taskId('finalize', jobId, run), data: { jobId, run } satisfies FinalizeJobData }]);
  if (await claimFinalize(ctx.deps.db, jobId, run)) ctx.deps.logger.info({ job: jobId, run }, 'all chunks written, finalize queued');
}

/**
 * Decides what a failure means: the job ended meanwhile → nothing; a client error (4xx) or the last attempt →
 * the job ends in `error` with the cause in its log; anything else → thrown, so the queue retries with backoff.
 */
async function settle(ctx: TaskContext, jobId: string, run: number, e: unknown, attempt: Attempt, jobOver: boolean, what: string): Promise<void> {
  if (jobOver) return;
  const err = toOpenEOError(e);
  const permanent = err.status < 500 || attempt.retryCount >= ctx.retryLimit;
  if (!permanent) {
    ctx.deps.logger.warn({ err: e, job: jobId, run, attempt: attempt.retryCount }, `${what}; will retry`);
    throw e;
  }
  if (err.code === 'Internal') ctx.deps.logger.error({ err: e, job: jobId, run }, what);
  // internal errors reach the user's log without internals; the server log above has them in full
  await failRun(ctx.deps.db, jobId, run, `${what}: ${err.message}`, err.code, { attempts: attempt.retryCount + 1 });
}

async function saveJson(ctx: TaskContext, job: JobRow, value: unknown, signal: AbortSignal): Promise<void> {
  const bytes = encodeJsonResult(value, ctx.deps.processLimits.arrayElements);
  await ctx.deps.store.put(jobResultKey(job.id, 'result.json'), bytes, { contentType: 'application/json' }, signal);
  const results: StoredResults = {
    assets: { 'result.json': { path: 'result.json', type: 'application/json', roles: ['data'], title: 'Result', 'file:size': bytes.length } },
  };
  const usage = jobUsage(job.started, { cpuMs: 0, bytesRead: 0, bytesWritten: bytes.length }, results.assets);
  if (await completeJob(ctx.deps.db, job.id, job.run, { status: 'finished', results: results as unknown as Record<string, unknown>, usage })) {
    await jobLogger(ctx.deps.db, job)('info', 'Job finished.');
  }
}

/**
 * Claims a queued job for running, unless its user is at the limit of running jobs or queued chunks: then the job
 * stays `queued` and its plan task comes back later.
 */
async function claimOrDefer(ctx: TaskContext, userId: string, data: PlanJobData): Promise<JobRow | undefined | 'deferred'> {
  const { userRunningJobs, userQueuedChunks, db } = ctx.deps;
  if (!userRunningJobs && !userQueuedChunks) return claimQueuedJob(db, data.jobId);
  const r = await claimWithinUserLimits(db, data.jobId, userId, { runningJobs: userRunningJobs, queuedChunks: userQueuedChunks });
  if (!r.deferred) return r.job;
  // a fresh id per deferral (the first one exists already); the job row stays the source of truth
  await ctx.queue.send(QUEUES.plan, [{ id: taskId('plan', data.jobId, data.run, Date.now()), data, startAfterSeconds: ctx.deps.deferSeconds }]);
  ctx.deps.logger.info({ job: data.jobId, user: userId, running: r.running, pending: r.pending }, 'job deferred: the user is at a limit of running jobs or queued chunks');
  return 'deferred';
}

/** openEO `usage` of a run: wall time since start, the computing threads' CPU time, bytes read and written. */
function jobUsage(started: Date | string | null, totals: { cpuMs: number; bytesRead: number; bytesWritten: number }, assets: Record<string, StoredAsset>) {
  const stored = Object.values(assets).reduce((n, a) => n + (typeof a['file:size'] === 'number' ? a['file:size'] : 0), 0);
  return {
    duration: { value: started ? (Date.now() - new Date(started).getTime()) / 1000 : 0, unit: 'seconds' },
    cpu: { value: Math.round(totals.cpuMs) / 1000, unit: 'cpu-seconds' },
    disk: { value: totals.bytesRead + totals.bytesWritten, unit: 'b' },
    input: { value: totals.bytesRead, unit: 'b' },
    output: { value: totals.bytesWritten, unit: 'b' },
    ...(stored > 0 ? { storage: { value: stored, unit: 'b' } } : {}),
  };
}

function describeChunk(plan: OutputPlan, idx: number, ids: number[]): string {
  const w = ids.includes(idx) ? chunkWindows(plan)[idx] : undefined;
  return w ? `pixels x ${w.x0}, y ${w.y0}` : 'unknown window';
}

/** Several outputs of one format get distinct store names (as the in-process executor names them). */
function withDistinctName(save: SaveRequest, i: number): SaveRequest {
  if (i === 0 || save.options.name !== undefined || save.format !== 'ZARR') return save;
  return { ...save, options: { ...save.options, name: `result_${i + 1}` } };
}
