import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crsFromAny, crsFromEpsg, gridForBbox, rebaseIndex, warpIndexMap, type Grid } from './helpers.ts';
import { EQUI7_AS_PROJ4 } from './fixtures.ts';
import { exactSourceCoords, maxIndexError } from './reference.ts';

const utm = crsFromEpsg(32642);
const src: Grid = { crs: utm, transform: [10, 0, 0, 0, -10, 100], width: 10, height: 10 };

test('same CRS, coarser output: centres on source edges pick the pixel after the edge (as GDAL)', () => {
  const dst: Grid = { crs: utm, transform: [20, 0, 0, 0, -20, 100], width: 5, height: 5 };
  const r = warpIndexMap(dst, src);
  const expected = Int32Array.from({ length: 25 }, (_, k) => (2 * Math.floor(k / 5) + 1) * 10 + 2 * (k % 5) + 1);
  assert.deepEqual(r.index, expected);
  assert.equal(r.exactTransforms, 0);
  assert.deepEqual(r.window, { col: 1, row: 1, width: 9, height: 9 });
});

test('same CRS, finer and shifted output; pixels outside the source are -1', () => {
  const dst: Grid = { crs: utm, transform: [5, 0, -10, 0, -5, 100], width: 24, height: 3 };
  const { index } = warpIndexMap(dst, src);
  for (let i = 0; i < 24; i++) {
    const x = -10 + 5 * i + 2.5;
    const col = Math.floor(x / 10);
    assert.equal(index[i], col >= 0 && col < 10 ? col : -1, `column ${i}`);
    assert.equal(index[2 * 24 + i], col >= 0 && col < 10 ? 10 + col : -1);
  }
});

test('UTM -> EPSG:4326 within 1/8 px of the exact mapping, with few exact transforms', () => {
  const utmSrc: Grid = { crs: utm, transform: [20, 0, 400000, 0, -20, 3010000], width: 1500, height: 1500 };
  const dst = gridForBbox([68.0, 26.9, 68.1, 27.0], crsFromEpsg(4326), 0.0002);
  const r = warpIndexMap(dst, utmSrc);
  const exact = exactSourceCoords(dst, utmSrc);
  assert.ok(maxIndexError(r.index, exact, utmSrc, 0.125) <= 0.125);
  assert.ok(r.exactTransforms < dst.width * dst.height * 0.02, `${r.exactTransforms} exact transforms`);
  // Most pixels are exactly what one-transform-per-pixel would give.
  let same = 0;
  for (let k = 0; k < r.index.length; k++) {
    const u = Math.floor(exact[2 * k] + 1e-10);
    const v = Math.floor(exact[2 * k + 1] + 1e-10);
    const want = u >= 0 && u < utmSrc.width && v >= 0 && v < utmSrc.height ? v * utmSrc.width + u : -1;
    if (want === r.index[k]) same++;
  }
  assert.ok(same / r.index.length > 0.99, `${same} of ${r.index.length}`);
});

test('EPSG:4326 -> Equi7 and a tighter tolerance', () => {
  const geoSrc: Grid = { crs: crsFromEpsg(4326), transform: [0.001, 0, 67, 0, -0.001, 28], width: 2000, height: 2000 };
  const dst = gridForBbox([67.5, 26.5, 67.9, 26.9], crsFromAny(EQUI7_AS_PROJ4), 200);
  const loose = warpIndexMap(dst, geoSrc);
  const tight = warpIndexMap(dst, geoSrc, { tolerance: 0.01 });
  const exact = exactSourceCoords(dst, geoSrc);
  assert.ok(maxIndexError(loose.index, exact, geoSrc, 0.125) <= 0.125);
  assert.ok(maxIndexError(tight.index, exact, geoSrc, 0.01) <= 0.01);
  assert.ok(tight.exactTransforms >= loose.exactTransforms);
});

test('destination pixels outside the projection domain are -1, not garbage', () => {
  const geoSrc: Grid = { crs: crsFromEpsg(4326), transform: [1, 0, -180, 0, -1, 90], width: 360, height: 180 };
  // Equi7 Asia grid reaching beyond the antipode of its centre (about 20,000 km away).
  const dst: Grid = { crs: crsFromAny(EQUI7_AS_PROJ4), transform: [500000, 0, -30e6, 0, -500000, 30e6], width: 120, height: 120 };
  const r = warpIndexMap(dst, geoSrc, { step: 16 });
  const exact = exactSourceCoords(dst, geoSrc);
  let valid = 0;
  for (let k = 0; k < r.index.length; k++) {
    if (Number.isNaN(exact[2 * k])) assert.equal(r.index[k], -1);
    else valid++;
  }
  assert.ok(valid > 0 && valid < r.index.length);
});

test('output buffer reuse, abort, and rebasing indices to a read window', () => {
  const dst: Grid = { crs: utm, transform: [10, 0, 0, 0, -10, 100], width: 10, height: 10 };
  const buf = new Int32Array(200).fill(7);
  const r = warpIndexMap(dst, src, { out: buf });
  assert.equal(r.index.buffer, buf.buffer);
  assert.equal(r.index[55], 55);
  const ac = new AbortController();
  ac.abort(new Error('stop'));
  assert.throws(() => warpIndexMap(dst, src, { signal: ac.signal }), /stop/);
  const rebased = rebaseIndex(Int32Array.of(55, 0, -1), 10, { col: 5, row: 5, width: 2, height: 2 });
  assert.deepEqual(rebased, Int32Array.of(0, -1, -1));
});
