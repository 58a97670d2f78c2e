/**
 * The narrow I/O interface every raster read goes through. Implementations (file, HTTP, S3) only move bytes;
 * range merging and caching are wrappers around any ByteSource (see merged-source.ts, cached-source.ts).
 */
import { OpenEOError } from '../errors.ts';

export interface ByteRange {
  offset: number;
  length: number;
}

export interface ByteSource {
  /** Stable identity of the bytes (the asset href); used as cache key and in error messages. */
  readonly id: string;
  /** Total size in bytes, if the source can tell. */
  size?(signal?: AbortSignal): Promise<number>;
  /**
   * Reads the ranges; the result has one array per range, in the same order. An array is shorter than asked only
   * when the object ends inside (or before) the range — callers that need the full length must check.
   * Arrays may be views into larger buffers and must be treated as read-only.
   */
  read(ranges: readonly ByteRange[], signal?: AbortSignal): Promise<Uint8Array[]>;
}

/** Throws the signal's reason (an AbortError unless the caller chose another) if it is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError');
}

/** Bad bytes or a missing object where the catalog promised an asset: the upstream data is at fault. */
export function upstreamInvalid(href: string, what: string, cause?: unknown): OpenEOError {
  return new OpenEOError('UpstreamInvalid', `Cannot read asset ${href}: ${what}`, { cause });
}

/** The asset host could not be reached or kept failing after retries. */
export function upstreamUnavailable(href: string, what: string, cause?: unknown): OpenEOError {
  return new OpenEOError('UpstreamUnavailable', `Cannot reach asset ${href}: ${what}`, { cause });
}

