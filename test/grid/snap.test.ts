import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maybeInt, snapGrid, snapScale, splitFloat } from '../../src/raster/grid/index.ts';

test('splitFloat keeps the fraction in [-0.5, 0.5] like odc-geo', () => {
  assert.deepEqual(splitFloat(2.25), [2, 0.25]);
  const [w, f] = splitFloat(-2.7);
  assert.equal(w, -3);
  assert.ok(Math.abs(f - 0.3) < 1e-12);
  assert.deepEqual(splitFloat(3.75).map((v) => Math.round(v * 100) / 100), [4, -0.25]);
});

test('maybeInt and snapScale snap only within tolerance', () => {
  assert.equal(maybeInt(2.999999, 1e-3), 3);
  assert.equal(maybeInt(2.9, 1e-3), 2.9);
  assert.equal(snapScale(0.3333334, 1e-5), 1 / 3);
  assert.equal(snapScale(0.4), 0.4);
  assert.equal(snapScale(0.9999999), 1);
});

test('edges on multiples of the resolution, outward', () => {
  assert.deepEqual(snapGrid(12, 27, 10), [10, 2]);
  assert.deepEqual(snapGrid(10, 30, 10), [10, 2]); // exactly on edges: no extra pixel
  assert.deepEqual(snapGrid(12, 27, -10), [30, 2]); // negative resolution returns the upper edge
  assert.deepEqual(snapGrid(10, 30, -10), [30, 2]);
});

test('negative coordinates', () => {
  assert.deepEqual(snapGrid(-25, -5, 10), [-30, 3]);
  assert.deepEqual(snapGrid(-25, -5, -10), [0, 3]);
  assert.deepEqual(snapGrid(-20, 0, -10), [0, 2]);
});

test('tiny and degenerate extents give one pixel', () => {
  assert.deepEqual(snapGrid(12, 12, 10), [10, 1]);
  assert.deepEqual(snapGrid(10, 10, 10), [10, 1]);
  assert.deepEqual(snapGrid(12, 12.0001, -10), [20, 1]);
});

test('tolerance absorbs rounding noise at pixel edges', () => {
  assert.deepEqual(snapGrid(9.9999, 30.0001, 10, 0, 0.01), [10, 2]);
  assert.deepEqual(snapGrid(9.9999, 30.0001, 10, 0, 1e-9), [0, 4]);
  // 0.3 / 0.1 = 2.9999999999999996 in floating point
  assert.deepEqual(snapGrid(0.3, 0.9, 0.1, 0, 0.01)[1], 6);
  assert.deepEqual(snapGrid(0.3, 0.9, 0.1, 0, 0)[1], 7);
});

test('anchors: centres on multiples, and no snapping', () => {
  assert.deepEqual(snapGrid(12, 28, 10, 0.5), [5, 3]);
  assert.deepEqual(snapGrid(12, 27, 10, null), [12, 2]);
  assert.deepEqual(snapGrid(12, 27, -10, null), [27, 2]);
  assert.throws(() => snapGrid(1, 2, 10, 1));
  assert.throws(() => snapGrid(2, 1, 10));
});
