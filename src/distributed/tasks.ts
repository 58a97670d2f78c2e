/**
 * The task functions of a distributed job run. Every one is idempotent: a task that runs again (lost lease,
 * retry) redoes only what is not marked done, and writers give the same bytes for a rewritten chunk.
 *   plan_job → writer.begin per output, chunk list stored, run_chunks tasks sent
 *   run_chunks → chunks computed and written here, marked done; the last one sends finalize_job
 *   finalize_job → writer.finish per output, results stored, job finished
 */
import { withBandInfo } from '../executor/raster-output.ts';
import type { PgBoss } from 'pg-boss';
import { claimQueuedJob, completeJob, findJobById, setJobProgress } from '../db/jobs.ts';
import { toOpenEOError } from '../errors.ts';
import { chunkWindows, rasterMeta } from '../executor/chunk-compute.ts';
import { runChunkTask } from '../executor/chunk-task.ts';
import { outputPlan, writerOptions, type OutputPlan } from '../executor/output-plan.ts';
import { resultMetadata } from '../executor/result-metadata.ts';
import { checkFormatOptions, createRasterWriter } from '../formats/writers.ts';
import { jobLogger } from '../jobs/job-log.ts';
import { evaluateProgram } from '../process-graph/index.ts';
import type { SaveRequest } from '../processes/cube/index.ts';
import { jobResultKey, jobResultsPrefix, type StoredAsset, type StoredResults } from '../results/layout.ts';
import type { DistributedDeps } from './deps.ts';
import { watchJob } from './job-watch.ts';
import { QUEUES, taskId, type FinalizeJobData, type PlanJobData, type RunChunksData } from './queue.ts';
import { allChunksDone, claimFinalize, failRun, jobState, loadOutputs, markChunkDone, pendingChunks, storeRunPlan } from './run-state.ts';

export interface TaskContext {
  deps: DistributedDeps;
  boss: PgBoss;
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
  if (job.status === 'queued') job = await claimQueuedJob(db, jobId);
  if (!job || job.run !== run || job.status !== 'running') return;
  const log = jobLogger(db, job);
  const watch = watchJob(db, jobId, run, ctx.deps.statusPollMs, attempt.signal);
  const signal = watch.signal;
  try {
    if (attempt.retryCount === 0) await log('info', 'Job started.');
    const { program, errors } = await ctx.deps.validator.check(job.process, job.user_id, signal);
    if (!program) throw errors[0];
    const cubes = ctx.deps.cubeServices();
    const value = await evaluateProgram(program, { signal, services: { cubes }, maxDepth: ctx.deps.maxDepth });
    if (cubes.saved.length === 0) return await saveJson(ctx, jobId, run, value, signal);
    const prefix = jobResultsPrefix(jobId).replace(/\/$/, '');
    const outputs = cubes.saved.map((s, i) => ({ prefix, plan: outputPlan(withDistinctName(s, i)) }));
    for (const o of outputs) {
      checkFormatOptions(o.plan.format, o.plan.options);
      await createRasterWriter(o.plan.format, ctx.deps.env.store, o.prefix, writerOptions(o.plan)).begin(rasterMeta(o.plan), signal);
    }
    const planned = outputs.map((o) => ({ ...o, windows: chunkWindows(o.plan) }));
    await storeRunPlan(db, jobId, run, planned);
    const total = planned.reduce((n, o) => n + o.windows.length, 0);
    await log('info', `Process graph evaluated: ${outputs.length} output(s), ${total} chunk(s) in tasks of up to ${ctx.deps.chunksPerTask}.`);
    const tasks = [];
    for (const [output, o] of planned.entries()) {
      for (let i = 0; i < o.windows.length; i += ctx.deps.chunksPerTask) {
        const chunkIds = o.windows.slice(i, i + ctx.deps.chunksPerTask).map((_, k) => i + k);
        tasks.push({ id: taskId('chunks', jobId, run, output, i), data: { jobId, run, output, chunkIds } satisfies RunChunksData });
      }
    }
    for (let i = 0; i < tasks.length; i += 500) await ctx.boss.insert(QUEUES.chunks, tasks.slice(i, i + 500));
    // an output without chunks (never expected, but harmless) still needs its finish
    if (total === 0) await sendFinalize(ctx, jobId, run);
  } catch (e) {
    await settle(ctx, jobId, run, e, attempt, watch.jobOver, 'Planning the job failed');
  } finally {
    watch.stop();
  }
}

export async function runChunks(ctx: TaskContext, { jobId, run, output, chunkIds }: RunChunksData, attempt: Attempt): Promise<void> {
  const { db, env } = ctx.deps;
  const state = await jobState(db, jobId);
  if (!state || state.run !== run || state.status !== 'running') return;
  const out = (await loadOutputs(db, jobId, run)).find((o) => o.idx === output);
  if (!out) return;
  const plan = { ...out.plan, options: writerOptions(out.plan) };
  const watch = watchJob(db, jobId, run, ctx.deps.statusPollMs, attempt.signal);
  let current: number | undefined;
  try {
    for (const c of await pendingChunks(db, jobId, run, output, chunkIds)) {
      // between chunks as well as inside them: a canceled job stops here at the latest
      watch.signal.throwIfAborted();
      current = c.idx;
      const window = { x0: c.x0, y0: c.y0, width: c.w, height: c.h };
      await runChunkTask({ plan, prefix: out.prefix, window }, env, watch.signal);
      const p = await markChunkDone(db, jobId, run, output, c.idx);
      if (p.total > 0) await setJobProgress(db, jobId, run, Math.floor((p.done / p.total) * 99));
    }
  } catch (e) {
    const where = current === undefined ? `output ${output}` : `chunk ${current} of output ${output} (${describeChunk(plan, current, chunkIds)})`;
    return settle(ctx, jobId, run, e, attempt, watch.jobOver, `Writing ${where} failed`);
  } finally {
    watch.stop();
    env.release(plan);
  }
  if (await allChunksDone(db, jobId, run)) await sendFinalize(ctx, jobId, run);
}

export async function finalizeJob(ctx: TaskContext, { jobId, run }: FinalizeJobData, attempt: Attempt): Promise<void> {
  const { db, env } = ctx.deps;
  const job = await findJobById(db, jobId);
  if (!job || job.run !== run || job.status !== 'running') return;
  const log = jobLogger(db, job);
  const watch = watchJob(db, jobId, run, ctx.deps.statusPollMs, attempt.signal);
  try {
    const assets: Record<string, StoredAsset> = {};
    let stored: Omit<StoredResults, 'assets'> | undefined;
    for (const o of await loadOutputs(db, jobId, run)) {
      const written = withBandInfo(o.plan, await createRasterWriter(o.plan.format, env.store, o.prefix, writerOptions(o.plan)).finish(rasterMeta(o.plan), watch.signal));
      for (const a of written) assets[a.path] = a as StoredAsset;
      stored ??= resultMetadata(o.plan);
    }
    const results: StoredResults = { ...stored, assets };
    const seconds = job.started ? (Date.now() - new Date(job.started).getTime()) / 1000 : 0;
    const usage = { duration: { value: seconds, unit: 'seconds' } };
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

/** Sends finalize_job; its stable id makes a second send a no-op, the flag records the first. */
async function sendFinalize(ctx: TaskContext, jobId: string, run: number): Promise<void> {
  await ctx.boss.send(QUEUES.finalize, { jobId, run } satisfies FinalizeJobData, { id: taskId('finalize', jobId, run) });
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

async function saveJson(ctx: TaskContext, jobId: string, run: number, value: unknown, signal: AbortSignal): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(value ?? null));
  await ctx.deps.env.store.put(jobResultKey(jobId, 'result.json'), bytes, { contentType: 'application/json' }, signal);
  const results: StoredResults = {
    assets: { 'result.json': { path: 'result.json', type: 'application/json', roles: ['data'], title: 'Result', 'file:size': bytes.length } },
  };
  await completeJob(ctx.deps.db, jobId, run, { status: 'finished', results: results as unknown as Record<string, unknown>, usage: { output: { value: bytes.length, unit: 'bytes' } } });
}

/** The options the format writer takes (the rest were consumed by the output plan). */
function describeChunk(plan: OutputPlan, idx: number, ids: number[]): string {
  const cols = Math.ceil(plan.grid.width / plan.chunk.width);
  return ids.includes(idx) ? `pixels x ${(idx % cols) * plan.chunk.width}, y ${Math.floor(idx / cols) * plan.chunk.height}` : 'unknown window';
}

/** Several outputs of one format get distinct store names (as the in-process executor names them). */
function withDistinctName(save: SaveRequest, i: number): SaveRequest {
  if (i === 0 || save.options.name !== undefined || save.format !== 'ZARR') return save;
  return { ...save, options: { ...save.options, name: `result_${i + 1}` } };
}
