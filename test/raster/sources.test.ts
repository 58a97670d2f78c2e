import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { OpenEOError } from '../../src/errors.ts';
import type { ByteRange, ByteSource } from '../../src/raster/byte-source.ts';
import { BlockCache, withBlockCache } from '../../src/raster/cached-source.ts';
import { CogReader } from '../../src/raster/cog-reader.ts';
import { FileSource } from '../../src/raster/file-source.ts';
import { HttpSource } from '../../src/raster/http-source.ts';
import { planMergedRanges, withRangeMerging } from '../../src/raster/merged-source.ts';
import { openSource } from '../../src/raster/open-source.ts';
import { S3Source } from '../../src/raster/s3-source.ts';
import { type Fixture, compareWindows, makeFixtures } from './fixtures.ts';
import { type FixtureServer, startFixtureServer } from './http-fixture.ts';

let dir: string;
let fixtures: Map<string, Fixture>;
let server: FixtureServer;
const bytes = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);

/** An in-memory source that records the ranges asked of it (a fixture, not a stand-in for our code). */
class MemorySource implements ByteSource {
  readonly id = 'mem://test';
  calls: ByteRange[][] = [];
  constructor(private readonly data: Uint8Array) {}
  async read(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    this.calls.push([...ranges]);
    return ranges.map((r) => this.data.slice(r.offset, r.offset + r.length));
  }
}

const randomRanges = (n: number, seed: number): ByteRange[] => {
  let s = seed;
  const rnd = (k: number): number => ((s = (s * 48271) % 2147483647), s % k);
  return Array.from({ length: n }, () => ({ offset: rnd(bytes.length + 100), length: rnd(40_000) }));
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cog-src-'));
  fixtures = makeFixtures(dir, 1100, 700, [
    ...['u8_zstd', 'u16_zstd_pred', 'f64_deflate_fp', 'i16x2_deflate_planar', 'u8_deflate_pred', 'u8x3_zstd_chunky'],
    ...['i32_zstd_pred', 'f32_zstd_fp', 'u16x2_zstd_chunky_pred'],
  ]);
  writeFileSync(join(dir, 'bytes.bin'), bytes);
  server = await startFixtureServer(dir);
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const expectSlice = (got: Uint8Array, r: ByteRange): void =>
  assert.deepEqual(Buffer.from(got), Buffer.from(bytes.subarray(r.offset, r.offset + r.length)), JSON.stringify(r));

describe('byte sources', () => {
  test('file, http and http-without-range read the same bytes, short at the end', async () => {
    const ranges = [...randomRanges(30, 3), { offset: bytes.length - 10, length: 100 }, { offset: bytes.length + 5, length: 10 }];
    const file = new FileSource(join(dir, 'bytes.bin'));
    const http = new HttpSource(`${server.url}/bytes.bin`);
    for (const src of [file, http]) {
      const got = await src.read(ranges);
      ranges.forEach((r, i) => expectSlice(got[i], r));
      assert.equal(await src.size!(), bytes.length);
    }
    server.mode = 'ignore-range';
    try {
      const lax = new HttpSource(`${server.url}/bytes.bin`);
      const before = server.hits.get('/bytes.bin')!;
      const got = await lax.read(ranges);
      ranges.forEach((r, i) => expectSlice(got[i], r));
      // the whole body is kept after the first 200: later reads cost no request
      const afterFirst = server.hits.get('/bytes.bin')!;
      await lax.read(ranges);
      assert.equal(server.hits.get('/bytes.bin'), afterFirst);
      assert.ok(afterFirst - before <= 8, 'at most one request per parallel slot');
    } finally {
      server.mode = 'range';
    }
  });

  test('http retries 503 and timeouts, then gives up with UpstreamUnavailable naming the href', async () => {
    const url = `${server.url}/bytes.bin`;
    server.failNext = 2;
    const src = new HttpSource(url, { backoffMs: 1, retries: 3 });
    expectSlice((await src.read([{ offset: 10, length: 20 }]))[0], { offset: 10, length: 20 });
    assert.equal(server.failNext, 0);

    server.hangNext = 1;
    const slow = new HttpSource(url, { backoffMs: 1, retries: 1, timeoutMs: 200 });
    expectSlice((await slow.read([{ offset: 0, length: 5 }]))[0], { offset: 0, length: 5 });

    server.failNext = 10;
    const give = new HttpSource(url, { backoffMs: 1, retries: 2 });
    await assert.rejects(give.read([{ offset: 0, length: 5 }]), (e: unknown) => {
      assert.ok(e instanceof OpenEOError);
      assert.equal(e.code, 'UpstreamUnavailable');
      assert.match(e.message, /bytes\.bin.*HTTP 503 after 3 attempts/);
      return true;
    });
    server.failNext = 0;
  });

  test('http 404 and refused connections are openEO errors', async () => {
    await assert.rejects(new HttpSource(`${server.url}/nope.tif`).read([{ offset: 0, length: 5 }]), {
      code: 'UpstreamInvalid',
      message: /nope\.tif.*404/,
    });
    await assert.rejects(new HttpSource('http://127.0.0.1:1/x.tif', { retries: 1, backoffMs: 1 }).read([{ offset: 0, length: 5 }]), {
      code: 'UpstreamUnavailable',
      message: /x\.tif/,
    });
  });

  test('file errors and aborts', async () => {
    await assert.rejects(new FileSource(join(dir, 'missing.tif')).read([{ offset: 0, length: 1 }]), {
      code: 'UpstreamInvalid',
      message: /missing\.tif.*not found/,
    });
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(new HttpSource(`${server.url}/bytes.bin`).read([{ offset: 0, length: 1 }], ac.signal), { name: 'AbortError' });
    await assert.rejects(new FileSource(join(dir, 'bytes.bin')).read([{ offset: 0, length: 1 }], ac.signal), { name: 'AbortError' });
    // an abort while the server has not answered yet ends the read at once, without retrying
    server.hangNext = 1;
    const late = new AbortController();
    const pending = new HttpSource(`${server.url}/bytes.bin`, { timeoutMs: 60_000 }).read([{ offset: 0, length: 1 }], late.signal);
    setTimeout(() => late.abort(), 50);
    await assert.rejects(pending, { name: 'AbortError' });
    server.hangNext = 0;
  });

  test('range merging coalesces near ranges into one request and slices them back', async () => {
    assert.deepEqual(
      planMergedRanges([{ offset: 100, length: 10 }, { offset: 0, length: 10 }, { offset: 5000, length: 1 }, { offset: 112, length: 3 }], 50, 1e9).map((g) => [g.offset, g.end, g.members]),
      [[0, 10, [1]], [100, 115, [0, 3]], [5000, 5001, [2]]],
    );
    const mem = new MemorySource(bytes);
    const merged = withRangeMerging(mem, { maxGap: 1000 });
    const ranges = [{ offset: 5000, length: 100 }, { offset: 0, length: 10 }, { offset: 500, length: 20 }, { offset: 5050, length: 10 }, { offset: bytes.length - 5, length: 50 }];
    const got = await merged.read(ranges);
    ranges.forEach((r, i) => expectSlice(got[i], r));
    assert.deepEqual(mem.calls, [[{ offset: 0, length: 520 }, { offset: 5000, length: 100 }, { offset: bytes.length - 5, length: 50 }]]);
  });

  test('block cache serves repeated reads from memory within its budget', async () => {
    const mem = new MemorySource(bytes);
    const cache = new BlockCache({ budgetBytes: 100_000, blockSize: 4096 });
    const cached = withBlockCache(mem, cache);
    for (const seed of [1, 2, 3]) {
      const ranges = randomRanges(20, seed);
      const got = await cached.read(ranges);
      ranges.forEach((r, i) => expectSlice(got[i], r));
      assert.ok(cache.lru.bytes <= 100_000);
    }
    const hot = [{ offset: 1000, length: 3000 }];
    await cached.read(hot);
    const calls = mem.calls.length;
    const [again] = await Promise.all([cached.read(hot), cached.read(hot)]);
    expectSlice(again[0], hot[0]);
    assert.equal(mem.calls.length, calls);
    // concurrent readers of cold blocks share one fetch
    const cold = withBlockCache(new MemorySource(bytes), new BlockCache({ budgetBytes: 1e6 }));
    await Promise.all([cold.read([{ offset: 0, length: 10 }]), cold.read([{ offset: 20, length: 10 }])]);
  });

  test('openSource picks by scheme', () => {
    const s3 = new S3Client({ region: 'us-east-1' });
    assert.ok(openSource('/abs/a.tif') instanceof FileSource);
    assert.ok(openSource('file:///abs/a.tif') instanceof FileSource);
    assert.ok(openSource('rel/a.tif', { baseDir: '/base' }) instanceof FileSource);
    assert.ok(openSource('https://example.org/a.tif') instanceof HttpSource);
    const s = openSource('s3://bucket/dir/a.tif', { s3 });
    assert.ok(s instanceof S3Source && s.bucket === 'bucket' && s.key === 'dir/a.tif');
    assert.throws(() => openSource('rel/a.tif'), { code: 'UpstreamInvalid' });
    assert.throws(() => openSource('s3://bucket/a.tif'), { code: 'UpstreamUnavailable' });
    assert.throws(() => openSource('ftp://host/a.tif'), { code: 'UpstreamInvalid', message: /ftp/ });
  });
});

describe('readWindow over HTTP matches GDAL', () => {
  test('with Range, without Range, and through merging + cache', async () => {
    for (const name of ['u8_zstd', 'u16_zstd_pred', 'f64_deflate_fp', 'i16x2_deflate_planar']) {
      await compareWindows(new CogReader({ sources: { http: { backoffMs: 1 } } }), `${server.url}/${name}.tif`, fixtures.get(name)!, 5);
    }
    server.mode = 'ignore-range';
    try {
      await compareWindows(new CogReader(), `${server.url}/u8_deflate_pred.tif`, fixtures.get('u8_deflate_pred')!, 5);
    } finally {
      server.mode = 'range';
    }
    const reader = new CogReader({ blockCache: new BlockCache({ budgetBytes: 1 << 20 }) });
    await compareWindows(reader, `${server.url}/u8x3_zstd_chunky.tif`, fixtures.get('u8x3_zstd_chunky')!, 5);
  });

  test('a COG header costs one request', async () => {
    const path = '/i32_zstd_pred.tif';
    const before = server.hits.get(path) ?? 0;
    await new CogReader().open(`${server.url}${path}`);
    assert.equal(server.hits.get(path), before + 1);
  });
});

describe('readWindow over S3 matches GDAL', () => {
  // The S3 test server that `npm test` starts (.ci/services/swift-s3/start.sh) unless S3_* point elsewhere.
  const endpoint = process.env.S3_ENDPOINT ?? 'http://127.0.0.1:9000';
  test('ranged GetObject', async () => {
    const { CreateBucketCommand, PutObjectCommand, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({
      endpoint,
      region: process.env.S3_REGION ?? 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: process.env.S3_ACCESS_KEY_ID ?? 'test:tester', secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? 'testing' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const bucket = `raster-test-${process.pid}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((e) => {
      if (e?.name !== 'BucketAlreadyOwnedByYou' && e?.name !== 'BucketAlreadyExists') throw e;
    });
    const { readFile } = await import('node:fs/promises');
    const names = ['u8_zstd', 'f32_zstd_fp', 'u16x2_zstd_chunky_pred'];
    for (const name of names) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `cogs/${name}.tif`, Body: await readFile(fixtures.get(name)!.path) }));
    }
    try {
      const reader = new CogReader({ sources: { s3: client } });
      for (const name of names) await compareWindows(reader, `s3://${bucket}/cogs/${name}.tif`, fixtures.get(name)!, 4);
      await assert.rejects(reader.open(`s3://${bucket}/cogs/missing.tif`), { code: 'UpstreamInvalid', message: /missing\.tif/ });
      const src = new S3Source(client, bucket, 'cogs/u8_zstd.tif');
      const size = await src.size();
      const [tail, past] = await src.read([{ offset: size - 4, length: 100 }, { offset: size + 10, length: 5 }]);
      assert.equal(tail.length, 4);
      assert.equal(past.length, 0);
    } finally {
      for (const name of names) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `cogs/${name}.tif` }));
      client.destroy();
    }
  });
});
