/**
 * A mosaic read in which one item fails must not leave the other items' reads running: they write into the slot's
 * buffers, which the plan's next chunk on the thread reads into again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { BufferArena } from '../../src/datacube/arena.ts';
import { createLoadReader } from '../../src/datacube/load-reader.ts';
import type { CubeNode } from '../../src/datacube/types.ts';
import type { ByteSource } from '../../src/raster/byte-source.ts';
import { CogReader } from '../../src/raster/cog-reader.ts';
import type { Grid } from '../../src/raster/grid/types.ts';
import { openSource } from '../../src/raster/open-source.ts';
import { gridOf, writeItemCogs } from './item-cogs.ts';

// two items side by side, each 400 x 400 pixels of random bytes (255: no-data)
const ITEMS = { a: [0, 0, 400, 400], c: [400, 0, 400, 400] } as const;
let dir: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'load-reader-failure-'));
  writeItemCogs(dir, ITEMS, String.raw`
for name, (x0, y0, w, h) in items.items():
    a = rng.integers(0, 255, (h, w)).astype('uint8')
    write(name, a, x0, y0, 255, 'BLOCKSIZE=128')
`, 5);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('an item that fails stops the mosaic read only once its other items stopped writing', async () => {
  const mode = { failing: false };
  const wrap = (href: string): ByteSource => {
    const src = openSource(href);
    const slow = href.endsWith('a.tif');
    return {
      id: src.id,
      size: src.size?.bind(src),
      async read(ranges, signal) {
        if (mode.failing && !slow) throw new Error('item c could not be read');
        if (mode.failing) {
          // a slow item: still reading when the other one failed
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, 150);
            signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
          });
        }
        return src.read(ranges, signal);
      },
    };
  };
  const node: Extract<CubeNode, { op: 'load' }> = {
    op: 'load',
    collection: 'test',
    grid: gridOf([0, 0, 800, 400]),
    bands: [{ name: 'x', asset: 'x', dtype: 'uint8', nodata: 255 }],
    steps: [{ label: '0', items: (['a', 'c'] as const).map((id) => ({ id, grid: gridOf(ITEMS[id]), hrefs: { x: path.join(dir, `${id}.tif`) } })) }],
  };
  const loads = createLoadReader(new CogReader({ openSource: wrap }));
  const signal = new AbortController().signal;
  const top = gridOf([0, 0, 800, 200]);
  const bottom = gridOf([0, 200, 800, 200]);
  const expected = (await loads.readRaw!(node, 0, 0, bottom, signal)).data.slice();
  const slot = { arena: new BufferArena(), key: 'k' };
  mode.failing = true;
  await assert.rejects(loads.readRaw!(node, 0, 0, top, signal, slot), /could not be read/);
  mode.failing = false;
  const got = await loads.readRaw!(node, 0, 0, bottom, signal, slot);
  assert.deepEqual(got.data, expected);
  // the slot's buffer stays as read until the slot's next read
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(got.data, expected);
});
