/** Aborts a task when its job stops running this run (canceled, restarted, failed elsewhere) or the queue takes it back. */
import type { Db } from '../db/database.ts';
import { jobState } from './run-state.ts';

export interface JobWatch {
  signal: AbortSignal;
  /** True once the job itself was seen not running this run (as opposed to the task's lease or a shutdown). */
  readonly jobOver: boolean;
  stop(): void;
}

export function watchJob(db: Db, jobId: string, run: number, pollMs: number, taskSignal: AbortSignal): JobWatch {
  const controller = new AbortController();
  let jobOver = false;
  const onTask = () => controller.abort(taskSignal.reason);
  taskSignal.addEventListener('abort', onTask, { once: true });
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    jobState(db, jobId)
      .then((s) => {
        if (!s || s.run !== run || s.status !== 'running') {
          jobOver = true;
          controller.abort(new Error(`job ${jobId} is no longer running`));
        }
      })
      // a failed poll (database restarting) is no reason to stop; the next poll decides
      .catch(() => {})
      .finally(() => (busy = false));
  }, pollMs);
  timer.unref();
  return {
    signal: controller.signal,
    get jobOver() {
      return jobOver;
    },
    stop() {
      clearInterval(timer);
      taskSignal.removeEventListener('abort', onTask);
    },
  };
}
