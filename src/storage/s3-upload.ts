/**
 * Uploads one object to S3: a single PutObject when it fits in one part, else a multipart upload with a bounded
 * number of parts in flight. Streams are regrouped into fixed-size parts first, so the SDK never sends a
 * streaming (aws-chunked) body, which stock Swift and older S3-compatible stores reject. Any failure or abort
 * aborts the multipart upload so no orphaned parts remain.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { rechunk, sliceBytes } from './bytes.ts';
import type { PutBody } from './object-store.ts';

export interface UploadTarget {
  Bucket: string;
  Key: string;
  ContentType?: string;
}

export interface UploadOptions {
  partSize: number;
  partConcurrency: number;
}

/** Returns the number of parts used (1 = plain PutObject). */
export async function uploadObject(
  client: S3Client,
  target: UploadTarget,
  body: PutBody,
  options: UploadOptions,
  signal?: AbortSignal,
): Promise<number> {
  const parts = body instanceof Uint8Array ? sliceBytes(body, options.partSize) : rechunk(body, options.partSize, signal);
  const it = parts[Symbol.asyncIterator]();
  const first = await it.next();
  const firstBytes = first.done ? new Uint8Array(0) : first.value;
  const second = first.done ? first : await it.next();
  if (second.done) {
    await client.send(new PutObjectCommand({ ...target, Body: firstBytes, ContentLength: firstBytes.byteLength }), { abortSignal: signal });
    return 1;
  }
  return uploadMultipart(client, target, options, firstBytes, second.value, it, signal);
}

async function uploadMultipart(
  client: S3Client,
  target: UploadTarget,
  options: UploadOptions,
  first: Uint8Array,
  second: Uint8Array,
  rest: AsyncIterator<Uint8Array>,
  signal?: AbortSignal,
): Promise<number> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand(target), { abortSignal: signal });
  if (!UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
  const { Bucket, Key } = target;
  // Our own controller: a failed part cancels the parts still in flight.
  const local = new AbortController();
  const onAbort = () => local.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const done: CompletedPart[] = [];
  const inflight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;

  const start = (PartNumber: number, bytes: Uint8Array) => {
    const p: Promise<void> = client
      .send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: bytes, ContentLength: bytes.byteLength }), {
        abortSignal: local.signal,
      })
      .then(
        (res) => {
          done.push({ PartNumber, ETag: res.ETag });
        },
        (error: unknown) => {
          if (!failure) failure = { error };
          local.abort();
        },
      )
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };

  try {
    let n = 0;
    const next = async (): Promise<IteratorResult<Uint8Array>> =>
      n === 0 ? { done: false, value: first } : n === 1 ? { done: false, value: second } : rest.next();
    for (let r = await next(); !r.done; r = await next()) {
      start(++n, r.value);
      if (inflight.size >= options.partConcurrency) await Promise.race(inflight);
      if (failure) break;
      signal?.throwIfAborted();
    }
    await Promise.all(inflight);
    if (failure) throw failure.error;
    signal?.throwIfAborted();
    done.sort((a, b) => a.PartNumber! - b.PartNumber!);
    await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: done } }), {
      abortSignal: signal,
    });
    return done.length;
  } catch (e) {
    local.abort();
    await Promise.allSettled(inflight);
    await rest.return?.();
    // Without the caller's signal: cleanup must run even (especially) after an abort.
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => {});
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
