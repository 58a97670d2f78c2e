/** Chooses a ByteSource for an asset href by its scheme: a path or file:// URL, http(s)://, s3://bucket/key. */
import type { S3Client } from '@aws-sdk/client-s3';
import { isAbsolute, resolve } from 'node:path';
import { OpenEOError } from '../errors.ts';
import type { ByteSource } from './byte-source.ts';
import { FileSource } from './file-source.ts';
import { HttpSource, type HttpSourceOptions } from './http-source.ts';
import { S3Source } from './s3-source.ts';

export interface OpenSourceContext {
  /** The client for s3:// hrefs, or a function choosing one per bucket. Without it s3:// hrefs are rejected. */
  s3?: S3Client | ((bucket: string) => S3Client | Promise<S3Client>);
  http?: HttpSourceOptions;
  /** Relative paths are resolved against this folder; without it they are rejected (no cwd-relative reads). */
  baseDir?: string;
}

export function openSource(href: string, ctx: OpenSourceContext = {}): ByteSource {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(href)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return new HttpSource(href, ctx.http);
  if (scheme === 'file') return new FileSource(href);
  if (scheme === 's3') {
    const m = /^s3:\/\/([^/]+)\/(.+)$/i.exec(href);
    if (!m) throw new OpenEOError('UpstreamInvalid', `Cannot read asset ${href}: expected s3://bucket/key`);
    if (!ctx.s3) throw new OpenEOError('UpstreamUnavailable', `Cannot read asset ${href}: no S3 client configured`);
    const { s3 } = ctx;
    const bucket = m[1];
    return new S3Source(typeof s3 === 'function' ? async () => s3(bucket) : s3, bucket, m[2]);
  }
  if (scheme !== undefined) {
    throw new OpenEOError('UpstreamInvalid', `Cannot read asset ${href}: unsupported URL scheme '${scheme}'`);
  }
  if (isAbsolute(href)) return new FileSource(href);
  if (ctx.baseDir) return new FileSource(resolve(ctx.baseDir, href));
  throw new OpenEOError('UpstreamInvalid', `Cannot read asset ${href}: relative path without a base folder`);
}
