/**
 * S3ObjectStore against a real S3-compatible server: OpenStack Swift + s3api started by
 * .ci/services/swift-s3/start.sh with SWIFT_S3_COMPAT=0 (stock behaviour, as many production stores).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { OpenEOError } from '../../src/errors.ts';
import type { ObjectStore } from '../../src/storage/index.ts';
import { LazyS3Store } from '../../src/storage/lazy-s3-store.ts';
import { S3ObjectStore } from '../../src/storage/s3-store.ts';
import { inChunks, pattern, storeContract } from './contract.ts';
import { openS3TestStore, s3TestConfig } from './s3-env.ts';

const MiB = 1024 * 1024;

async function dispose(store: ObjectStore): Promise<void> {
  await store.deletePrefix('');
  await store.close();
}

storeContract('S3 (Swift s3api)', { open: () => openS3TestStore(), close: dispose });
// the store createObjectStore gives for s3:// URLs: the same store behind an SDK loaded at the first request
storeContract('S3 (Swift s3api) through LazyS3Store', {
  open: async () => {
    const eager = await openS3TestStore(); // checks the server and the bucket
    await eager.close();
    return new LazyS3Store(eager.config);
  },
  close: dispose,
});

describe('S3ObjectStore specifics', () => {
  let store: S3ObjectStore;
  before(async () => {
    store = await openS3TestStore({ partSize: 5 * MiB, partConcurrency: 2 });
  });
  after(async () => {
    if (store) await dispose(store);
  });

  test('large objects are uploaded in parts and read back exactly', async () => {
    const bytes = pattern(12 * MiB, 3);
    await store.put('big/streamed', inChunks(bytes, 1_000_003));
    const info = await store.head('big/streamed');
    assert.equal(info?.size, bytes.byteLength);
    assert.match(info?.etag ?? '', /-3"?$/, 'multipart ETag names the number of parts: 5 + 5 + 2 MiB');
    assert.deepEqual(await store.get('big/streamed'), bytes);
    // A range across the first part boundary.
    const at = 5 * MiB - 10;
    assert.deepEqual(await store.get('big/streamed', { range: { offset: at, length: 20 } }), bytes.subarray(at, at + 20));

    await store.put('big/bytes', bytes.subarray(0, 11 * MiB));
    assert.match((await store.head('big/bytes'))?.etag ?? '', /-3"?$/);
    assert.deepEqual(await store.get('big/bytes', { range: { suffixLength: 1000 } }), bytes.subarray(11 * MiB - 1000, 11 * MiB));
  });

  test('a failing upload leaves no object and no pending multipart upload', async () => {
    async function* breaks(): AsyncGenerator<Uint8Array> {
      yield pattern(6 * MiB);
      yield pattern(1 * MiB);
      throw new Error('source broke');
    }
    await assert.rejects(store.put('big/broken', breaks()), /source broke/);
    assert.equal(await store.head('big/broken'), undefined);
    const pending = await store.client.send(
      new ListMultipartUploadsCommand({ Bucket: store.config.bucket, Prefix: `${store.config.prefix}/big/broken` }),
    );
    assert.deepEqual(pending.Uploads ?? [], []);
  });

  test('aborting a multipart upload rejects with AbortError and cleans up', async () => {
    const ac = new AbortController();
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield pattern(5 * MiB);
      yield pattern(5 * MiB);
      ac.abort();
      yield pattern(1 * MiB);
    }
    await assert.rejects(store.put('big/aborted', slow(), {}, ac.signal), { name: 'AbortError' });
    assert.equal(await store.head('big/aborted'), undefined);
    const pending = await store.client.send(
      new ListMultipartUploadsCommand({ Bucket: store.config.bucket, Prefix: `${store.config.prefix}/big/aborted` }),
    );
    assert.deepEqual(pending.Uploads ?? [], []);
  });

  test('content type is kept and keys are relative to the root prefix', async () => {
    await store.put('typed.json', new TextEncoder().encode('{}'), { contentType: 'application/json' });
    const s = await store.getStream('typed.json');
    assert.equal(s?.contentType, 'application/json');
    s?.body.destroy();
    const other = new S3ObjectStore({ ...s3TestConfig(), prefix: `${store.config.prefix}-other` });
    try {
      await other.put('typed.json', new Uint8Array([1]));
      const keys: string[] = [];
      for await (const e of store.list('typed')) keys.push(e.key);
      assert.deepEqual(keys, ['typed.json']);
    } finally {
      await dispose(other);
    }
  });

  test('ensureBucket is idempotent', async () => {
    assert.equal(await store.ensureBucket(), false);
  });

  test('a missing bucket is a StorageFailure that names the bucket', async () => {
    const bucket = `openeo-missing-${randomBytes(4).toString('hex')}`;
    const missing = new S3ObjectStore(s3TestConfig({ bucket }));
    const expected = (e: unknown) =>
      e instanceof OpenEOError && e.code === 'StorageFailure' && e.message.includes(`"${bucket}"`) && /does not exist/.test(e.message);
    try {
      await assert.rejects(missing.get('k'), expected);
      await assert.rejects(missing.head('k'), expected);
      await assert.rejects(missing.put('k', new Uint8Array(1)), expected);
      await assert.rejects(missing.deletePrefix('x/'), expected);
      await assert.rejects(missing.getStream('k'), expected);
    } finally {
      await missing.close();
    }
  });

  test('wrong credentials are a StorageFailure that says so, distinct from a missing bucket', async () => {
    const base = s3TestConfig();
    for (const credentials of [
      { accessKeyId: base.credentials!.accessKeyId, secretAccessKey: 'wrong-secret' },
      { accessKeyId: 'nobody:nobody', secretAccessKey: 'wrong-secret' },
    ]) {
      const wrong = new S3ObjectStore({ ...base, prefix: store.config.prefix, credentials });
      const expected = (e: unknown) =>
        e instanceof OpenEOError && e.code === 'StorageFailure' && /credentials rejected/.test(e.message) && !/does not exist/.test(e.message);
      try {
        await assert.rejects(wrong.get('typed.json'), expected);
        await assert.rejects(wrong.head('typed.json'), expected);
        await assert.rejects(wrong.put('k', new Uint8Array(1)), expected);
        await assert.rejects(wrong.deletePrefix(''), expected);
      } finally {
        await wrong.close();
      }
    }
  });

  // Shows whether the Content-MD5 path above is really needed by this server (it is for stock Swift).
  test('stock Swift refuses DeleteObjects without Content-MD5', async (t) => {
    const plain = new S3ObjectStore({ ...s3TestConfig(), prefix: store.config.prefix, deleteWithContentMd5: false });
    try {
      await plain.put('md5/x', new Uint8Array([1]));
      const outcome = await plain.deletePrefix('md5/').then(() => undefined, (e: unknown) => e);
      if (outcome === undefined) {
        t.skip('this server accepts DeleteObjects with flexible checksums (not stock Swift, e.g. SWIFT_S3_COMPAT=1)');
        return;
      }
      assert.ok(outcome instanceof OpenEOError && /Content-MD5/i.test(outcome.message), String(outcome));
    } finally {
      await plain.close();
    }
  });
});
