/**
 * S3 objects read with ranged GetObject. The S3Client is passed in (endpoint, credentials, retries are the
 * caller's configuration); nothing global is configured here.
 */
import { forEachLimit } from '../async.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import { type ByteRange, type ByteSource, upstreamInvalid, upstreamUnavailable } from './byte-source.ts';

type S3Sdk = typeof import('@aws-sdk/client-s3');
let sdk: Promise<S3Sdk> | undefined;

/** The AWS SDK, loaded at the first S3 read: it costs ~130 ms of CPU and ~20 MB in every process and thread. */
export const loadS3Sdk = (): Promise<S3Sdk> => (sdk ??= import('@aws-sdk/client-s3'));

/** A client, or a function making one when first needed. */
export type S3ClientSource = S3Client | (() => Promise<S3Client>);

export interface S3SourceOptions {
  /** Parallel GetObject calls per read() call. Default 8. */
  concurrency?: number;
}

interface S3ErrorShape {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

export class S3Source implements ByteSource {
  readonly id: string;
  private knownSize: number | undefined;
  private readonly concurrency: number;

  constructor(
    private readonly client: S3ClientSource,
    readonly bucket: string,
    readonly key: string,
    options: S3SourceOptions = {},
  ) {
    this.id = `s3://${bucket}/${key}`;
    this.concurrency = options.concurrency ?? 8;
  }

  async size(signal?: AbortSignal): Promise<number> {
    if (this.knownSize !== undefined) return this.knownSize;
    try {
      const { HeadObjectCommand } = await loadS3Sdk();
      const head = await (await this.connect()).send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key }), {
        abortSignal: signal,
      });
      this.knownSize = head.ContentLength ?? 0;
      return this.knownSize;
    } catch (e) {
      throw this.wrap(e, signal);
    }
  }

  async read(ranges: readonly ByteRange[], signal?: AbortSignal): Promise<Uint8Array[]> {
    signal?.throwIfAborted();
    const out = new Array<Uint8Array>(ranges.length);
    await forEachLimit(ranges, this.concurrency, async (r, i) => {
      out[i] = await this.readOne(r, signal);
    });
    return out;
  }

  private async readOne({ offset, length }: ByteRange, signal?: AbortSignal): Promise<Uint8Array> {
    if (length <= 0) return new Uint8Array(0);
    try {
      const { GetObjectCommand } = await loadS3Sdk();
      const res = await (await this.connect()).send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key, Range: `bytes=${offset}-${offset + length - 1}` }),
        { abortSignal: signal },
      );
      const m = res.ContentRange && /\/(\d+)$/.exec(res.ContentRange);
      if (m) this.knownSize = Number(m[1]);
      if (!res.Body) return new Uint8Array(0);
      const body = await res.Body.transformToByteArray();
      // a store that ignores Range sends the whole object
      if (!res.ContentRange && body.length > length) return body.subarray(offset, offset + length);
      return body.length > length ? body.subarray(0, length) : body;
    } catch (e) {
      if (this.status(e) === 416 || (e as S3ErrorShape)?.name === 'InvalidRange') return new Uint8Array(0);
      throw this.wrap(e, signal);
    }
  }

  private connect(): S3Client | Promise<S3Client> {
    return typeof this.client === 'function' ? this.client() : this.client;
  }

  private status(e: unknown): number | undefined {
    return (e as S3ErrorShape)?.$metadata?.httpStatusCode;
  }

  private wrap(e: unknown, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return signal.reason;
    const name = (e as S3ErrorShape)?.name ?? (e as S3ErrorShape)?.Code;
    const status = this.status(e);
    if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket' || status === 404) {
      return upstreamInvalid(this.id, 'object not found', e);
    }
    if (status === 401 || status === 403) return upstreamUnavailable(this.id, `access denied (${name})`, e);
    return upstreamUnavailable(this.id, `S3 request failed (${name ?? (e as Error)?.message ?? e})`, e);
  }
}
