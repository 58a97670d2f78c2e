/**
 * The embedded default's executor: a job runs through the same task functions as on the distributed queue (plan →
 * chunk tasks → finalize, with chunk marks, usage and retries in the database), with the tasks run in this process
 * on its chunk pool. The tasks settle the job (finished or error) themselves.
 */
import type { DistributedDeps } from '../distributed/deps.ts';
import { LocalTaskQueue } from '../distributed/local-queue.ts';
import { QUEUES, taskId } from '../distributed/queue.ts';
import { loadOutputs } from '../distributed/run-state.ts';
import { chunkPlanId, deadTask, finalizeJob, planJob, runChunks, type TaskContext } from '../distributed/tasks.ts';
import { jobResultsPrefix } from '../results/layout.ts';
import type { JobExecution, JobExecutor } from './executor.ts';

export interface TaskExecutorOptions {
  retryLimit: number;
  retryDelayMs?: (n: number) => number;
}

export class TaskJobExecutor implements JobExecutor {
  constructor(
    private readonly deps: DistributedDeps,
    private readonly o: TaskExecutorOptions,
  ) {}

  async execute({ job, signal }: JobExecution): Promise<undefined> {
    const ctx: TaskContext = { deps: this.deps, queue: undefined as never, retryLimit: this.o.retryLimit };
    ctx.queue = new LocalTaskQueue({
      handlers: {
        [QUEUES.plan]: (d, a) => planJob(ctx, d, a),
        [QUEUES.chunks]: (d, a) => runChunks(ctx, d, a),
        [QUEUES.finalize]: (d, a) => finalizeJob(ctx, d, a),
      },
      dead: (d, a) => deadTask(ctx, d, a),
      // more lanes than threads: a lane's bookkeeping between chunks never leaves a thread idle
      concurrency: { [QUEUES.chunks]: this.deps.pool.size * 2 },
      retryLimit: this.o.retryLimit,
      signal,
      ...(this.o.retryDelayMs ? { retryDelayMs: this.o.retryDelayMs } : {}),
    });
    const queue = ctx.queue as LocalTaskQueue;
    await queue.send(QUEUES.plan, [{ id: taskId('plan', job.id, job.run), data: { jobId: job.id, run: job.run } }]);
    await queue.idle();
    // the job is over here: its plans need no warm buffers any more
    for (const o of await loadOutputs(this.deps.db, job.id, job.run).catch(() => [])) this.deps.pool.release(chunkPlanId(job.id, job.run, o.idx));
    signal.throwIfAborted();
    return undefined;
  }

  async discardResults(jobId: string, signal?: AbortSignal): Promise<void> {
    await this.deps.store.deletePrefix(jobResultsPrefix(jobId), signal);
  }
}
