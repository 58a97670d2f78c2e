/** The sparse read path: windows that leave no-data blocks untouched, and the decoded-block cache. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CogReader } from '../../src/raster/cog-reader.ts';
import { DecodedBlocks } from '../../src/raster/decoded-blocks.ts';
import { readWindow } from '../../src/raster/read-window.ts';
import { type Fixture, compareWindows, expectedWindow, makeFixtures, testWindows } from './fixtures.ts';

let dir: string;
let fixtures: Map<string, Fixture>;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sparse-read-'));
  fixtures = makeFixtures(dir, 1300, 1100, ['u8_zstd', 'u8_deflate_pred', 'f32_zstd_fp']);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('sparse reads', () => {
  test('fillNodata: false copies the data blocks only and reports where they are', async () => {
    for (const name of ['u8_zstd', 'u8_deflate_pred']) {
      const f = fixtures.get(name)!;
      const cog = await new CogReader().open(f.path);
      const win = { x0: 100, y0: 300, width: 1250, height: 800 }; // reaches beyond the image on the right
      const out = new Uint8Array(win.width * win.height).fill(77);
      const res = await readWindow(cog, win, 0, out, undefined, { fillNodata: false });
      const want = expectedWindow(f, 0, win.x0, win.y0, win.width, win.height, 255);
      const { tileWidth: tw, tileHeight: th } = cog.info;
      const states = new Map(res.blocks.map((b) => [`${b.col},${b.row}`, b.state]));
      assert.ok([...states.values()].includes('data') && [...states.values()].some((s) => s !== 'data'), `${name}: both kinds of blocks`);
      for (let y = 0; y < win.height; y++) {
        for (let x = 0; x < win.width; x++) {
          const ix = win.x0 + x;
          const iy = win.y0 + y;
          const state = ix < cog.info.width && iy < cog.info.height ? states.get(`${Math.floor(ix / tw)},${Math.floor(iy / th)}`) : undefined;
          const i = y * win.width + x;
          if (state === 'data') assert.equal(out[i], want[i], `${name} (${x}, ${y})`);
          else assert.equal(out[i], 77, `${name} (${x}, ${y}) left untouched`);
        }
      }
    }
  });

  test('a decoded-block cache gives the same pixels, also when it evicts', async () => {
    for (const budget of [64 * 1024 * 1024, 300_000]) {
      const reader = new CogReader({ decodedBlockBytes: budget });
      for (const name of ['u8_zstd', 'f32_zstd_fp']) {
        const f = fixtures.get(name)!;
        // twice: the second pass reads blocks known to hold data from the cache
        assert.ok((await compareWindows(reader, f.path, f, 8)) > 0);
        assert.ok((await compareWindows(reader, f.path, f, 8)) > 0);
      }
    }
    const reader = new CogReader({ decodedBlockBytes: 64 * 1024 * 1024 });
    const cog = await reader.open(fixtures.get('u8_zstd')!.path);
    await readWindow(cog, { x0: 0, y0: 0, width: 1300, height: 1100 }, 0, new Uint8Array(1300 * 1100));
    assert.ok(cog.decodedBlocks!.size > 0, 'data blocks were kept');
  });

  test('concurrent reads through a small recycling cache give the same pixels', async () => {
    // a budget of ~3 blocks: blocks are evicted and their buffers reused while other reads still await
    const reader = new CogReader({ decodedBlockBytes: 3 * 256 * 256 + 1 });
    const f = fixtures.get('u8_zstd')!;
    const cog = await reader.open(f.path);
    const wins = testWindows(f.width, f.height, 10);
    for (let pass = 0; pass < 3; pass++) {
      const outs = wins.map((w) => new Uint8Array(w.width * w.height));
      await Promise.all(wins.map((w, k) => readWindow(cog, w, 0, outs[k], undefined, { fill: 254 })));
      wins.forEach((w, k) => assert.deepEqual(outs[k], expectedWindow(f, 0, w.x0, w.y0, w.width, w.height, 254), `pass ${pass} window ${k}`));
    }
  });
});

describe('decoded block cache', () => {
  test('recycles a buffer only when it left the cache and no read holds it', () => {
    const c = new DecodedBlocks(2000);
    const a = c.buffer(1000);
    a.fill(1);
    c.set('a', a);
    const taken = c.take('a')!;
    assert.equal(taken, a);
    const b = c.buffer(1000);
    assert.notEqual(b.buffer, a.buffer, 'a is cached: not reused');
    c.set('b', b);
    c.set('c', c.buffer(1000)); // evicts a, which is still taken
    assert.equal(c.take('a'), undefined);
    assert.notEqual(c.buffer(1000).buffer, a.buffer, 'a is still in use: not reused');
    c.release(taken);
    assert.equal(c.buffer(1000).buffer, a.buffer, 'a is free once released');
    assert.equal(c.buffer(500).byteLength, 500, 'buffers of another size are not reused');
  });

  test('a buffer that was not kept is reused at once; a block over budget is not kept', () => {
    const c = new DecodedBlocks(1500);
    const a = c.buffer(1000);
    c.release(a);
    assert.equal(c.buffer(1000).buffer, a.buffer);
    const big = c.buffer(2000);
    c.set('big', big);
    assert.equal(c.size, 0);
    c.release(big);
    assert.equal(c.buffer(2000).buffer, big.buffer);
  });
});
