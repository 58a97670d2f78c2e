/**
 * JSON over HTTP with the failure handling every catalog request needs: a per-request timeout, retries with
 * exponential backoff on 5xx / 429 / timeouts / network errors, and openEO errors that name the URL.
 */
import { OpenEOError } from '../errors.ts';
import { sleep } from '../async.ts';
import type { HttpOptions } from './types.ts';

export interface JsonRequest {
  url: string;
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
}

export const HTTP_DEFAULTS = { timeoutMs: 30_000, retries: 3, backoffMs: 500, maxBackoffMs: 10_000 } as const;

/** A URL fit for an error message: no credentials, no query string (signed URLs carry tokens there). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === 'file:') {
      const parts = decodeURIComponent(u.pathname).split('/').filter(Boolean);
      return parts.length > 3 ? `…/${parts.slice(-3).join('/')}` : u.pathname;
    }
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}


const isRetryableStatus = (s: number) => s === 429 || s >= 500;

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function networkReason(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string }; code?: string };
  if (err?.name === 'TimeoutError') return 'timed out';
  return err?.cause?.code ?? err?.code ?? (err?.name === 'TypeError' ? 'network error' : String(err?.name ?? 'error'));
}

/**
 * Fetches and parses one JSON document. Throws `UpstreamUnavailable` when all attempts failed for transient
 * reasons, `UpstreamInvalid` for other HTTP errors and for bodies that are not JSON; rethrows the caller's abort.
 */
export async function fetchJson(req: JsonRequest, opts: HttpOptions = {}, signal?: AbortSignal): Promise<unknown> {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? HTTP_DEFAULTS.timeoutMs;
  const retries = opts.retries ?? HTTP_DEFAULTS.retries;
  const backoffMs = opts.backoffMs ?? HTTP_DEFAULTS.backoffMs;
  const maxBackoffMs = opts.maxBackoffMs ?? HTTP_DEFAULTS.maxBackoffMs;
  const method = req.method ?? 'GET';
  const where = `${method} ${describeUrl(req.url)}`;
  let lastReason = '';
  for (let attempt = 0; attempt <= retries; attempt++) {
    let waitHint: number | undefined;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await doFetch(req.url, {
        method,
        headers: {
          accept: 'application/geo+json, application/json;q=0.9',
          ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
          ...req.headers,
        },
        body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
        signal: combined,
      });
      if (isRetryableStatus(res.status)) {
        lastReason = `HTTP ${res.status}`;
        waitHint = retryAfterMs(res.headers.get('retry-after'));
        await res.body?.cancel().catch(() => {});
      } else if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        throw new OpenEOError('UpstreamInvalid', `The catalog answered ${where} with HTTP ${res.status}.`);
      } else {
        const text = await res.text();
        try {
          return JSON.parse(text);
        } catch (cause) {
          throw new OpenEOError('UpstreamInvalid', `The catalog answered ${where} with a body that is not JSON.`, { cause });
        }
      }
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (e instanceof OpenEOError) throw e;
      lastReason = networkReason(e);
    }
    if (attempt < retries) {
      const exp = Math.min(maxBackoffMs, backoffMs * 2 ** attempt);
      // Jitter spreads retries of many workers hitting the same catalog.
      const delay = waitHint !== undefined ? Math.min(maxBackoffMs, waitHint) : exp * (0.5 + Math.random() / 2);
      await sleep(delay, signal);
    }
  }
  throw new OpenEOError(
    'UpstreamUnavailable',
    `The catalog at ${where} is unavailable (${lastReason}) after ${retries + 1} attempt(s).`,
  );
}
