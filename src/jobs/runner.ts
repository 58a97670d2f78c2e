import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import { claimQueuedJob, completeJob, failStaleJobs, requeueJob, setJobProgress, staleJobs, touchJob } from '../db/jobs.ts';
import { countLogs } from '../db/job-logs.ts';
import { insertLog } from '../db/job-logs.ts';
import type { JobRow } from '../db/schema.ts';
import { toOpenEOError } from '../errors.ts';
import type { JobExecutor } from './executor.ts';
import { jobLogger } from './job-log.ts';
import { failRun } from '../distributed/run-state.ts';

export interface RunnerOptions {
  concurrency: number;
  pollMs?: number;
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this was left by a process that stopped. */
  staleMs?: number;
  /** How often such a job is resumed (from its last written chunk) before it is declared lost. */
  maxResumes?: number;
}

/** The log code of a run resumed after its process stopped (counted against `maxResumes`). */
export const RESUMED = 'JobResumed';

/**
 * Runs queued jobs of the database through an executor: claims a job (queued → running), heartbeats it, and ends
 * it as finished or error. A job canceled or restarted elsewhere is noticed at the next heartbeat and aborted.
 */
export class JobRunner {
  private readonly active = new Map<string, AbortController>();
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private polling?: Promise<void>;
  private readonly pollMs: number;
  private readonly heartbeatMs: number;
  private readonly staleMs: number;

  constructor(
    private readonly db: Db,
    private readonly executor: JobExecutor,
    private readonly logger: Logger,
    private readonly opts: RunnerOptions,
  ) {
    this.pollMs = opts.pollMs ?? 2000;
    this.heartbeatMs = opts.heartbeatMs ?? 5000;
    this.staleMs = opts.staleMs ?? 120_000;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Something was queued: look now instead of at the next poll. */
  notify(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Aborts the run of a job in this process, if any (cancel, delete, restart). */
  abort(jobId: string): void {
    this.active.get(jobId)?.abort(new Error('canceled'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const c of this.active.values()) c.abort(new Error('shutting down'));
    await this.polling;
    while (this.active.size > 0) await new Promise((r) => setTimeout(r, 20));
  }

  get running(): number {
    return this.active.size;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.polling = this.poll().finally(() => {
        if (!this.stopped) this.schedule(this.pollMs);
      });
    }, ms);
  }

  private async poll(): Promise<void> {
    try {
      await this.recoverStale();
      while (!this.stopped && this.active.size < this.opts.concurrency) {
        const job = await claimQueuedJob(this.db);
        if (!job) break;
        void this.run(job);
      }
    } catch (e) {
      this.logger.error({ err: e }, 'job runner poll failed');
    }
  }

  /**
   * Jobs whose process stopped (no heartbeat for `staleMs`) go back to the queue and resume from their last written
   * chunk; one that keeps losing its process is declared lost, so that no job stays `running` forever.
   */
  private async recoverStale(): Promise<void> {
    const cutoff = new Date(Date.now() - this.staleMs);
    for (const job of await staleJobs(this.db, cutoff)) {
      if ((await countLogs(this.db, job.id, job.run, RESUMED)) < (this.opts.maxResumes ?? 2)) {
        if (await requeueJob(this.db, job.id, job.run, cutoff)) {
          await insertLog(this.db, job.id, job.run, {
            level: 'warning',
            code: RESUMED,
            message: `The process running the job stopped (no heartbeat for ${Math.round(this.staleMs / 1000)} s); the job goes on from its last written chunk.`,
          });
        }
        continue;
      }
      for (const lost of await failStaleJobs(this.db, cutoff, job.id)) {
        await insertLog(this.db, lost.id, lost.run, {
          level: 'error',
          code: 'Internal',
          message: 'The job was lost: the process running it stopped sending heartbeats, also after it was resumed.',
        });
      }
    }
  }

  private async run(job: JobRow): Promise<void> {
    const controller = new AbortController();
    this.active.set(job.id, controller);
    const log = jobLogger(this.db, job);
    const heartbeat = setInterval(() => {
      touchJob(this.db, job.id, job.run)
        .then((status) => {
          if (status !== 'running') controller.abort(new Error('canceled'));
        })
        .catch((e) => this.logger.warn({ err: e, job: job.id }, 'heartbeat failed'));
    }, this.heartbeatMs);
    let lastProgress = -1;
    const started = Date.now();
    try {
      await log('info', 'Job started.');
      const outcome = await this.executor.execute({
        job,
        signal: controller.signal,
        log,
        progress: async (p) => {
          const rounded = Math.max(0, Math.min(100, Math.floor(p)));
          if (rounded === lastProgress) return;
          lastProgress = rounded;
          await setJobProgress(this.db, job.id, job.run, rounded);
        },
      });
      controller.signal.throwIfAborted();
      if (!outcome) {
        // settled by the executor; a run it left `running` could never end otherwise
        if (await failRun(this.db, job.id, job.run, 'The job ended without a result (internal error).', 'Internal')) {
          this.logger.error({ job: job.id }, 'executor returned with the job still running');
        }
        return;
      }
      const usage = { duration: { value: (Date.now() - started) / 1000, unit: 'seconds' }, ...outcome.usage };
      if (await completeJob(this.db, job.id, job.run, { status: 'finished', results: outcome.results, usage })) {
        await log('info', 'Job finished.');
      }
    } catch (e) {
      if (controller.signal.aborted) {
        this.logger.info({ job: job.id }, 'job run aborted');
        if (this.stopped) await this.releaseOnShutdown(job);
      } else {
        const err = toOpenEOError(e);
        // Internal errors go to the server log in full; the job log (visible to the user) gets no internals.
        if (err.code === 'Internal') this.logger.error({ err: e, job: job.id }, 'job failed with an internal error');
        await log('error', err.message, { code: err.code }).catch(() => {});
        await completeJob(this.db, job.id, job.run, { status: 'error' }).catch((e2) =>
          this.logger.error({ err: e2, job: job.id }, 'could not mark job as failed'),
        );
      }
    } finally {
      clearInterval(heartbeat);
      this.active.delete(job.id);
    }
  }

  /** A job interrupted by a graceful shutdown goes back to the queue rather than staying `running`. */
  private async releaseOnShutdown(job: JobRow): Promise<void> {
    await requeueJob(this.db, job.id, job.run).catch(() => {});
  }
}
