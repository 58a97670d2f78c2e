import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpenEOError } from '../../src/errors.ts';
import {
  createObjectStore,
  ensureBucket,
  LocalObjectStore,
  parseS3Url,
  resolveRange,
  resolveS3Config,
  LazyS3Store,
  validatePrefix,
} from '../../src/storage/index.ts';

test('file URLs and absolute paths make local stores; relative paths are refused', async () => {
  const a = createObjectStore('file:///var/lib/openeo/results');
  assert.ok(a instanceof LocalObjectStore);
  assert.equal(a.root, '/var/lib/openeo/results');
  assert.equal(a.url, 'file:///var/lib/openeo/results');
  const b = createObjectStore('/tmp/x y');
  assert.ok(b instanceof LocalObjectStore);
  assert.equal(b.url, 'file:///tmp/x%20y');
  assert.equal(await ensureBucket(b), false);
  assert.throws(() => createObjectStore('results'), (e: unknown) => e instanceof OpenEOError && /absolute/.test(e.message));
  assert.throws(() => createObjectStore('gs://bucket/x'), /Unsupported storage URL/);
});

test('s3 URLs carry bucket, prefix, endpoint, region and path style; options override them', async () => {
  const store = createObjectStore('s3://results/openeo/jobs/?endpoint=http://127.0.0.1:9000&region=eu-west-1&forcePathStyle=true', {
    s3: { credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, region: undefined },
  });
  assert.ok(store instanceof LazyS3Store);
  assert.equal(store.url, 's3://results/openeo/jobs');
  assert.deepEqual(
    [store.config.bucket, store.config.prefix, store.config.endpoint, store.config.region, store.config.forcePathStyle],
    ['results', 'openeo/jobs', 'http://127.0.0.1:9000', 'eu-west-1', true],
  );
  assert.equal(store.config.credentials?.accessKeyId, 'a');
  // Defaults that keep older S3-compatible stores working.
  assert.equal(store.config.requestChecksumCalculation, 'WHEN_REQUIRED');
  assert.equal(store.config.responseChecksumValidation, 'WHEN_REQUIRED');
  assert.equal(store.config.deleteWithContentMd5, true);
  await store.close();

  assert.equal(parseS3Url('s3://b1/p', { region: 'x' }).region, 'x');
  assert.equal(parseS3Url('s3://bucket').prefix, '');
  assert.equal(resolveS3Config({ bucket: 'bucket', endpoint: 'http://h:1/' }).region, 'us-east-1');
  assert.equal(resolveS3Config({ bucket: 'bucket' }).region, undefined);
});

test('bad S3 configurations are refused up front', () => {
  const bad = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof OpenEOError && e.code === 'StorageFailure' && re.test(e.message));
  bad(() => createObjectStore('s3://user:pw@bucket/x'), /credentials must not be part/);
  bad(() => createObjectStore('s3://bucket/x?secret=1'), /unknown URL parameter "secret"/);
  bad(() => createObjectStore('s3://bucket/x?forcePathStyle=maybe'), /forcePathStyle/);
  bad(() => createObjectStore('s3://Bad_Bucket/x'), /bucket name/);
  bad(() => createObjectStore('s3://bucket/a//b'), /Invalid storage key/);
  bad(() => resolveS3Config({ bucket: 'bucket', partSize: 1024 }), /partSize/);
  bad(() => resolveS3Config({ bucket: 'bucket', endpoint: 'localhost:9000' }), /endpoint/);
});

test('ranges resolve against the object size', () => {
  assert.deepEqual(resolveRange(undefined, 10), { start: 0, end: 10 });
  assert.deepEqual(resolveRange({ offset: 8, length: 5 }, 10), { start: 8, end: 10 });
  assert.deepEqual(resolveRange({ offset: 12, length: 5 }, 10), { start: 10, end: 10 });
  assert.deepEqual(resolveRange({ suffixLength: 3 }, 10), { start: 7, end: 10 });
  assert.deepEqual(resolveRange({ suffixLength: 30 }, 10), { start: 0, end: 10 });
});

test('prefixes: partial last segments are fine, traversal is not', () => {
  for (const ok of ['', 'a', 'a/', 'a/b', 'a/b/', 'jobs/ab']) validatePrefix(ok);
  for (const bad of ['/', '/a', '../', 'a/../', 'a//', 'a/./b', '..']) assert.throws(() => validatePrefix(bad), OpenEOError, bad);
});
