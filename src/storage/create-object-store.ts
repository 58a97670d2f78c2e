/**
 * Builds an ObjectStore from a storage URL: `file:///abs/path` or an absolute path → local folder;
 * `s3://bucket/prefix?endpoint=…&region=…&forcePathStyle=true` → S3, with `options.s3` overriding the URL
 * (credentials belong there, never in the URL).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenEOError } from '../errors.ts';
import { LocalObjectStore } from './local-store.ts';
import type { ObjectStore } from './object-store.ts';
import { parseS3Url, type S3StoreConfig } from './s3-config.ts';
import { LazyS3Store } from './lazy-s3-store.ts';

export interface CreateObjectStoreOptions {
  s3?: Partial<S3StoreConfig>;
}

export function createObjectStore(url: string, options: CreateObjectStoreOptions = {}): ObjectStore {
  if (url.startsWith('s3://')) return new LazyS3Store(parseS3Url(url, options.s3));
  if (url.startsWith('file:')) {
    let p: string;
    try {
      p = fileURLToPath(url);
    } catch (e) {
      throw new OpenEOError('StorageFailure', `Invalid storage URL ${JSON.stringify(url)}: ${(e as Error).message}`, { cause: e });
    }
    return new LocalObjectStore(p);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new OpenEOError('StorageFailure', `Unsupported storage URL ${JSON.stringify(url)}: use file:///… or s3://bucket/prefix.`);
  }
  if (!path.isAbsolute(url)) {
    // Relative paths would depend on the working directory of whichever process opens the store.
    throw new OpenEOError('StorageFailure', `Storage path ${JSON.stringify(url)} must be absolute.`);
  }
  return new LocalObjectStore(url);
}

/** For tests and development: makes sure the store can be written (creates the S3 bucket if missing). */
export async function ensureBucket(store: ObjectStore, signal?: AbortSignal): Promise<boolean> {
  const bucketed = store as Partial<Pick<LazyS3Store, 'ensureBucket'>>;
  return typeof bucketed.ensureBucket === 'function' ? bucketed.ensureBucket(signal) : false;
}
