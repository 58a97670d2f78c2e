/**
 * A load resampled onto another grid keeps only the pixels whose centre lies in the extent it had (its clip), and
 * the reader's cache of those pixels tells clips apart: one thread reads for many loads, plans and jobs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createLoadReader } from '../../src/datacube/load-reader.ts';
import type { CubeNode } from '../../src/datacube/types.ts';
import { CogReader } from '../../src/raster/cog-reader.ts';
import { gridOf, writeItemCogs } from './item-cogs.ts';

test('pixels outside the clip are no-data, and a reader keeps clips of the same chunk grid apart', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'load-clip-'));
  try {
    writeItemCogs(dir, { a: [0, 0, 200, 200] }, String.raw`
a = np.full((200, 200), 7, dtype='uint8')
write('a', a, 0, 0, 255)
`);
    const item = { id: 'a', grid: gridOf([0, 0, 200, 200]), hrefs: { x: path.join(dir, 'a.tif') } };
    const load = (clip?: number[]): Extract<CubeNode, { op: 'load' }> => ({
      op: 'load',
      collection: 't',
      grid: gridOf([0, 0, 200, 200]),
      ...(clip ? { clip: gridOf(clip) } : {}),
      bands: [{ name: 'x', asset: 'x', dtype: 'uint8', nodata: 255 }],
      steps: [{ label: '0', items: [item] }],
    });
    const target = gridOf([0, 0, 100, 100]);
    const signal = new AbortController().signal;
    const valid = (d: ArrayLike<number>) => Array.from(d).filter((v) => v === 7).length;
    const reader = createLoadReader(new CogReader());
    const read = async (clip?: number[]) => valid((await reader.readRaw!(load(clip), 0, 0, target, signal)).data.subarray(0, 100 * 100));
    assert.equal(await read(), 10_000);
    assert.equal(await read([0, 0, 50, 50]), 2_500);
    assert.equal(await read([0, 0, 100, 100]), 10_000, 'the same chunk grid clipped to another extent');
    assert.equal(await read([0, 0, 50, 50]), 2_500);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
