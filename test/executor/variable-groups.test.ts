/**
 * The variables of a chunk are computed at once where their evaluations share no buffers (the two sides of a merge
 * at the root, as in the flood workflow), so that remote reads of one overlap the other's; everything else in turn.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferArena } from '../../src/datacube/arena.ts';
import type { LoadReader } from '../../src/datacube/chunk-eval.ts';
import { READ_AHEAD_MAX } from '../../src/datacube/fused-time.ts';
import { createKernelProvider } from '../../src/datacube/kernel-provider.ts';
import type { CallbackSpec, CubeNode } from '../../src/datacube/types.ts';
import { computeChunk, independentGroups } from '../../src/executor/chunk-compute.ts';
import type { OutputPlan } from '../../src/executor/output-plan.ts';
import type { Grid } from '../../src/raster/grid/types.ts';

const W = 16;
const H = 8;
const T = 2 * READ_AHEAD_MAX;
const GRID: Grid = { crs: { proj4: '+proj=longlat +datum=WGS84 +no_defs' }, transform: [1, 0, 10, 0, -1, 50], width: W, height: H };
const load = (bands: string[]): Extract<CubeNode, { op: 'load' }> => ({
  op: 'load',
  collection: 'c',
  grid: GRID,
  bands: bands.map((name) => ({ name, asset: name, dtype: 'uint8' as const, nodata: 0 })),
  steps: Array.from({ length: T }, (_, t) => ({ label: `2023-08-${String(t + 1).padStart(2, '0')}T00:00:00Z`, items: [] })),
});
const reducer = (id: string): CallbackSpec => ({ graph: { r: { process_id: id, arguments: { data: { from_parameter: 'data' } }, result: true } } as CallbackSpec['graph'], parameterNames: ['data'] });
const select = (input: CubeNode, band: number): CubeNode => ({ op: 'select', input, bands: [band] });
/** max of band 0 beside the sum of band 1, as the flood workflow merges its two reductions. */
const merged: CubeNode = {
  op: 'merge',
  a: { op: 'reduce_time', input: select(load(['f', 'l']), 0), callback: reducer('max') },
  b: { op: 'reduce_time', input: select(load(['f', 'l']), 1), callback: reducer('sum') },
  bandMap: [
    { from: 'a', a: 0 },
    { from: 'b', b: 0 },
  ],
  timeMap: [{ a: 0, b: 0 }],
};
const sample = (band: number, t: number, i: number) => (i * 7 + t * 13 + band * 5) % 11;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function slowReader(counter: { active: number; most: number }): LoadReader {
  return {
    read: () => Promise.reject(new Error('planes are not expected here')),
    async readRaw(_node, step, band, target, _signal, slot) {
      counter.active++;
      counter.most = Math.max(counter.most, counter.active);
      try {
        const n = target.width * target.height;
        const buf = slot!.arena.scratch(`${slot!.key}|raw`, n, (len) => new Uint8Array(len));
        await sleep(1 + ((step * 3 + band) % 4));
        for (let i = 0; i < n; i++) buf[i] = sample(band, step, i);
        return { data: buf, nodata: 0 };
      } finally {
        counter.active--;
      }
    },
  };
}

const plan = (node: CubeNode): OutputPlan => ({
  node,
  grid: GRID,
  variables: [
    { name: 'flood', band: 0, dtype: 'uint8', nodata: 255 },
    { name: 'likelihood', band: 1, dtype: 'uint8', nodata: 255 },
  ],
  format: 'ZARR',
  options: {},
  chunk: { width: W, height: H },
});

test('the two sides of a merge at the root are computed at once, with the same result as in turn', async () => {
  assert.deepEqual(
    independentGroups(merged, plan(merged).variables).map((g) => g.map((v) => v.name)),
    [['flood'], ['likelihood']],
  );
  const counter = { active: 0, most: 0 };
  const out = await computeChunk(plan(merged), { x0: 0, y0: 0, width: W, height: H }, { kernels: createKernelProvider(), loads: slowReader(counter), arena: new BufferArena() }, new AbortController().signal);
  // one variable alone never has more than READ_AHEAD_MAX reads in flight
  assert.ok(counter.most > READ_AHEAD_MAX, `the reads of both variables overlap (at most ${counter.most} at once)`);
  for (let i = 0; i < W * H; i++) {
    let max = -1;
    let sum = 0;
    for (let t = 0; t < T; t++) {
      const f = sample(0, t, i);
      const l = sample(1, t, i);
      if (f !== 0) max = Math.max(max, f);
      if (l !== 0) sum += l;
    }
    assert.equal(out.flood[i], max < 0 ? 255 : max, `flood at ${i}`);
    assert.equal(out.likelihood[i], sum, `likelihood at ${i}`);
  }
});

test('bands of one subtree, or a merge band taken from both sides, are computed in turn', () => {
  const vars = plan(merged).variables;
  const reduced: CubeNode = { op: 'reduce_time', input: load(['f', 'l']), callback: reducer('max') };
  assert.equal(independentGroups(reduced, vars).length, 1);
  const both: CubeNode = { ...merged, bandMap: [{ from: 'a', a: 0 }, { from: 'both', a: 0, b: 0 }], resolver: reducer('max') } as CubeNode;
  assert.equal(independentGroups(both, vars).length, 1);
});
