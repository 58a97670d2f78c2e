/**
 * Turns AWS SDK errors into OpenEOError('StorageFailure') with a message that says what to fix: a missing bucket,
 * an unknown access key, a wrong secret, no credentials at all, an unreachable endpoint. Aborts pass through
 * unchanged so callers can tell cancellation from failure.
 */
import { OpenEOError } from '../errors.ts';

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  Code?: string;
}

export interface S3ErrorContext {
  op: string;
  key?: string;
  bucket: string;
  /** Human-readable location, e.g. "http://127.0.0.1:9000" or "AWS S3". */
  where: string;
}

export const errorName = (e: unknown): string => (e as SdkErrorLike)?.name ?? '';
export const httpStatus = (e: unknown): number | undefined => (e as SdkErrorLike)?.$metadata?.httpStatusCode;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

export function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || errorName(e) === 'AbortError';
}

function networkCode(e: unknown, depth = 0): string | undefined {
  const err = e as SdkErrorLike & { cause?: unknown; errors?: unknown[] };
  if (!err || depth > 5) return undefined;
  if (err.code && NETWORK_CODES.has(err.code)) return err.code;
  return networkCode(err.cause, depth + 1) ?? (err.errors ? networkCode(err.errors[0], depth + 1) : undefined);
}

/** A message for failures that are about the bucket or the credentials rather than one object, else undefined. */
export function describeAccessProblem(e: unknown, ctx: S3ErrorContext): string | undefined {
  const name = errorName(e);
  const status = httpStatus(e);
  const bucket = `S3 bucket "${ctx.bucket}" at ${ctx.where}`;
  switch (name) {
    case 'NoSuchBucket':
      return `${bucket} does not exist (create it first, or check the bucket name and endpoint).`;
    case 'InvalidAccessKeyId':
      return `S3 credentials rejected by ${ctx.where}: the access key id is unknown (InvalidAccessKeyId).`;
    case 'SignatureDoesNotMatch':
      return `S3 credentials rejected by ${ctx.where}: the signature does not match: wrong secret access key, or an access key id this server does not know (SignatureDoesNotMatch).`;
    case 'InvalidToken':
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
      return `S3 credentials rejected by ${ctx.where}: the session token is invalid or expired (${name}).`;
    case 'CredentialsProviderError':
      return `No S3 credentials found for ${bucket}: configure an access key or provide one through the standard AWS chain (environment, shared config files, instance or container role).`;
    case 'AccessDenied':
    case 'AllAccessDisabled':
      return `Access denied to ${bucket} (${name}): the credentials are valid but lack permission for ${ctx.op}.`;
  }
  if (status === 403) return `Access denied to ${bucket} (HTTP 403 on ${ctx.op}): wrong credentials or missing permissions.`;
  const code = networkCode(e);
  if (code) return `Cannot reach the S3 endpoint ${ctx.where} (${code}).`;
  if (/region is missing/i.test((e as SdkErrorLike)?.message ?? '')) {
    return `No S3 region configured for ${bucket}: set a region in the storage configuration or AWS_REGION.`;
  }
  return undefined;
}

export function toStorageError(e: unknown, ctx: S3ErrorContext): unknown {
  if (e instanceof OpenEOError || errorName(e) === 'AbortError') return e;
  const access = describeAccessProblem(e, ctx);
  if (access) return new OpenEOError('StorageFailure', access, { cause: e });
  const what = ctx.key === undefined ? `on bucket "${ctx.bucket}"` : `of "${ctx.key}" in bucket "${ctx.bucket}"`;
  const status = httpStatus(e);
  const detail = [errorName(e), status ? `HTTP ${status}` : '', (e as SdkErrorLike)?.message ?? String(e)].filter(Boolean).join(', ');
  return new OpenEOError('StorageFailure', `S3 ${ctx.op} ${what} at ${ctx.where} failed: ${detail}.`, { cause: e });
}
