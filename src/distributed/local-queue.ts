/**
 * The task queue of the embedded default: the same task functions as distributed runs, run in this process for one
 * job. Tasks run in priority order with a concurrency per queue; a task that throws is retried with backoff like
 * pg-boss would, and one whose attempts are used up goes to the dead-task handler. Aborting the signal (cancel,
 * shutdown) drops what waits and stops what runs.
 */
import { sleep } from '../async.ts';
import type { QueueName, Task, TaskQueue } from './task-queue.ts';

export interface LocalAttempt {
  signal: AbortSignal;
  retryCount: number;
}

export type LocalHandler = (data: never, attempt: LocalAttempt) => Promise<void>;

export interface LocalQueueOptions {
  handlers: Record<QueueName, LocalHandler>;
  /** Gets a task whose attempts are all used up. */
  dead: LocalHandler;
  concurrency: Partial<Record<QueueName, number>>;
  retryLimit: number;
  signal: AbortSignal;
  /** Delay before retry `n` (1-based). Default: 1 s doubling, at most 60 s, like the distributed queues. */
  retryDelayMs?: (n: number) => number;
}

interface Pending extends Task {
  queue: QueueName;
  seq: number;
  retryCount: number;
}

export class LocalTaskQueue implements TaskQueue {
  private readonly seen = new Set<string>();
  private readonly pending: Pending[] = [];
  private readonly running = new Map<QueueName, number>();
  private timers = 0;
  private seq = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly o: LocalQueueOptions) {
    o.signal.addEventListener('abort', () => {
      this.pending.length = 0;
      this.settleIfIdle();
    });
  }

  async send(queue: QueueName, tasks: Task[]): Promise<void> {
    for (const t of tasks) {
      if (this.seen.has(t.id)) continue;
      this.seen.add(t.id);
      this.enqueue({ ...t, queue, seq: this.seq++, retryCount: 0 }, (t.startAfterSeconds ?? 0) * 1000);
    }
  }

  /** Resolves when no task waits or runs (or the signal aborted and the running ones stopped). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.settleIfIdle();
    });
  }

  private enqueue(p: Pending, delayMs: number): void {
    if (this.o.signal.aborted) return;
    if (delayMs > 0) {
      this.timers++;
      void sleep(delayMs, this.o.signal)
        .then(
          () => this.enqueue(p, 0),
          () => {},
        )
        .finally(() => {
          this.timers--;
          this.settleIfIdle();
        });
      return;
    }
    this.pending.push(p);
    this.pending.sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.seq - b.seq);
    this.pump();
  }

  private pump(): void {
    for (let i = 0; i < this.pending.length; ) {
      const p = this.pending[i];
      const busy = this.running.get(p.queue) ?? 0;
      if (busy >= (this.o.concurrency[p.queue] ?? 1)) {
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      this.running.set(p.queue, busy + 1);
      void this.execute(p).finally(() => {
        this.running.set(p.queue, (this.running.get(p.queue) ?? 1) - 1);
        this.pump();
        this.settleIfIdle();
      });
    }
  }

  private async execute(p: Pending): Promise<void> {
    const attempt = { signal: this.o.signal, retryCount: p.retryCount };
    try {
      await this.o.handlers[p.queue](p.data as never, attempt);
    } catch {
      if (this.o.signal.aborted) return;
      if (p.retryCount < this.o.retryLimit) {
        const n = p.retryCount + 1;
        const delay = this.o.retryDelayMs ? this.o.retryDelayMs(n) : Math.min(60_000, 1000 * 2 ** (n - 1));
        this.enqueue({ ...p, retryCount: n }, delay);
        return;
      }
      await this.o.dead(p.data as never, attempt).catch(() => {});
    }
  }

  private settleIfIdle(): void {
    let busy = this.timers;
    for (const n of this.running.values()) busy += n;
    if (busy > 0 || this.pending.length > 0) return;
    for (const w of this.waiters.splice(0)) w();
  }
}
