/**
 * The one storage abstraction of the backend: a flat key space of immutable byte objects, implemented by a local
 * folder and by S3. Deliberately narrow so that caching, range merging and format adapters are wrappers, not
 * subclasses. A missing key is `undefined`, never an exception; infrastructure failures are
 * `OpenEOError('StorageFailure')` and aborts rethrow the signal's error.
 */
import type { Readable } from 'node:stream';

/** Bytes `[offset, offset + length)`, or the last `suffixLength` bytes. Ranges past the end are clamped. */
export type ByteRange = { offset: number; length: number } | { suffixLength: number };

export interface ObjectInfo {
  size: number;
  etag?: string;
  lastModified?: Date;
}

export interface ListEntry {
  key: string;
  size: number;
}

/** Anything yielding bytes: a Node Readable, a web ReadableStream or an async generator. */
export type PutBody = Uint8Array | AsyncIterable<Uint8Array>;

export interface PutOptions {
  contentType?: string;
}

export interface GetOptions {
  range?: ByteRange;
}

/** An open object body for serving it (e.g. over HTTP with Range); the caller must consume or destroy `body`. */
export interface ObjectStream extends ObjectInfo {
  body: Readable;
  /** First byte of `body` within the object. */
  offset: number;
  /** Number of bytes `body` yields (0 when the range starts at or past the end). */
  length: number;
  contentType?: string;
}

export interface ObjectStore {
  /** Where the store lives, for logs and messages (`file:///…` or `s3://bucket/prefix`); never has credentials. */
  readonly url: string;
  get(key: string, options?: GetOptions, signal?: AbortSignal): Promise<Uint8Array | undefined>;
  getStream(key: string, options?: GetOptions, signal?: AbortSignal): Promise<ObjectStream | undefined>;
  head(key: string, signal?: AbortSignal): Promise<ObjectInfo | undefined>;
  put(key: string, body: PutBody, options?: PutOptions, signal?: AbortSignal): Promise<void>;
  /** Keys starting with `prefix` (plain string prefix, like S3), in no guaranteed order. */
  list(prefix: string, signal?: AbortSignal): AsyncIterable<ListEntry>;
  /** Deletes every key starting with `prefix`; returns how many were deleted. */
  deletePrefix(prefix: string, signal?: AbortSignal): Promise<number>;
  /** Deletes one key; deleting a missing key is not an error. */
  delete(key: string, signal?: AbortSignal): Promise<void>;
  /** Releases sockets or handles; the store must not be used afterwards. */
  close(): Promise<void>;
}

/** Resolves a range against an object size: the half-open interval actually served. */
export function resolveRange(range: ByteRange | undefined, size: number): { start: number; end: number } {
  if (range === undefined) return { start: 0, end: size };
  if ('suffixLength' in range) return { start: Math.max(0, size - range.suffixLength), end: size };
  const start = Math.min(range.offset, size);
  return { start, end: Math.min(size, start + range.length) };
}
