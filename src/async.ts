/** Small asynchronous helpers shared by the I/O modules. */
import { setMaxListeners } from 'node:events';

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `task` for every item with at most `limit` running at once; stops handing out items after a failure. */
export async function forEachLimit<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await task(items[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/**
 * Runs `tasks` at once under a signal of their own: the first failure aborts the others, and the call settles (with
 * that failure) only once every task has. A failed call then leaves nothing running that still writes into
 * buffers the caller's next call reuses.
 */
export async function allSettledFirst<T>(signal: AbortSignal, tasks: readonly ((signal: AbortSignal) => Promise<T>)[]): Promise<T[]> {
  const inner = new AbortController();
  // every task's own reads listen to it (variables x steps read ahead): many listeners at once are the design here,
  // not a leak (each removes its own when it ends), so Node's warning beyond 10 does not apply
  setMaxListeners(0, inner.signal);
  const onAbort = () => inner.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  let failure: { error: unknown } | undefined;
  try {
    const results = await Promise.all(
      tasks.map(async (task) => {
        try {
          return await task(inner.signal);
        } catch (e) {
          failure ??= { error: e };
          inner.abort(e);
          return undefined as T;
        }
      }),
    );
    if (failure) throw failure.error;
    return results;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Calls `f` on each element in turn. Promise.all over the elements would start every callback graph at once: all
 * of their frames in memory together (~4 GB for 1,000,000 elements), and all of their work done before the
 * evaluation's pauses for the event loop (see EvaluateOptions.yieldEvery) could let anything else run.
 */
export async function mapInTurn<T, R>(items: readonly T[], f: (item: T, index: number) => Promise<R> | R): Promise<R[]> {
  const out = new Array<R>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = await f(items[i], i);
  return out;
}
