/**
 * Retry policy for the S3 client: exponential backoff with full jitter on what the SDK classifies as throttling
 * (503 SlowDown, 429, …) or transient (500/502/503/504, timeouts, connection resets). Our own strategy instead of
 * the SDK's standard one so that delays are configurable (tests use short ones) and there is no shared retry
 * quota that a burst of failures elsewhere could drain.
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';

export interface RetryPolicy {
  /** Total attempts including the first (1 = no retries). */
  maxAttempts: number;
  /** Backoff unit for transient errors; throttling waits 4x longer. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({ maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 10_000 });

/** The subset of the SDK's RetryErrorInfo we look at. */
interface ErrorInfo {
  errorType: 'TRANSIENT' | 'THROTTLING' | 'SERVER_ERROR' | 'CLIENT_ERROR';
  retryAfterHint?: Date;
}

interface Token {
  getRetryCount(): number;
  getRetryDelay(): number;
}

const token = (count: number, delay: number): Token => ({ getRetryCount: () => count, getRetryDelay: () => delay });

/** Delay before retry number `retry` (1-based): uniform in [0, min(max, unit * 2^(retry-1))]. */
export function backoffDelay(policy: RetryPolicy, retry: number, throttled: boolean, random = Math.random()): number {
  const unit = throttled ? policy.baseDelayMs * 4 : policy.baseDelayMs;
  return Math.round(random * Math.min(policy.maxDelayMs, unit * 2 ** (retry - 1)));
}

export function createRetryStrategy(policy: RetryPolicy): NonNullable<S3ClientConfig['retryStrategy']> {
  return {
    async acquireInitialRetryToken(): Promise<Token> {
      return token(0, 0);
    },
    async refreshRetryTokenForRetry(previous: Token, info: ErrorInfo): Promise<Token> {
      const retry = previous.getRetryCount() + 1;
      const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
      // Throwing tells the SDK to give up and surface the last error.
      if (!retryable || retry >= policy.maxAttempts) throw new Error('no more retries');
      let delay = backoffDelay(policy, retry, info.errorType === 'THROTTLING');
      if (info.retryAfterHint) {
        const hinted = info.retryAfterHint.getTime() - Date.now();
        delay = Math.max(delay, Math.min(policy.maxDelayMs, hinted));
      }
      return token(retry, delay);
    },
    recordSuccess(): void {},
  };
}
