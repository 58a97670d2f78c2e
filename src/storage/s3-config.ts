/**
 * Configuration of an S3 store and the client built from it. The client is set up for S3-compatible stores that
 * predate the AWS SDK's 2025 checksum defaults (stock OpenStack Swift, older Ceph RGW and MinIO): checksums only
 * when an operation requires them, and Content-MD5 on DeleteObjects (see s3-store.ts).
 */
import { OpenEOError } from '../errors.ts';
import { normaliseRoot } from './keys.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './s3-retry.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type ChecksumMode = 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';

export interface S3StoreConfig {
  bucket: string;
  /** Root prefix inside the bucket ('' = bucket root); keys of the store live below it. */
  prefix?: string;
  /** e.g. http://127.0.0.1:9000; omitted = AWS (or AWS_ENDPOINT_URL* through the SDK's own config chain). */
  endpoint?: string;
  /** Defaults to us-east-1 with a custom endpoint, else to the SDK's chain (AWS_REGION, profile). */
  region?: string;
  forcePathStyle?: boolean;
  /** Omitted = the standard AWS credential chain (env, shared files, SSO, instance/container roles). */
  credentials?: S3Credentials;
  requestChecksumCalculation?: ChecksumMode;
  responseChecksumValidation?: ChecksumMode;
  /** Send DeleteObjects with Content-MD5 instead of the SDK's CRC32 checksum (stock Swift requires it). */
  deleteWithContentMd5?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Objects larger than this are uploaded in parts of this size (>= 5 MiB, S3's minimum part size). */
  partSize?: number;
  /** Parts uploaded at the same time for one object. */
  partConcurrency?: number;
}

export type ResolvedS3Config = Required<Omit<S3StoreConfig, 'endpoint' | 'region' | 'credentials' | 'retry'>> &
  Pick<S3StoreConfig, 'endpoint' | 'region' | 'credentials'> & { retry: RetryPolicy };

export const MIN_PART_SIZE = 5 * 1024 * 1024;

function configError(message: string): OpenEOError {
  return new OpenEOError('StorageFailure', `Invalid S3 storage configuration: ${message}`);
}

/** Applies defaults and checks the values; the result is frozen. */
export function resolveS3Config(config: S3StoreConfig): Readonly<ResolvedS3Config> {
  // DNS-compatible names only: path-style and virtual-hosted addressing both work with them.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(config.bucket ?? '')) {
    throw configError(`bucket name ${JSON.stringify(config.bucket)} is not a valid S3 bucket name.`);
  }
  if (config.endpoint !== undefined && !/^https?:\/\/[^/]+/.test(config.endpoint)) {
    throw configError(`endpoint ${JSON.stringify(config.endpoint)} must be an http(s) URL.`);
  }
  const partSize = config.partSize ?? 8 * 1024 * 1024;
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE) throw configError(`partSize must be an integer >= ${MIN_PART_SIZE}.`);
  const partConcurrency = config.partConcurrency ?? 4;
  if (!Number.isInteger(partConcurrency) || partConcurrency < 1) throw configError('partConcurrency must be a positive integer.');
  const retry = { ...DEFAULT_RETRY_POLICY, ...config.retry };
  if (!(retry.maxAttempts >= 1)) throw configError('retry.maxAttempts must be >= 1.');
  return Object.freeze({
    bucket: config.bucket,
    prefix: normaliseRoot(config.prefix),
    endpoint: config.endpoint?.replace(/\/+$/, ''),
    region: config.region ?? (config.endpoint ? 'us-east-1' : undefined),
    forcePathStyle: config.forcePathStyle ?? false,
    credentials: config.credentials,
    requestChecksumCalculation: config.requestChecksumCalculation ?? 'WHEN_REQUIRED',
    responseChecksumValidation: config.responseChecksumValidation ?? 'WHEN_REQUIRED',
    deleteWithContentMd5: config.deleteWithContentMd5 ?? true,
    retry: Object.freeze(retry),
    partSize,
    partConcurrency,
  });
}

const BOOL: Record<string, boolean> = { true: true, '1': true, yes: true, false: false, '0': false, no: false };

/**
 * Parses `s3://bucket/prefix?endpoint=…&region=…&forcePathStyle=true`. Credentials are never taken from URLs
 * (they would end up in logs); pass them in `overrides` or use the AWS chain.
 */
export function parseS3Url(url: string, overrides: Partial<S3StoreConfig> = {}): S3StoreConfig {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw configError(`${JSON.stringify(url)} is not a URL.`);
  }
  if (u.protocol !== 's3:') throw configError(`${JSON.stringify(url)} is not an s3:// URL.`);
  if (u.username || u.password) throw configError('credentials must not be part of the storage URL.');
  const q = u.searchParams;
  const known = new Set(['endpoint', 'region', 'forcePathStyle']);
  for (const name of q.keys()) if (!known.has(name)) throw configError(`unknown URL parameter "${name}".`);
  const fps = q.get('forcePathStyle');
  if (fps !== null && !(fps.toLowerCase() in BOOL)) throw configError(`forcePathStyle must be true or false, got "${fps}".`);
  const fromUrl: S3StoreConfig = {
    bucket: decodeURIComponent(u.hostname),
    prefix: decodeURIComponent(u.pathname),
    ...(q.get('endpoint') ? { endpoint: q.get('endpoint')! } : {}),
    ...(q.get('region') ? { region: q.get('region')! } : {}),
    ...(fps !== null ? { forcePathStyle: BOOL[fps.toLowerCase()] } : {}),
  };
  return { ...fromUrl, ...stripUndefined(overrides) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
