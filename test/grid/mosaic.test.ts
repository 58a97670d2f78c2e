import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFirstValid, crsFromEpsg, gatherFirstValid, planMosaic, rebaseIndex, subGrid, warpIndexMap, worldToPixel, type Grid,
  type MosaicSource,
} from './helpers.ts';

const utm = crsFromEpsg(32642);
const NODATA = 255;
// The chunk: 10 x 10 px of 10 m, x 0..100, y 0..100.
const chunk: Grid = { crs: utm, transform: [10, 0, 0, 0, -10, 100], width: 10, height: 10 };
const g = (t: [number, number, number, number, number, number], w: number, h: number): Grid => ({ crs: utm, transform: t, width: w, height: h });

// Several tiles of one time step; ids deliberately not in input order.
const items: MosaicSource[] = [
  { id: 'b', grid: g([10, 0, 50, 0, -10, 80], 10, 10) }, // aligned, lower right part of the chunk
  { id: 'e', grid: g([20, 0, 0, 0, -20, 100], 5, 5) }, // other resolution: warp
  { id: 'c', grid: g([10, 0, 500, 0, -10, 100], 10, 10) }, // far away: skipped
  { id: 'a', grid: g([10, 0, -30, 0, -10, 130], 5, 5) }, // aligned, top-left corner only
  { id: 'd', grid: g([10, 0, 5, 0, -10, 100], 10, 10) }, // half-pixel shift: warp
];

test('plan: sorted by id, copy windows for aligned tiles, warps for the rest', () => {
  const plan = planMosaic(chunk, items);
  assert.deepEqual(plan.map((s) => [s.id, s.kind]), [['a', 'copy'], ['b', 'copy'], ['d', 'warp'], ['e', 'warp']]);
  assert.deepEqual(plan[0], { kind: 'copy', id: 'a', src: { col: 3, row: 3, width: 2, height: 2 }, dst: { col: 0, row: 0, width: 2, height: 2 } });
  assert.deepEqual(plan[1], { kind: 'copy', id: 'b', src: { col: 0, row: 0, width: 5, height: 8 }, dst: { col: 5, row: 2, width: 5, height: 8 } });
  assert.deepEqual(plan[2].src, { col: 0, row: 0, width: 10, height: 10 });
  assert.deepEqual(plan[3].src, { col: 0, row: 0, width: 5, height: 5 });
});

/** Item rasters: swaths of valid data with nodata elsewhere, values identify the item. */
function raster(id: string, grid: Grid): Uint8Array {
  const v = { a: 10, b: 20, c: 30, d: 40, e: 50 }[id]!;
  const out = new Uint8Array(grid.width * grid.height);
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const inSwath = id === 'b' ? c >= 2 : id === 'd' ? r >= 6 : id === 'a' ? !(r === 3 && c === 3) : true;
      out[r * grid.width + c] = inSwath ? v + ((r + c) % 3) : NODATA;
    }
  }
  return out;
}

/** One transform per pixel, items in id order, first valid wins: the rule written the slow, obvious way. */
function bruteForce(): Uint8Array {
  const out = new Uint8Array(100).fill(NODATA);
  const sorted = [...items].sort((p, q) => (p.id < q.id ? -1 : 1));
  for (let j = 0; j < 10; j++) {
    for (let i = 0; i < 10; i++) {
      for (const it of sorted) {
        const [u, v] = worldToPixel(it.grid.transform, i * 10 + 5, 100 - j * 10 - 5);
        const c = Math.floor(u + 1e-10);
        const r = Math.floor(v + 1e-10);
        if (c < 0 || r < 0 || c >= it.grid.width || r >= it.grid.height) continue;
        const val = raster(it.id, it.grid)[r * it.grid.width + c];
        if (val !== NODATA) {
          out[j * 10 + i] = val;
          break;
        }
      }
    }
  }
  return out;
}

test('fusing the plan with the copy and gather kernels equals the brute-force mosaic', () => {
  const dst = new Uint8Array(100).fill(NODATA);
  let first = true;
  for (const step of planMosaic(chunk, items)) {
    const it = items.find((x) => x.id === step.id)!;
    const full = raster(it.id, it.grid);
    if (step.kind === 'copy') {
      copyFirstValid(dst, 10, step.dst, full, it.grid.width, step.src.col, step.src.row, NODATA, first);
    } else {
      // Read only the planned window, as the executor will, and index into it.
      const win = step.src;
      const part = new Uint8Array(win.width * win.height);
      for (let r = 0; r < win.height; r++) part.set(full.subarray((win.row + r) * it.grid.width + win.col, (win.row + r) * it.grid.width + win.col + win.width), r * win.width);
      const { index } = warpIndexMap(chunk, it.grid);
      gatherFirstValid(dst, rebaseIndex(index, it.grid.width, win), part, NODATA);
    }
    first = false;
  }
  assert.deepEqual(dst, bruteForce());
  // Spot checks by hand. (0,0): centre (5, 95) is in 'a' pixel (3,3) = nodata, then 'd' row 0 is outside its
  // swath, so 'e' pixel (0,0) = 50. (1,0): 'a' (4,3) = 10 + 7 % 3 = 11. (9,9): 'b' (4,7) = 20 + 11 % 3 = 22.
  assert.equal(dst[0], 50);
  assert.equal(dst[1], 11);
  assert.equal(dst[99], 22);
});

test('a chunk no item touches plans nothing and stays nodata', () => {
  assert.deepEqual(planMosaic(subGrid(chunk, 100, 100, 10, 10), items), []);
});

test('copyFirstValid keeps earlier values and handles NaN nodata', () => {
  const dst = Float32Array.of(NaN, 1, NaN, NaN);
  copyFirstValid(dst, 2, { col: 0, row: 0, width: 2, height: 2 }, Float32Array.of(5, 6, NaN, 8), 2, 0, 0, NaN);
  assert.deepEqual(Array.from(dst), [5, 1, NaN, 8]);
  const u8 = Uint8Array.of(255, 3);
  gatherFirstValid(u8, Int32Array.of(1, 0), Uint8Array.of(9, 7), 255);
  assert.deepEqual(Array.from(u8), [7, 3]);
});

test('copyFirstValid on bytes (word at a time) equals the per-pixel rule at any alignment and window', () => {
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const runs = (a: Uint8Array, nd: number) => {
    for (let i = 0; i < a.length; ) {
      const v = rnd() < 0.45 ? nd : Math.floor(rnd() * 256);
      const e = Math.min(a.length, i + 1 + Math.floor(rnd() * 12));
      a.fill(v, i, e);
      i = e;
    }
  };
  for (let trial = 0; trial < 200; trial++) {
    const nd = trial % 3 === 0 ? 0 : 255;
    const dw = 5 + Math.floor(rnd() * 40);
    const dh = 1 + Math.floor(rnd() * 6);
    const sw = 5 + Math.floor(rnd() * 40);
    const sh = dh + Math.floor(rnd() * 3);
    const off = Math.floor(rnd() * 4); // views starting anywhere in their buffer
    const dst = new Uint8Array(dw * dh + off + 3).subarray(off, off + dw * dh);
    const src = new Uint8Array(sw * sh);
    runs(dst, nd);
    runs(src, nd);
    const width = 1 + Math.floor(rnd() * Math.min(dw, sw));
    const win = { col: Math.floor(rnd() * (dw - width + 1)), row: Math.floor(rnd() * dh), width, height: 0 };
    win.height = 1 + Math.floor(rnd() * (dh - win.row));
    const srcCol = Math.floor(rnd() * (sw - width + 1));
    const srcRow = Math.floor(rnd() * (sh - win.height + 1));
    const expected = Uint8Array.from(dst);
    for (let r = 0; r < win.height; r++) {
      for (let c = 0; c < width; c++) {
        const d = (win.row + r) * dw + win.col + c;
        const v = src[(srcRow + r) * sw + srcCol + c];
        if (expected[d] === nd && v !== nd) expected[d] = v;
      }
    }
    copyFirstValid(dst, dw, win, src, sw, srcCol, srcRow, nd);
    assert.deepEqual(dst, expected, `trial ${trial}`);
  }
});
