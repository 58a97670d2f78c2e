/**
 * HTTP(S) objects read with Range requests. Each attempt has its own timeout; 5xx, 408, 429, timeouts and network
 * errors are retried with exponential backoff and jitter. A server that ignores Range (answers 200 with the whole
 * body) still works: the body is kept and later reads are sliced from it.
 */
import { OpenEOError } from '../errors.ts';
import { forEachLimit, sleep } from '../async.ts';
import { type ByteRange, type ByteSource, upstreamInvalid, upstreamUnavailable } from './byte-source.ts';

export interface HttpSourceOptions {
  /** Per attempt, covering headers and body. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per retry, with jitter. Default 250 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Parallel range requests per read() call. Default 8. */
  concurrency?: number;
  headers?: Record<string, string>;
  /** Injectable for tests and custom agents; defaults to the global fetch. */
  fetch?: typeof fetch;
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

class RetryableStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export class HttpSource implements ByteSource {
  readonly id: string;
  private readonly opts: Required<Omit<HttpSourceOptions, 'headers' | 'fetch'>> & Pick<HttpSourceOptions, 'headers'>;
  private readonly fetchFn: typeof fetch;
  private knownSize: number | undefined;
  /** Set once the server has shown it ignores Range: the whole object. */
  private whole: Uint8Array | undefined;

  constructor(
    readonly url: string,
    options: HttpSourceOptions = {},
  ) {
    this.id = url;
    this.opts = {
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 3,
      backoffMs: options.backoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 10_000,
      concurrency: options.concurrency ?? 8,
      headers: options.headers,
    };
    this.fetchFn = options.fetch ?? fetch;
  }

  async size(signal?: AbortSignal): Promise<number> {
    if (this.knownSize !== undefined) return this.knownSize;
    const size = await this.attempt('HEAD', {}, signal, async (res) => {
      if (!res.ok) throw this.statusError(res.status);
      const len = Number(res.headers.get('content-length'));
      if (!Number.isFinite(len)) throw upstreamInvalid(this.id, 'server did not report the object size');
      return len;
    });
    this.knownSize = size;
    return size;
  }

  async read(ranges: readonly ByteRange[], signal?: AbortSignal): Promise<Uint8Array[]> {
    signal?.throwIfAborted();
    const out = new Array<Uint8Array>(ranges.length);
    await forEachLimit(ranges, this.opts.concurrency, async (r, i) => {
      out[i] = await this.readOne(r, signal);
    });
    return out;
  }

  private async readOne({ offset, length }: ByteRange, signal?: AbortSignal): Promise<Uint8Array> {
    if (this.whole) return this.whole.subarray(offset, offset + length);
    if (length <= 0) return new Uint8Array(0);
    const headers = { Range: `bytes=${offset}-${offset + length - 1}`, 'Accept-Encoding': 'identity' };
    return this.attempt('GET', headers, signal, async (res) => {
      if (res.status === 206) {
        const start = this.parseContentRange(res.headers.get('content-range'));
        if (start !== undefined && start !== offset) {
          throw upstreamInvalid(this.id, `server answered range ${offset} with bytes from ${start}`);
        }
        const body = new Uint8Array(await res.arrayBuffer());
        return body.length > length ? body.subarray(0, length) : body;
      }
      if (res.status === 200) {
        const body = new Uint8Array(await res.arrayBuffer());
        this.whole = body;
        this.knownSize = body.length;
        return body.subarray(offset, offset + length);
      }
      if (res.status === 416) {
        // the range starts at or past the end: the object is shorter than the caller thinks
        await res.body?.cancel();
        return new Uint8Array(0);
      }
      throw this.statusError(res.status);
    });
  }

  /** Records the total size from `bytes a-b/total` and returns a. */
  private parseContentRange(value: string | null): number | undefined {
    const m = value && /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value.trim());
    if (!m) return undefined;
    if (m[3] !== '*') this.knownSize = Number(m[3]);
    return Number(m[1]);
  }

  private statusError(status: number): Error {
    if (RETRYABLE.has(status)) return new RetryableStatus(status);
    if (status === 404 || status === 410) return upstreamInvalid(this.id, `not found (HTTP ${status})`);
    if (status === 401 || status === 403) return upstreamUnavailable(this.id, `access denied (HTTP ${status})`);
    return upstreamInvalid(this.id, `unexpected HTTP status ${status}`);
  }

  /** Runs one request with retries; `consume` reads the body inside the attempt so body timeouts retry too. */
  private async attempt<T>(
    method: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    consume: (res: Response) => Promise<T>,
  ): Promise<T> {
    let last = 'no attempt';
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      if (attempt > 0) {
        const base = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** (attempt - 1));
        await sleep(base * (0.5 + Math.random() / 2), signal);
      }
      signal?.throwIfAborted();
      // The attempt's own signal, released when the attempt ends: AbortSignal.timeout keeps its signal (and the
      // request listening to it) alive until the timer fires, 30 s later, for each of the thousands of range
      // requests of a job.
      const attemptSignal = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attemptSignal.abort(new DOMException(`timed out after ${this.opts.timeoutMs} ms`, 'TimeoutError'));
      }, this.opts.timeoutMs);
      const onAbort = () => attemptSignal.abort(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const res = await this.fetchFn(this.url, {
          method,
          headers: { ...this.opts.headers, ...headers },
          signal: attemptSignal.signal,
        });
        try {
          return await consume(res);
        } finally {
          if (!res.bodyUsed) await res.body?.cancel().catch(() => undefined);
        }
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (e instanceof OpenEOError) throw e;
        if (e instanceof RetryableStatus) last = e.message;
        else if (timedOut) last = `timed out after ${this.opts.timeoutMs} ms`;
        else last = `network error (${(e as Error)?.cause ?? (e as Error)?.message ?? e})`;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    }
    throw upstreamUnavailable(this.id, `${last} after ${this.opts.retries + 1} attempts`);
  }
}
