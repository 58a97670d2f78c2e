/** The demo plan for every size (no pixels written): grids, AOI coverage, swaths, timestamps; plus the helpers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import proj4 from 'proj4';
import {
  EQUI7_ASIA_PROJ4,
  TUTORIAL_AOI,
  createProgressBar,
  formatProgressBar,
  itemId,
  parseT3Tile,
  planDemo,
} from '../../src/demo-data/index.ts';
import { swathCoverage } from '../../src/demo-data/flood-model.ts';

test('T3 tile names map to their 300 km squares', () => {
  assert.deepEqual(parseT3Tile('E015N027T3'), { name: 'E015N027T3', x0: 1_500_000, y0: 3_000_000 });
  assert.deepEqual(parseT3Tile('E018N030T3'), { name: 'E018N030T3', x0: 1_800_000, y0: 3_300_000 });
  assert.throws(() => parseT3Tile('E15N27T1'));
  assert.equal(itemId('2023-08-01T01:23:45Z', 'E015N027T3'), 'ENSEMBLE_FLOOD_20230801T012345_VV_AS020M_E015N027T3');
});

test('medium crops cover the whole native grid of the tutorial AOI, on the tiles’ 512-px block grid', () => {
  const plan = planDemo('medium', 1);
  assert.deepEqual(plan.crops.map((c) => c.tile).sort(), ['E015N027T3', 'E015N030T3', 'E018N027T3', 'E018N030T3']);
  const conv = proj4('EPSG:4326', EQUI7_ASIA_PROJ4);
  const [w, s, e, n] = TUTORIAL_AOI;
  for (let i = 0; i <= 40; i++) {
    for (let j = 0; j <= 40; j++) {
      const [x, y] = conv.forward([w + ((e - w) * i) / 40, s + ((n - s) * j) / 40]);
      const inside = plan.crops.some((c) => x >= c.x0 && x <= c.x0 + c.cols * 20 && y <= c.y0 && y >= c.y0 - c.rows * 20);
      assert.ok(inside, `AOI point ${x},${y} not covered`);
    }
  }
  for (const c of plan.crops) {
    const t = parseT3Tile(c.tile);
    assert.equal(((c.x0 - t.x0) / 20) % 512, 0);
    assert.equal(((t.y0 - c.y0) / 20) % 512, 0);
    assert.ok((c.x0 - t.x0) / 20 + c.cols <= 15000 && (t.y0 - c.y0) / 20 + c.rows <= 15000);
  }
});

test('large is the four full T3 tiles', () => {
  const plan = planDemo('large', 1);
  assert.deepEqual(
    plan.crops.map((c) => [c.tile, c.x0, c.y0, c.cols, c.rows]),
    [
      ['E015N027T3', 1_500_000, 3_000_000, 15000, 15000],
      ['E018N027T3', 1_800_000, 3_000_000, 15000, 15000],
      ['E015N030T3', 1_500_000, 3_300_000, 15000, 15000],
      ['E018N030T3', 1_800_000, 3_300_000, 15000, 15000],
    ],
  );
});

for (const [size, steps] of [
  ['small', 8],
  ['medium', 20],
  ['large', 85],
] as const) {
  test(`${size}: ${steps} distinct August 2023 timestamps, ≥2 tiles each, every item 60–90 % nodata`, () => {
    const plan = planDemo(size, 3);
    assert.equal(plan.acquisitions.length, steps);
    const times = plan.acquisitions.map((a) => a.datetime);
    assert.deepEqual([...times].sort(), times);
    assert.equal(new Set(times).size, steps);
    const seen = new Set<string>();
    for (const a of plan.acquisitions) {
      assert.match(a.datetime, /^2023-08-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(a.crops.length >= 2);
      for (const c of a.crops) {
        seen.add(c.tile);
        const nodata = 1 - swathCoverage(a.swath, { x0: c.x0, y0: c.y0, res: 20, width: c.cols, height: c.rows });
        assert.ok(nodata >= 0.6 && nodata <= 0.9, `${size} ${a.datetime} ${c.tile}: ${nodata}`);
      }
    }
    assert.equal(seen.size, plan.crops.length, 'every tile gets acquisitions');
    assert.deepEqual(planDemo(size, 3), plan, 'deterministic');
  });
}

test('progress bar renders fractions and throttles non-TTY output by percent', () => {
  assert.equal(formatProgressBar(0.5, 10, 'x'), '[#####-----]  50%  x');
  assert.equal(formatProgressBar(2, 4), '[####] 100%');
  const lines: string[] = [];
  const bar = createProgressBar({ write: (s) => lines.push(s), width: 4, step: 25 });
  for (let i = 0; i <= 100; i++) bar.update(i / 100);
  bar.done('ok');
  assert.deepEqual(lines, [
    '[----]   0%\n',
    '[#---]  25%\n',
    '[##--]  50%\n',
    '[###-]  75%\n',
    '[####] 100%\n',
    '[####] 100%  ok\n',
  ]);
  const tty: string[] = [];
  const live = createProgressBar({ write: (s) => tty.push(s), tty: true, width: 4 });
  live.update(0.5);
  live.update(0.5);
  live.done();
  assert.deepEqual(tty, ['\r[##--]  50%', '\r[####] 100%\n']);
});
