/** The writer's API contract: streams, determinism, ordering, validation errors, cancellation and cleanup. */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { isOpenEOError } from '../../src/errors.ts';
import { CogWriter, writeCog, writeCogToStream } from '../../src/formats/cog/index.ts';
import { EQUI7_ASIA_PROJ4, tempDir, tileSource } from './fixtures.ts';

const W = 700;
const H = 300;
const opts = {
  width: W,
  height: H,
  dtype: 'uint8',
  tileSize: 256,
  nodata: 255,
  crs: { proj4: EQUI7_ASIA_PROJ4 },
  geoTransform: [1500000, 20, 0, 3000000, 0, -20],
} as const;

const hasCode = (code: string) => (e: unknown) => isOpenEOError(e) && e.code === code;

test('a Writable sink receives the same bytes as the file, and output is deterministic', async (t) => {
  const dir = tempDir(t);
  await writeCog(join(dir, 'a.tif'), opts, tileSource('uint8', W, H, 256));
  await writeCog(join(dir, 'b.tif'), opts, tileSource('uint8', W, H, 256));
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const res = await writeCogToStream(sink, { ...opts, tempDir: dir }, tileSource('uint8', W, H, 256));
  const a = readFileSync(join(dir, 'a.tif'));
  assert.ok(Buffer.concat(chunks).equals(a));
  assert.equal(res.bytes, a.length);
  assert.ok(readFileSync(join(dir, 'b.tif')).equals(a));
  assert.deepEqual(readdirSync(dir).sort(), ['a.tif', 'b.tif'], 'no temporary files left behind');
});

test('the push API rejects tiles out of order, of the wrong type or size, and an early finish', async () => {
  const w = await CogWriter.create({ width: 600, height: 300, dtype: 'uint16', tileSize: 256, bands: 2 });
  try {
    assert.deepEqual(w.nextTile, { band: 0, tx: 0, ty: 0 });
    await assert.rejects(w.writeTile(1, 0, 0, new Uint16Array(256 * 256)), hasCode('Internal'));
    await assert.rejects(w.writeTile(0, 0, 0, new Uint8Array(256 * 256)), hasCode('Internal'));
    await assert.rejects(w.writeTile(0, 0, 0, new Uint16Array(100)), hasCode('Internal'));
    await w.writeTile(0, 0, 0, new Uint16Array(256 * 256));
    assert.deepEqual(w.nextTile, { band: 1, tx: 0, ty: 0 });
    await assert.rejects(w.finish(new PassThrough()), hasCode('Internal'));
  } finally {
    await w.abort();
  }
});

test('invalid options and unsupported CRSs are openEO errors', async () => {
  const bad = [
    { ...opts, width: 0 },
    { ...opts, tileSize: 100 },
    { ...opts, dtype: 'int8' },
    { ...opts, compression: 'lzw' },
    { ...opts, predictor: 3 },
    { ...opts, crs: { epsg: -1 } },
    { ...opts, geoTransform: [0, 0, 0, 0, 0, -1] },
  ];
  for (const o of bad) {
    const sink = new PassThrough();
    await assert.rejects(
      writeCogToStream(sink, o as never, tileSource('uint8', W, H, 256)),
      hasCode('ProcessParameterInvalid'),
      JSON.stringify(o),
    );
  }
  await assert.rejects(
    writeCogToStream(new PassThrough(), { ...opts, crs: { proj4: '+proj=merc +datum=WGS84' } }, tileSource('uint8', W, H, 256)),
    hasCode('FeatureUnsupported'),
  );
});

test('aborting mid-way rejects and leaves neither the file nor temporary data', async (t) => {
  const dir = tempDir(t);
  const ctrl = new AbortController();
  const source = tileSource('uint8', W, H, 256);
  let calls = 0;
  await assert.rejects(
    writeCog(
      join(dir, 'x.tif'),
      opts,
      (b, tx, ty) => {
        if (++calls === 4) ctrl.abort();
        return source(b, tx, ty);
      },
      ctrl.signal,
    ),
    { name: 'AbortError' },
  );
  assert.deepEqual(readdirSync(dir), []);
});

test('an error thrown by the tile source propagates and cleans up', async (t) => {
  const dir = tempDir(t);
  await assert.rejects(
    writeCog(join(dir, 'x.tif'), opts, () => {
      throw new Error('source broke');
    }),
    /source broke/,
  );
  assert.deepEqual(readdirSync(dir), []);
});
