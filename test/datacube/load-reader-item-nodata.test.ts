/**
 * Items read straight into the chunk buffer whose own nodata differs from the band's: an item whose window holds
 * only its nodata must leave the band's nodata behind, also where a neighbour's coverage tiles reach into it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { coverageSpans } from '../../src/datacube/kernels/coverage.ts';
import { createLoadReader } from '../../src/datacube/load-reader.ts';
import type { CubeNode, LoadItem } from '../../src/datacube/types.ts';
import { CogReader } from '../../src/raster/cog-reader.ts';
import type { Grid } from '../../src/raster/grid/types.ts';
import { gridOf, writeItemCogs } from './item-cogs.ts';

const NODATA = 255;
// side by side; a holds data everywhere (nodata 255), d only its own nodata 0
const ITEMS = { a: [0, 0, 600, 600, 255, 7], d: [600, 0, 600, 600, 0, 0] } as const;

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'load-reader-nd-'));
  writeItemCogs(dir, ITEMS, String.raw`
for name, (x0, y0, w, h, nd, v) in items.items():
    write(name, np.full((h, w), v, dtype='uint8'), x0, y0, nd, 'BLOCKSIZE=512')
`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("an item holding only its own nodata leaves the band's nodata in the coverage", async () => {
  const items: LoadItem[] = (['a', 'd'] as const).map((id) => ({ id, grid: gridOf(ITEMS[id]), hrefs: { x: path.join(dir, `${id}.tif`) } }));
  const node: Extract<CubeNode, { op: 'load' }> = {
    op: 'load',
    collection: 'test',
    grid: gridOf([0, 0, 1200, 600]),
    bands: [{ name: 'x', asset: 'x', dtype: 'uint8', nodata: NODATA }],
    steps: [{ label: '0', items }],
  };
  // the item edge falls at chunk column 300, inside a coverage tile (288..319)
  const [x0, w, h] = [300, 600, 512];
  const raw = await createLoadReader(new CogReader()).readRaw!(node, 0, 0, gridOf([x0, 0, w, h]), new AbortController().signal);
  assert.ok(raw.cover);
  const sp = coverageSpans(raw.cover);
  let seen = 0;
  for (let k = 0; k < sp.length; k += 2) {
    for (let i = sp[k]; i < sp[k + 1]; i++) {
      const col = i % w;
      assert.equal(raw.data[i], col < 300 ? 7 : NODATA, `pixel ${col},${Math.floor(i / w)}`);
      if (col >= 300) seen++;
    }
  }
  assert.ok(seen > 0, "the coverage reaches into d's pixels");
});
