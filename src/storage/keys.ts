/**
 * Key rules shared by all stores, so that a key valid locally is valid on S3 and the reverse: relative,
 * '/'-separated, no empty, '.' or '..' segments, no backslashes or control characters. This is what keeps
 * the local store inside its root; it also keeps S3 keys free of surprises for the HTTP layer.
 */
import { OpenEOError } from '../errors.ts';

const MAX_KEY_BYTES = 1024; // S3's limit
const FORBIDDEN = /[\u0000-\u001f\u007f\\]/;

function invalid(what: string, value: string, why: string): OpenEOError {
  return new OpenEOError('StorageFailure', `Invalid storage ${what} ${JSON.stringify(value)}: ${why}.`);
}

function checkSegments(what: string, value: string, segments: string[]): void {
  for (const s of segments) {
    if (s === '') throw invalid(what, value, 'empty path segment (leading, trailing or double slash)');
    if (s === '.' || s === '..') throw invalid(what, value, `"${s}" segments are not allowed`);
  }
}

function checkChars(what: string, value: string): void {
  if (FORBIDDEN.test(value)) throw invalid(what, value, 'control characters and backslashes are not allowed');
  if (Buffer.byteLength(value) > MAX_KEY_BYTES) throw invalid(what, value, `longer than ${MAX_KEY_BYTES} bytes`);
}

/** Throws StorageFailure unless `key` is a valid object key; returns its segments. */
export function validateKey(key: string): string[] {
  if (typeof key !== 'string' || key === '') throw invalid('key', String(key), 'must be a non-empty string');
  checkChars('key', key);
  const segments = key.split('/');
  checkSegments('key', key, segments);
  return segments;
}

/**
 * A prefix is any valid key, a valid key followed by '/', or '' (everything). Its last segment may be partial
 * ("jobs/ab" matches "jobs/abc/x"), but never '.' or '..'.
 */
export function validatePrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw invalid('prefix', String(prefix), 'must be a string');
  if (prefix === '') return;
  checkChars('prefix', prefix);
  const segments = prefix.split('/');
  if (prefix.endsWith('/')) segments.pop();
  checkSegments('prefix', prefix, segments);
}

/** Joins a root prefix ('' or 'a/b') and a key or prefix. */
export function joinKey(root: string, key: string): string {
  return root === '' ? key : `${root}/${key}`;
}

/** Normalises a configured root prefix: strips surrounding slashes and validates what remains. */
export function normaliseRoot(root: string | undefined): string {
  const trimmed = (root ?? '').replace(/^\/+|\/+$/g, '');
  if (trimmed !== '') validateKey(trimmed);
  return trimmed;
}
