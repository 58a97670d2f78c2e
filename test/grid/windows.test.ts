import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blockLatticeOrigin, chunkWindows, clipWindow, crsFromEpsg, intersectGrids, pixelOffset, pixelToWorld, subGrid, windowOf,
  worldToPixel, gridBounds, type Grid,
} from './helpers.ts';

const utm = crsFromEpsg(32642);
const parent: Grid = { crs: utm, transform: [20, 0, 1000, 0, -20, 5000], width: 100, height: 50 };

test('pixel <-> world on a north-up grid', () => {
  assert.deepEqual(pixelToWorld(parent.transform, 0, 0), [1000, 5000]);
  assert.deepEqual(pixelToWorld(parent.transform, 2.5, 1.5), [1050, 4970]);
  assert.deepEqual(worldToPixel(parent.transform, 1050, 4970), [2.5, 1.5]);
  assert.deepEqual(gridBounds(parent), [1000, 4000, 3000, 5000]);
});

test('windowOf: whole-pixel offsets, also outside and negative', () => {
  assert.deepEqual(windowOf(subGrid(parent, 3, 4, 10, 5), parent), { col: 3, row: 4, width: 10, height: 5 });
  const left: Grid = { ...parent, transform: [20, 0, 900, 0, -20, 5040], width: 8, height: 3 };
  assert.deepEqual(windowOf(left, parent), { col: -5, row: -2, width: 8, height: 3 });
  assert.deepEqual(clipWindow(windowOf(left, parent), parent.width, parent.height), { col: 0, row: 0, width: 3, height: 1 });
});

test('incompatible lattices are refused', () => {
  assert.equal(pixelOffset({ ...parent, transform: [20, 0, 1005, 0, -20, 5000] }, parent), undefined);
  assert.equal(pixelOffset({ ...parent, transform: [10, 0, 1000, 0, -10, 5000] }, parent), undefined);
  assert.equal(pixelOffset({ ...parent, crs: crsFromEpsg(32643) }, parent), undefined);
  assert.deepEqual(pixelOffset({ ...parent, transform: [20, 0, 1020.0001, 0, -20, 5000] }, parent, 1e-3), [1, 0]);
  assert.throws(() => windowOf({ ...parent, transform: [20, 0, 1005, 0, -20, 5000] }, parent));
});

test('intersection of compatible grids', () => {
  const other: Grid = { crs: utm, transform: [20, 0, 2800, 0, -20, 4100], width: 30, height: 30 };
  const i = intersectGrids(parent, other)!;
  assert.deepEqual(i.transform, [20, 0, 2800, 0, -20, 4100]);
  assert.deepEqual([i.width, i.height], [10, 5]);
  const far: Grid = { ...other, transform: [20, 0, 9000, 0, -20, 4100] };
  assert.equal(intersectGrids(parent, far), undefined);
});

test('chunk windows cover the raster exactly, aligned to the chunk lattice', () => {
  const w = chunkWindows(1100, 600, 512, 512);
  assert.deepEqual(w.map((c) => [c.col, c.row, c.width, c.height]), [
    [0, 0, 512, 512], [512, 0, 512, 512], [1024, 0, 76, 512],
    [0, 512, 512, 88], [512, 512, 512, 88], [1024, 512, 76, 88],
  ]);
  const shifted = chunkWindows(1000, 10, 512, 512, 100, 0);
  assert.deepEqual(shifted.map((c) => [c.col, c.width]), [[0, 100], [100, 512], [612, 388]]);
  assert.equal(chunkWindows(5, 5, 512, 512).length, 1);
});

test('block lattice origin tells whether chunks can align with 512-px COG blocks', () => {
  const tile: Grid = { crs: utm, transform: [20, 0, 0, 0, -20, 0], width: 15000, height: 15000 };
  assert.deepEqual(blockLatticeOrigin(subGrid(tile, 1024, 512, 100, 100), tile, 512, 512), [0, 0]);
  assert.deepEqual(blockLatticeOrigin(subGrid(tile, 1000, 520, 100, 100), tile, 512, 512), [24, 504]);
  assert.equal(blockLatticeOrigin({ ...tile, transform: [20, 0, 5, 0, -20, 0] }, tile, 512, 512), undefined);
});
