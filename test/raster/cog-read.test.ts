import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CogReader } from '../../src/raster/cog-reader.ts';
import { FileSource } from '../../src/raster/file-source.ts';
import { readWindow } from '../../src/raster/read-window.ts';
import { BlockCache } from '../../src/raster/cached-source.ts';
import { type Fixture, compareWindows, expectedWindow, makeFixtures } from './fixtures.ts';

let dir: string;
let fixtures: Map<string, Fixture>;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cog-read-'));
  fixtures = makeFixtures(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('readWindow over local files matches GDAL', () => {
  test('every layout, type and compression', async () => {
    const reader = new CogReader();
    for (const f of fixtures.values()) {
      await test(f.name, async () => {
        // LZW goes through geotiff.js's slow JS decoder: fewer windows
        assert.ok((await compareWindows(reader, f.path, f, f.name === 'u8_lzw' ? 3 : 12)) > 0);
      });
    }
  });

  test('through a small shared block cache and file:// URLs', async () => {
    const reader = new CogReader({ blockCache: new BlockCache({ budgetBytes: 300_000, blockSize: 16384 }) });
    for (const name of ['u8_zstd', 'f32_zstd_fp', 'i16x2_deflate_planar']) {
      await compareWindows(reader, `file://${fixtures.get(name)!.path}`, fixtures.get(name)!, 6);
    }
  });

  test('reports sparse and all-nodata blocks and remembers them', async () => {
    const f = fixtures.get('u8_zstd')!;
    const reader = new CogReader();
    const cog = await reader.open(f.path);
    // SPARSE_OK leaves the all-nodata top-right block unwritten
    const sparse = [...cog.info.tileByteCounts].filter((c) => c === 0).length;
    assert.ok(sparse > 0, 'GDAL wrote sparse blocks');
    const out = new Uint8Array(1300 * 1100);
    const res = await readWindow(cog, { x0: 0, y0: 0, width: 1300, height: 1100 }, 0, out);
    assert.equal(res.blocks.length, 9);
    assert.equal(res.blocks.filter((b) => b.state === 'sparse').length, sparse);
    assert.equal(res.allNodata, false);
    const corner = await readWindow(cog, { x0: 1200, y0: 0, width: 100, height: 100 }, 0, new Uint8Array(100 * 100));
    assert.equal(corner.allNodata, true);
    assert.equal(corner.blocks.length, 1);

    const g = fixtures.get('u8_deflate_pred')!; // same content, but every block written
    const cog2 = await reader.open(g.path);
    assert.ok([...cog2.info.tileByteCounts].every((c) => c > 0));
    const first = await readWindow(cog2, { x0: 1100, y0: 0, width: 200, height: 200 }, 0, new Uint8Array(200 * 200));
    assert.deepEqual(first.blocks.map((b) => b.state), ['nodata']);
    const again = new Uint8Array(200 * 200);
    const second = await readWindow(cog2, { x0: 1100, y0: 0, width: 200, height: 200 }, 0, again);
    assert.equal(second.allNodata, true);
    assert.ok(again.every((v) => v === 255));
  });

  test('writes into part of a larger buffer with outStride/outOffset', async () => {
    const f = fixtures.get('i16_deflate')!;
    const cog = await new CogReader().open(f.path);
    const out = new Int16Array(100 * 50).fill(1234);
    await readWindow(cog, { x0: 490, y0: 500, width: 40, height: 30 }, 0, out, undefined, { outStride: 100, outOffset: 100 * 10 + 5 });
    const want = expectedWindow(f, 0, 490, 500, 40, 30, 0);
    for (let y = 0; y < 50; y++) {
      for (let x = 0; x < 100; x++) {
        const inside = y >= 10 && y < 40 && x >= 5 && x < 45;
        assert.equal(out[y * 100 + x], inside ? want[(y - 10) * 40 + (x - 5)] : 1234);
      }
    }
  });

  test('rejects wrong output types and bands as programming errors', async () => {
    const f = fixtures.get('u16_zstd_pred')!;
    const cog = await new CogReader().open(f.path);
    const win = { x0: 0, y0: 0, width: 4, height: 4 };
    await assert.rejects(readWindow(cog, win, 0, new Uint8Array(16)), /not uint16/);
    await assert.rejects(readWindow(cog, win, 1, new Uint16Array(16)), /band 1/);
    await assert.rejects(readWindow(cog, win, 0, new Uint16Array(15)), /too small/);
  });

  test('aborts', async () => {
    const f = fixtures.get('u8_zstd')!;
    const reader = new CogReader();
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(reader.open(f.path, ac.signal), { name: 'AbortError' });
    const cog = await reader.open(f.path);
    await assert.rejects(readWindow(cog, { x0: 0, y0: 0, width: 10, height: 10 }, 0, new Uint8Array(100), ac.signal), {
      name: 'AbortError',
    });
    // an aborted open does not poison the header cache
    assert.equal((await reader.open(f.path)).info.width, 1300);
  });

  test('header cache returns one parse per href', async () => {
    const reader = new CogReader({ openSource: (href) => new FileSource(href) });
    const f = fixtures.get('u8_lzw')!;
    const [a, b] = await Promise.all([reader.open(f.path), reader.open(f.path)]);
    assert.equal(a, b);
  });
});
