/**
 * ObjectStore on S3 and S3-compatible stores (AWS, Ceph RGW, MinIO, OpenStack Swift s3api). Only plain
 * operations that old and new servers agree on: no conditional PUTs, no tagging, and listings use
 * ListObjectsV2 with ContinuationToken only (never Delimiter together with StartAfter).
 */
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type GetObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { OpenEOError } from '../errors.ts';
import { joinKey, validateKey, validatePrefix } from './keys.ts';
import {
  resolveRange,
  type ByteRange,
  type GetOptions,
  type ListEntry,
  type ObjectInfo,
  type ObjectStore,
  type ObjectStream,
  type PutBody,
  type PutOptions,
} from './object-store.ts';
import { createS3Client } from './s3-client.ts';
import { resolveS3Config, type ResolvedS3Config, type S3StoreConfig } from './s3-config.ts';
import { errorName, httpStatus, toStorageError, type S3ErrorContext } from './s3-errors.ts';
import { useContentMd5 } from './s3-content-md5.ts';
import { uploadObject } from './s3-upload.ts';

/** DeleteObjects accepts at most this many keys per request. */
const DELETE_BATCH = 1000;

const isMissingKey = (e: unknown) => errorName(e) === 'NoSuchKey' || (errorName(e) === 'NotFound' && httpStatus(e) === 404);
const isInvalidRange = (e: unknown) => errorName(e) === 'InvalidRange' || httpStatus(e) === 416;

function rangeHeader(range: ByteRange | undefined): string | undefined {
  if (range === undefined) return undefined;
  if ('suffixLength' in range) return `bytes=-${range.suffixLength}`;
  return `bytes=${range.offset}-${range.offset + range.length - 1}`;
}

/** Ranges that select nothing are answered from HEAD: S3 cannot express them. */
const isEmptyRange = (r: ByteRange | undefined) =>
  r !== undefined && ('suffixLength' in r ? r.suffixLength <= 0 : r.length <= 0);

function parseContentRange(value: string | undefined): { start: number; end: number; size: number } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value ?? '');
  return m ? { start: Number(m[1]), end: Number(m[2]) + 1, size: Number(m[3]) } : undefined;
}

export class S3ObjectStore implements ObjectStore {
  readonly url: string;
  readonly config: Readonly<ResolvedS3Config>;
  readonly client: S3Client;
  private readonly where: string;

  constructor(config: S3StoreConfig, client?: S3Client) {
    this.config = resolveS3Config(config);
    this.client = client ?? createS3Client(this.config);
    this.url = `s3://${this.config.bucket}/${this.config.prefix}`;
    this.where = this.config.endpoint ?? `AWS S3 (${this.config.region ?? 'default region'})`;
  }

  private fullKey(key: string): string {
    validateKey(key);
    return joinKey(this.config.prefix, key);
  }

  private fullPrefix(prefix: string): string {
    validatePrefix(prefix);
    return this.config.prefix === '' ? prefix : `${this.config.prefix}/${prefix}`;
  }

  private fail(e: unknown, op: string, key: string | undefined, signal?: AbortSignal): never {
    if (signal?.aborted) throw signal.reason;
    const ctx: S3ErrorContext = { op, key, bucket: this.config.bucket, where: this.where };
    throw toStorageError(e, ctx);
  }

  /**
   * HEAD responses have no body, so a 404 or 403 there cannot say whether the key, the bucket or the credentials
   * are at fault. A one-key listing can: it throws the precise error, or returns if the bucket is fine.
   */
  private async probeBucket(signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(new ListObjectsV2Command({ Bucket: this.config.bucket, MaxKeys: 1, Prefix: this.fullPrefix('') }), {
        abortSignal: signal,
      });
    } catch (e) {
      this.fail(e, 'list', undefined, signal);
    }
  }

  private async getObject(key: string, range: ByteRange | undefined, signal?: AbortSignal): Promise<GetObjectCommandOutput | 'missing' | 'unsatisfiable'> {
    try {
      return await this.client.send(
        new GetObjectCommand({ Bucket: this.config.bucket, Key: this.fullKey(key), Range: rangeHeader(range) }),
        { abortSignal: signal },
      );
    } catch (e) {
      if (isMissingKey(e)) return 'missing';
      if (isInvalidRange(e)) return 'unsatisfiable';
      this.fail(e, 'GET', key, signal);
    }
  }

  async get(key: string, options: GetOptions = {}, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const { range } = options;
    if (isEmptyRange(range)) return (await this.head(key, signal)) ? new Uint8Array(0) : undefined;
    const res = await this.getObject(key, range, signal);
    if (res === 'missing') return undefined;
    if (res === 'unsatisfiable') return new Uint8Array(0); // range starts at or past the end
    let bytes: Uint8Array;
    try {
      bytes = await res.Body!.transformToByteArray();
    } catch (e) {
      this.fail(e, 'GET', key, signal);
    }
    // A server that ignores Range sends the whole object.
    if (range !== undefined && res.ContentRange === undefined) {
      const { start, end } = resolveRange(range, bytes.byteLength);
      return bytes.subarray(start, end);
    }
    return bytes;
  }

  async getStream(key: string, options: GetOptions = {}, signal?: AbortSignal): Promise<ObjectStream | undefined> {
    const { range } = options;
    const res = isEmptyRange(range) ? 'unsatisfiable' : await this.getObject(key, range, signal);
    if (res === 'missing') return undefined;
    if (res === 'unsatisfiable') {
      const info = await this.head(key, signal);
      if (!info) return undefined;
      return { ...info, body: Readable.from([]), offset: resolveRange(range, info.size).start, length: 0 };
    }
    const body = res.Body;
    if (!(body instanceof Readable)) this.fail(new Error('response body is not a Node stream'), 'GET', key, signal);
    const cr = parseContentRange(res.ContentRange);
    const size = cr?.size ?? res.ContentLength ?? 0;
    if (range !== undefined && !cr) {
      const { start, end } = resolveRange(range, size);
      if (start !== 0 || end !== size) {
        body.destroy();
        this.fail(new Error('the server ignored the Range header'), 'GET', key, signal);
      }
    }
    return {
      body,
      offset: cr?.start ?? 0,
      length: cr ? cr.end - cr.start : size,
      size,
      etag: res.ETag,
      lastModified: res.LastModified,
      contentType: res.ContentType,
    };
  }

  async head(key: string, signal?: AbortSignal): Promise<ObjectInfo | undefined> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.fullKey(key) }), {
        abortSignal: signal,
      });
      return { size: res.ContentLength ?? 0, etag: res.ETag, lastModified: res.LastModified };
    } catch (e) {
      if (isMissingKey(e) || httpStatus(e) === 403) {
        await this.probeBucket(signal); // throws when the bucket or the credentials are at fault
        if (isMissingKey(e)) return undefined;
      }
      this.fail(e, 'HEAD', key, signal);
    }
  }

  async put(key: string, body: PutBody, options: PutOptions = {}, signal?: AbortSignal): Promise<void> {
    const target = { Bucket: this.config.bucket, Key: this.fullKey(key), ContentType: options.contentType };
    try {
      await uploadObject(this.client, target, body, this.config, signal);
    } catch (e) {
      this.fail(e, 'PUT', key, signal);
    }
  }

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<ListEntry> {
    const full = this.fullPrefix(prefix);
    const strip = this.config.prefix === '' ? 0 : this.config.prefix.length + 1;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: full, ContinuationToken: token }),
          { abortSignal: signal },
        );
      } catch (e) {
        this.fail(e, 'list', prefix, signal);
      }
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) yield { key: o.Key.slice(strip), size: o.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && !token) this.fail(new Error('truncated listing without a continuation token'), 'list', prefix);
    } while (token);
  }

  async deletePrefix(prefix: string, signal?: AbortSignal): Promise<number> {
    let batch: string[] = [];
    let count = 0;
    for await (const { key } of this.list(prefix, signal)) {
      batch.push(key);
      if (batch.length === DELETE_BATCH) {
        count += await this.deleteBatch(batch, signal);
        batch = [];
      }
    }
    if (batch.length > 0) count += await this.deleteBatch(batch, signal);
    return count;
  }

  private async deleteBatch(keys: string[], signal?: AbortSignal): Promise<number> {
    const command = new DeleteObjectsCommand({
      Bucket: this.config.bucket,
      Delete: { Objects: keys.map((k) => ({ Key: joinKey(this.config.prefix, k) })), Quiet: true },
    });
    if (this.config.deleteWithContentMd5) useContentMd5(command);
    let res;
    try {
      res = await this.client.send(command, { abortSignal: signal });
    } catch (e) {
      this.fail(e, 'DeleteObjects', `${keys[0]}…`, signal);
    }
    const errors = (res.Errors ?? []).filter((x) => x.Code !== 'NoSuchKey');
    if (errors.length > 0) {
      const first = errors[0];
      throw new OpenEOError(
        'StorageFailure',
        `S3 DeleteObjects in bucket "${this.config.bucket}" failed for ${errors.length} of ${keys.length} keys, e.g. "${first.Key}": ${first.Code} ${first.Message ?? ''}`.trim(),
      );
    }
    return keys.length;
  }

  async delete(key: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.fullKey(key) }), { abortSignal: signal });
    } catch (e) {
      if (isMissingKey(e)) return;
      this.fail(e, 'DELETE', key, signal);
    }
  }

  /** For tests and development: creates the bucket unless it exists. Returns true if it was created. */
  async ensureBucket(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.send(new ListObjectsV2Command({ Bucket: this.config.bucket, MaxKeys: 1 }), { abortSignal: signal });
      return false;
    } catch (e) {
      if (errorName(e) !== 'NoSuchBucket') this.fail(e, 'list', undefined, signal);
    }
    const region = this.config.region;
    try {
      await this.client.send(
        new CreateBucketCommand({
          Bucket: this.config.bucket,
          // us-east-1 is the default location and must not be named explicitly.
          ...(region && region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as never } } : {}),
        }),
        { abortSignal: signal },
      );
      return true;
    } catch (e) {
      if (errorName(e) === 'BucketAlreadyOwnedByYou') return false; // created concurrently
      this.fail(e, 'CreateBucket', undefined, signal);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
