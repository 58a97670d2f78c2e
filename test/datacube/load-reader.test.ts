/**
 * The load reader's raw planes against a plain first-valid mosaic computed here from the full rasters: items read
 * straight into the chunk buffer (no overlap) and fused through item buffers (overlap), at chunk offsets that cut
 * input blocks anywhere, with all-nodata and sparse blocks. Pixels outside the reported coverage may hold anything,
 * but the mosaic must be nodata there.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createLoadReader } from '../../src/datacube/load-reader.ts';
import { coverageSpans } from '../../src/datacube/kernels/coverage.ts';
import type { CubeNode, LoadItem } from '../../src/datacube/types.ts';
import { CogReader } from '../../src/raster/cog-reader.ts';
import type { Grid } from '../../src/raster/grid/types.ts';
import { gridOf, writeItemCogs } from './item-cogs.ts';

const NODATA = 255;
// item origins in pixels of one 20 m grid: a and b overlap, c sits beside a
const ITEMS = { a: [0, 0, 1300, 1100], b: [700, 450, 1200, 1000], c: [1300, 37, 900, 1200] } as const;

let dir: string;
const full = new Map<string, Uint8Array>();

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'load-reader-'));
  writeItemCogs(
    dir,
    ITEMS,
    String.raw`
for name, (x0, y0, w, h) in items.items():
    yy, xx = np.mgrid[0:h, 0:w]
    a = rng.integers(0, 255, (h, w)).astype('uint8')
    a[(xx + 2 * yy) % 97 < 30] = 255                      # swath-like stripes of nodata
    a[:, : w // 3][yy[:, : w // 3] < 600] = 255            # whole blocks of nodata (stored or sparse)
    write(name, a, x0, y0, 255, 'BLOCKSIZE=512', 'SPARSE_OK=' + ('TRUE' if name != 'b' else 'FALSE'))
    a.tofile(f'{out}/{name}.raw')
`,
    3,
  );
  for (const name of Object.keys(ITEMS)) full.set(name, new Uint8Array(readFileSync(path.join(dir, `${name}.raw`))));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** First valid value in id order, nodata where no item has one. */
function mosaic(ids: string[], x0: number, y0: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h).fill(NODATA);
  for (const id of [...ids].sort()) {
    const [ix, iy, iw, ih] = ITEMS[id as keyof typeof ITEMS];
    const a = full.get(id)!;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const sx = x0 + c - ix;
        const sy = y0 + r - iy;
        if (sx < 0 || sy < 0 || sx >= iw || sy >= ih) continue;
        const i = r * w + c;
        if (out[i] === NODATA) out[i] = a[sy * iw + sx];
      }
    }
  }
  return out;
}

test('raw planes equal the first-valid mosaic on their coverage, read directly or fused', async () => {
  const steps: string[][] = [['a', 'c'], ['a', 'b'], ['b'], ['c', 'b', 'a']];
  const items = (ids: string[]): LoadItem[] => ids.map((id) => ({ id, grid: gridOf(ITEMS[id as keyof typeof ITEMS]), hrefs: { x: path.join(dir, `${id}.tif`) } }));
  const node: Extract<CubeNode, { op: 'load' }> = {
    op: 'load',
    collection: 'test',
    grid: gridOf([0, 0, 2200, 1450]),
    bands: [{ name: 'x', asset: 'x', dtype: 'uint8', nodata: NODATA }],
    steps: steps.map((ids, t) => ({ label: String(t), items: items(ids) })),
  };
  const loads = createLoadReader(new CogReader());
  const signal = new AbortController().signal;
  let checked = 0;
  // chunks at offsets that cut blocks and coverage tiles anywhere, some over item edges and the gap between them
  for (const [x0, y0, w, h] of [[0, 0, 512, 512], [301, 17, 700, 650], [1250, 400, 333, 700], [650, 430, 1100, 900], [1990, 1300, 210, 150]]) {
    const target: Grid = { ...gridOf([x0, y0, w, h]) };
    for (let t = 0; t < steps.length; t++) {
      const raw = await loads.readRaw!(node, t, 0, target, signal);
      const want = mosaic(steps[t], x0, y0, w, h);
      const inCover = new Uint8Array(w * h);
      if (raw.cover) {
        const sp = coverageSpans(raw.cover);
        for (let k = 0; k < sp.length; k += 2) inCover.fill(1, sp[k], sp[k + 1]);
      } else inCover.fill(1);
      for (let i = 0; i < w * h; i++) {
        if (inCover[i]) assert.equal(raw.data[i], want[i], `step ${t}, chunk ${x0},${y0}: pixel ${i % w},${Math.floor(i / w)}`);
        else assert.equal(want[i], NODATA, `step ${t}, chunk ${x0},${y0}: pixel ${i % w},${Math.floor(i / w)} has data outside the coverage`);
      }
      checked++;
    }
  }
  assert.equal(checked, 20);
});
