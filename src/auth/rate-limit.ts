/**
 * Fixed-window counter of failures per key (user name, client IP). Slows down password guessing on
 * /credentials/basic; in-memory per process, which is enough to make online brute force impractical.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly maxPerWindow: number,
    private readonly windowMs = 60_000,
  ) {}

  isBlocked(key: string, now = Date.now()): boolean {
    return this.blockedForMs(key, now) > 0;
  }

  /** How long the key stays blocked (its window's rest), 0 when it is not. */
  blockedForMs(key: string, now = Date.now()): number {
    const w = this.windows.get(key);
    return w && now - w.start < this.windowMs && w.count >= this.maxPerWindow ? w.start + this.windowMs - now : 0;
  }

  fail(key: string, now = Date.now()): void {
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) this.windows.set(key, { start: now, count: 1 });
    else w.count++;
    if (this.windows.size > 100_000) this.prune(now);
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}
