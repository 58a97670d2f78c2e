/**
 * A pool of worker threads running chunk tasks. Each chunk is independent; the pool hands them out as workers free
 * up, stops everything on the first failure or on abort, and replaces a worker that died.
 */
import { Worker } from 'node:worker_threads';
import { OpenEOError, type ErrorCode } from '../errors.ts';
import type { ChunkTask } from './chunk-task.ts';
import { runChunkTask } from './chunk-task.ts';
import { createWorkerEnv, type WorkerEnv, type WorkerSettings } from './worker-env.ts';

const WORKER_URL = new URL('./chunk-worker-boot.mjs', import.meta.url);

interface Slot {
  worker: Worker;
  plans: Set<string>;
}

export interface PoolRun {
  planId: string;
  plan: ChunkTask['plan'];
  prefix: string;
  windows: ChunkTask['window'][];
  signal: AbortSignal;
  onChunk?: (done: number, total: number) => void;
}

export interface ChunkPool {
  run(job: PoolRun): Promise<void>;
  close(): Promise<void>;
}

/** Runs chunks on `threads` worker threads; with 0 threads they run in this thread (tests, tiny jobs). */
export function createChunkPool(threads: number, settings: WorkerSettings): ChunkPool {
  return threads > 0 ? new ThreadPool(threads, settings) : new InlinePool(createWorkerEnv(settings));
}

class InlinePool implements ChunkPool {
  constructor(private readonly env: WorkerEnv) {}
  async run(job: PoolRun): Promise<void> {
    let done = 0;
    try {
      for (const window of job.windows) {
        job.signal.throwIfAborted();
        await runChunkTask({ plan: job.plan, prefix: job.prefix, window }, this.env, job.signal);
        job.onChunk?.(++done, job.windows.length);
      }
    } finally {
      this.env.release(job.plan);
    }
  }
  close() {
    return this.env.close();
  }
}

class ThreadPool implements ChunkPool {
  private readonly slots: Slot[] = [];
  private seq = 0;

  constructor(
    size: number,
    private readonly settings: WorkerSettings,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    // A bounded young generation: chunk work allocates little on the heap, and a large one only grows the RSS
    // (measured: 16 MB keeps the CPU time of the medium flood job and ~60 MB less peak RSS than the default).
    const worker = new Worker(WORKER_URL, { workerData: this.settings, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 16 } });
    // Errors surface through 'exit' while a chunk runs; an idle worker's error must not crash the process.
    worker.on('error', () => {});
    worker.unref();
    return { worker, plans: new Set() };
  }

  run(job: PoolRun): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let failed = false;
      const busy = new Set<Slot>();
      const fail = (e: unknown) => {
        if (failed) return;
        failed = true;
        for (const s of this.slots) s.worker.postMessage({ type: 'abort', planId: job.planId });
        reject(e);
      };
      const onAbort = () => fail(job.signal.reason ?? new Error('aborted'));
      job.signal.addEventListener('abort', onAbort, { once: true });
      const finish = () => {
        job.signal.removeEventListener('abort', onAbort);
        for (const s of this.slots) {
          if (s.plans.delete(job.planId)) s.worker.postMessage({ type: 'release', planId: job.planId });
        }
      };
      const dispatch = (slotIndex: number) => {
        const slot = this.slots[slotIndex];
        if (failed || next >= job.windows.length) {
          busy.delete(slot);
          if (!failed && busy.size === 0 && done === job.windows.length) {
            finish();
            resolve();
          }
          return;
        }
        const window = job.windows[next++];
        const id = ++this.seq;
        busy.add(slot);
        const first = !slot.plans.has(job.planId);
        slot.plans.add(job.planId);
        const onMessage = (msg: { id: number; ok: boolean; error?: { code: string; message: string; stack?: string }; aborted?: boolean }) => {
          if (msg.id !== id) return;
          cleanup();
          if (!msg.ok) {
            finish();
            if (msg.aborted || job.signal.aborted) return fail(job.signal.reason ?? new Error('aborted'));
            const code = (msg.error?.code ?? 'Internal') as ErrorCode;
            // Internal errors keep their details (paths, stacks) for the server log only.
            const message = code === 'Internal'
              ? `Server error while computing the chunk at x=${window.x0}, y=${window.y0}.`
              : (msg.error?.message ?? 'chunk failed');
            return fail(new OpenEOError(code, message, { cause: new Error(`${msg.error?.message}\n${msg.error?.stack ?? ''}`) }));
          }
          done++;
          job.onChunk?.(done, job.windows.length);
          dispatch(slotIndex);
        };
        const onExit = (code: number) => {
          cleanup();
          // A dead worker is replaced so the pool stays usable for later jobs.
          this.slots[slotIndex] = this.spawn();
          finish();
          fail(new OpenEOError('Internal', `A worker thread stopped unexpectedly (exit code ${code}) while computing chunk at x=${window.x0}, y=${window.y0}.`));
        };
        const cleanup = () => {
          slot.worker.off('message', onMessage);
          slot.worker.off('exit', onExit);
        };
        slot.worker.on('message', onMessage);
        slot.worker.once('exit', onExit);
        slot.worker.postMessage({ type: 'run', id, planId: job.planId, task: { prefix: job.prefix, window }, ...(first ? { plan: job.plan } : {}) });
      };
      if (job.windows.length === 0) {
        finish();
        resolve();
        return;
      }
      for (let i = 0; i < this.slots.length; i++) dispatch(i);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
