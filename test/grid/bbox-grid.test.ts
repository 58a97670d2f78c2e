import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crsFromEpsg, crsFromWkt, gridBounds, gridForBbox, isOpenEOErrorLike } from './helpers.ts';
import { EQUI7_AS_WKT2, TUTORIAL_AOI } from './fixtures.ts';

const utm42 = crsFromEpsg(32642);
const wgs84 = crsFromEpsg(4326);

test('bbox already in the target CRS: snapped outward to multiples of the resolution', () => {
  const g = gridForBbox([500010, 4000015, 500095, 4000040], utm42, 10, { bboxCrs: utm42 });
  assert.deepEqual(g.transform, [10, 0, 500010, 0, -10, 4000040]);
  assert.equal(g.width, 9);
  assert.equal(g.height, 3);
});

test('geographic grid with negative coordinates', () => {
  const g = gridForBbox([-1.1, -0.6, 0.4, 0.1], wgs84, 0.25);
  assert.deepEqual(g.transform, [0.25, 0, -1.25, 0, -0.25, 0.25]);
  assert.equal(g.width, 7);
  assert.equal(g.height, 4);
});

test('a bbox exactly on pixel edges gains no pixel, even with floating-point noise', () => {
  const g = gridForBbox([0, 0, 1, 0.5], wgs84, 0.25);
  assert.deepEqual([g.width, g.height, g.transform[2], g.transform[5]], [4, 2, 0, 0.5]);
  const h = gridForBbox([0.3, 0.2, 0.7, 0.9], wgs84, 0.1); // 0.3 / 0.1 = 2.9999999999999996
  assert.equal(h.width, 4);
  assert.equal(h.height, 7);
  assert.ok(Math.abs(h.transform[5] - 0.9) < 1e-12);
});

test('tiny bbox: a single pixel', () => {
  const g = gridForBbox([500013, 4000013, 500013.5, 4000013.5], utm42, 10, { bboxCrs: utm42 });
  assert.deepEqual([g.width, g.height, g.transform[2], g.transform[5]], [1, 1, 500010, 4000020]);
  const p = gridForBbox([68, 27, 68, 27], utm42, 20);
  assert.equal(p.width, 1);
  assert.equal(p.height, 1);
});

test('resolution pairs keep their signs; anchor at pixel centres', () => {
  const g = gridForBbox([12, 12, 28, 28], utm42, [10, 10], { bboxCrs: utm42 });
  assert.deepEqual(g.transform, [10, 0, 10, 0, 10, 10]); // south-up: origin at the bottom edge
  const c = gridForBbox([12, 12, 28, 28], utm42, 10, { bboxCrs: utm42, anchor: [0.5, 0.5] });
  assert.deepEqual([c.transform[2], c.transform[5], c.width, c.height], [5, 35, 3, 3]);
  assert.throws(() => gridForBbox([0, 0, 1, 1], wgs84, 0), isOpenEOErrorLike('ProcessParameterInvalid'));
  assert.throws(() => gridForBbox([1, 0, 0, 1], wgs84, 0.1), isOpenEOErrorLike('ProcessParameterInvalid'));
});

test('EODC tutorial AOI on the Equi7 Asia grid at 20 m: 9936 x 10030 px', () => {
  const g = gridForBbox(TUTORIAL_AOI, crsFromWkt(EQUI7_AS_WKT2), 20);
  assert.equal(g.width, 9936);
  assert.equal(g.height, 10030);
  assert.deepEqual(g.transform, [20, 0, 1659620, 0, -20, 3066440]);
  // Densifying changes nothing here: the projected extremes are at the corners.
  const d = gridForBbox(TUTORIAL_AOI, crsFromWkt(EQUI7_AS_WKT2), 20, { pointsPerEdge: 64 });
  assert.deepEqual(d, g);
});

test('densified edges can only grow the grid, and do for large boxes', () => {
  const corners = gridForBbox([60, 40, 78, 50], utm42, 1000);
  const dense = gridForBbox([60, 40, 78, 50], utm42, 1000, { pointsPerEdge: 32 });
  const [a0, a1, a2, a3] = gridBounds(corners);
  const [b0, b1, b2, b3] = gridBounds(dense);
  assert.ok(b0 <= a0 && b1 <= a1 && b2 >= a2 && b3 >= a3);
  assert.ok(dense.height > corners.height, 'the 40°N parallel bulges south of its corners in UTM');
});
