/**
 * A pool of worker threads running chunk tasks. Each chunk is independent; a thread runs one chunk at a time (its
 * buffers are reused per plan), waiting chunks are handed out in order as threads free up, preferring a thread
 * that already holds the chunk's plan, and a thread that died is replaced.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { forEachLimit } from '../async.ts';
import { OpenEOError, type ErrorCode } from '../errors.ts';
import type { ChunkStats } from './chunk-stats.ts';
import type { ChunkTask } from './chunk-task.ts';
import { runChunkTask } from './chunk-task.ts';
import { threadEntry, TSX_BOOT, type ThreadBoot, type ThreadEntry } from './thread-entry.ts';
import { keepBundleFresh } from './worker-bundle.ts';
import { createWorkerEnv, type WorkerEnv, type WorkerSettings } from './worker-env.ts';

/**
 * Plans a thread keeps (buffers, compiled kernels, decoded blocks) after their chunks ran, so that the next task of
 * the same job finds them warm; the least recently used one beyond this is dropped.
 */
export const PLANS_PER_THREAD = 2;

/** One chunk of a plan; `planId` names the plan in the threads' caches until it is released. */
export interface PoolChunk extends ChunkTask {
  planId: string;
}

export interface PoolRun {
  planId: string;
  plan: ChunkTask['plan'];
  prefix: string;
  windows: ChunkTask['window'][];
  signal: AbortSignal;
  onChunk?: (done: number, total: number, stats: ChunkStats) => void;
}

export interface ChunkPool {
  /** Threads computing at once (1 for the inline pool). */
  readonly size: number;
  runChunk(chunk: PoolChunk, signal: AbortSignal): Promise<ChunkStats>;
  /** The plan's chunks are done: threads drop its buffers and cached blocks. */
  release(planId: string): void;
  /** Every window of a plan, on all threads; the first failure aborts the rest. Releases the plan. */
  run(job: PoolRun): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs chunks on `threads` worker threads, started as `boot` says; with 0 threads they run in this thread (tests,
 * tiny jobs).
 */
export function createChunkPool(threads: number, settings: WorkerSettings, boot: ThreadBoot): ChunkPool {
  return threads > 0 ? new ThreadPool(threads, settings, threadEntry(boot)) : new InlinePool(createWorkerEnv(settings));
}

async function runAll(pool: ChunkPool, job: PoolRun): Promise<void> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(job.signal.reason);
  job.signal.addEventListener('abort', onAbort, { once: true });
  if (job.signal.aborted) onAbort();
  let done = 0;
  try {
    await forEachLimit(job.windows, pool.size, async (window) => {
      controller.signal.throwIfAborted();
      try {
        const stats = await pool.runChunk({ planId: job.planId, plan: job.plan, prefix: job.prefix, window }, controller.signal);
        job.onChunk?.(++done, job.windows.length, stats);
      } catch (e) {
        controller.abort(e);
        throw e;
      }
    });
  } catch (e) {
    // the first failure is the cause; the aborts it caused in other chunks are not
    throw controller.signal.reason ?? e;
  } finally {
    job.signal.removeEventListener('abort', onAbort);
    pool.release(job.planId);
  }
}

/** In this thread, one chunk at a time (chunks of one plan share its buffers). */
class InlinePool implements ChunkPool {
  readonly size = 1;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly plans = new Map<string, object>();
  constructor(private readonly env: WorkerEnv) {}

  runChunk(chunk: PoolChunk, signal: AbortSignal): Promise<ChunkStats> {
    const run = this.tail.then(() => {
      signal.throwIfAborted();
      // one plan object per id, so that its arena is found again by identity
      let plan = this.plans.get(chunk.planId) as ChunkTask['plan'] | undefined;
      if (plan) this.plans.delete(chunk.planId);
      this.plans.set(chunk.planId, (plan ??= chunk.plan));
      for (const old of [...this.plans.keys()].slice(0, -PLANS_PER_THREAD)) this.release(old);
      return runChunkTask({ plan, prefix: chunk.prefix, window: chunk.window }, this.env, signal);
    });
    this.tail = run.catch(() => {});
    return run;
  }
  release(planId: string): void {
    const plan = this.plans.get(planId);
    this.plans.delete(planId);
    if (plan) void this.tail.then(() => this.env.release(plan));
  }
  run(job: PoolRun): Promise<void> {
    return runAll(this, job);
  }
  close() {
    return this.env.close();
  }
}

interface Slot {
  worker: Worker;
  plans: Set<string>;
  busy: boolean;
  /** The thread is gone (its 'exit' came while no chunk ran on it, or is being handled by that chunk). */
  exited: boolean;
}

interface Waiting {
  chunk: PoolChunk;
  signal: AbortSignal;
  resolve(stats: ChunkStats): void;
  reject(e: unknown): void;
  onAbort(): void;
}

type WorkerReply = { id: number; ok: boolean; stats?: ChunkStats; error?: { code: string; message: string; stack?: string; status?: number; extra?: Record<string, unknown> }; aborted?: boolean };

class ThreadPool implements ChunkPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Waiting[] = [];
  private seq = 0;
  /** Chunks waiting or running per plan; a plan is released only once none is left (see release). */
  private readonly inFlight = new Map<string, number>();
  private readonly releasing = new Set<string>();
  private entry: ThreadEntry | undefined;
  private closed = false;
  /** Threads start once their entry is known (a bundle may be built first); chunks wait in `waiting` until then. */
  private readonly started: Promise<void>;
  private failed: OpenEOError | undefined;
  private stopFresh: (() => void) | undefined;

  constructor(
    readonly size: number,
    private readonly settings: WorkerSettings,
    entry: Promise<ThreadEntry>,
  ) {
    this.started = entry
      .then((e) => {
        this.entry = e;
        if (this.closed) return;
        if (e.kind === 'bundle') this.stopFresh = keepBundleFresh(e.url);
        let error: unknown;
        for (let i = 0; i < size; i++) {
          try {
            this.slots.push(this.spawn());
          } catch (e) {
            error = e; // fewer threads: the chunks queue for those that started
          }
        }
        if (this.slots.length === 0) throw error;
        this.pump();
      })
      .catch((e: unknown) => {
        // no thread could be started (e.g. out of resources): every chunk fails instead of waiting forever
        this.failed = new OpenEOError('Internal', 'The chunk worker threads could not be started.', { cause: e });
        for (const w of this.waiting.splice(0)) w.reject(this.failed);
      });
  }

  private spawn(): Slot {
    const entry = this.entry!;
    // a bundle removed since (unused for days, see worker-bundle.ts) must not leave the pool unable to replace a thread
    const bundled = entry.kind === 'bundle' && existsSync(entry.url);
    // A bounded young generation: chunk work allocates little on the heap, and a large one only grows the RSS
    // (measured: 16 MB keeps the CPU time of the medium flood job and ~60 MB less peak RSS than the default).
    const worker = new Worker(bundled ? entry.url : TSX_BOOT, { workerData: this.settings, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 16 } });
    // Errors surface through 'exit' while a chunk runs; an idle worker's error must not crash the process.
    worker.on('error', () => {});
    worker.unref();
    const slot: Slot = { worker, plans: new Set(), busy: false, exited: false };
    let answered = false;
    worker.once('message', () => (answered = true));
    // A thread that dies idle is replaced when next needed (start): a chunk posted to it would wait forever. One that
    // dies before ever answering could not load its entry (a damaged bundle): later threads boot through tsx.
    worker.once('exit', () => {
      slot.exited = true;
      if (bundled && !answered) this.entry = { url: TSX_BOOT, kind: 'tsx' };
    });
    return slot;
  }

  runChunk(chunk: PoolChunk, signal: AbortSignal): Promise<ChunkStats> {
    const { planId } = chunk;
    this.inFlight.set(planId, (this.inFlight.get(planId) ?? 0) + 1);
    this.releasing.delete(planId);
    return this.enqueue(chunk, signal).finally(() => {
      const n = (this.inFlight.get(planId) ?? 1) - 1;
      if (n > 0) return void this.inFlight.set(planId, n);
      this.inFlight.delete(planId);
      if (this.releasing.delete(planId)) this.release(planId);
    });
  }

  private enqueue(chunk: PoolChunk, signal: AbortSignal): Promise<ChunkStats> {
    return new Promise<ChunkStats>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      if (this.failed) return reject(this.failed);
      const w: Waiting = {
        chunk,
        signal,
        resolve,
        reject,
        onAbort: () => {
          const i = this.waiting.indexOf(w);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            reject(signal.reason);
          }
        },
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
      this.waiting.push(w);
      this.pump();
    });
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      const free = this.slots.map((s, i) => i).filter((i) => !this.slots[i].busy);
      if (free.length === 0) return;
      // a living thread before a dead one, which must be started again first (and may not start)
      const living = free.filter((i) => !this.slots[i].exited);
      const w = this.waiting.shift()!;
      w.signal.removeEventListener('abort', w.onAbort);
      const warm = living.find((i) => this.slots[i].plans.has(w.chunk.planId));
      if (!this.start(warm ?? living[0] ?? free[0], w)) return;
    }
  }

  /** False when the chunk went back to the queue (its slot's thread could not be started; others live). */
  private start(slotIndex: number, w: Waiting): boolean {
    if (this.slots[slotIndex].exited) {
      try {
        this.slots[slotIndex] = this.spawn();
      } catch (e) {
        // the slot stays dead (the next chunk tries again); the chunk waits for a living thread, if there is one
        if (this.slots.some((s) => !s.exited) && !w.signal.aborted) {
          this.waiting.unshift(w);
          w.signal.addEventListener('abort', w.onAbort, { once: true });
          return false;
        }
        w.reject(w.signal.aborted ? w.signal.reason : new OpenEOError('Internal', 'A worker thread could not be started for the chunk.', { cause: e }));
        return true;
      }
    }
    const slot = this.slots[slotIndex];
    const { chunk, signal } = w;
    const id = ++this.seq;
    slot.busy = true;
    const first = !slot.plans.has(chunk.planId);
    // most recently used last; plans beyond the thread's budget are dropped there (none of them runs: one chunk per thread)
    slot.plans.delete(chunk.planId);
    slot.plans.add(chunk.planId);
    for (const old of [...slot.plans].slice(0, -PLANS_PER_THREAD)) {
      slot.plans.delete(old);
      slot.worker.postMessage({ type: 'release', planId: old });
    }
    // the thread forgets the plan on an abort: so does the slot, and the plan's next chunk there brings it again
    const onAbort = () => {
      slot.plans.delete(chunk.planId);
      slot.worker.postMessage({ type: 'abort', planId: chunk.planId });
    };
    const settle = () => {
      slot.worker.off('message', onMessage);
      slot.worker.off('exit', onExit);
      signal.removeEventListener('abort', onAbort);
    };
    const onMessage = (msg: WorkerReply) => {
      if (msg.id !== id) return;
      settle();
      slot.busy = false;
      this.pump();
      if (msg.ok) return w.resolve(msg.stats!);
      if (msg.aborted || signal.aborted) return w.reject(signal.reason ?? new Error('aborted'));
      const code = (msg.error?.code ?? 'Internal') as ErrorCode;
      // Internal errors keep their details (paths, stacks) for the server log only.
      const message = code === 'Internal' ? `Server error while computing the chunk at x=${chunk.window.x0}, y=${chunk.window.y0}.` : (msg.error?.message ?? 'chunk failed');
      // the status and extra fields cross too: a process's own exception (its name the code) has no status of its own
      w.reject(new OpenEOError(code, message, { status: msg.error?.status, extra: msg.error?.extra, cause: new Error(`${msg.error?.message}\n${msg.error?.stack ?? ''}`) }));
    };
    const onExit = (code: number) => {
      settle();
      // the slot is marked exited (see spawn): start() replaces it when it is next needed
      slot.busy = false;
      this.pump();
      w.reject(new OpenEOError('Internal', `A worker thread stopped unexpectedly (exit code ${code}) while computing the chunk at x=${chunk.window.x0}, y=${chunk.window.y0}.`));
    };
    slot.worker.on('message', onMessage);
    slot.worker.once('exit', onExit);
    signal.addEventListener('abort', onAbort, { once: true });
    slot.worker.postMessage({ type: 'run', id, planId: chunk.planId, task: { prefix: chunk.prefix, window: chunk.window }, ...(first ? { plan: chunk.plan } : {}) });
    return true;
  }

  /**
   * Threads forget the plan (and stop what still runs of it there). With chunks of the plan still waiting or running
   * (another task of the same plan), that happens after the last of them.
   */
  release(planId: string): void {
    if (this.inFlight.has(planId)) {
      this.releasing.add(planId);
      return;
    }
    for (const s of this.slots) {
      if (s.plans.delete(planId)) s.worker.postMessage({ type: 'release', planId });
    }
  }

  run(job: PoolRun): Promise<void> {
    return runAll(this, job);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopFresh?.();
    for (const w of this.waiting.splice(0)) w.reject(new Error('the chunk pool is closing'));
    await this.started;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
