// Units of work of plans with apply_dimension along x or y: strips of whole output chunks, cut into chunks for the writers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkWindows, outputChunks } from '../../src/executor/chunk-compute.ts';
import { outputPlan, WHOLE_GRID_PIXELS } from '../../src/executor/output-plan.ts';
import { validateWindow } from '../../src/formats/raster-writer.ts';
import { rasterMeta } from '../../src/executor/chunk-compute.ts';
import { cube, type CubeNode } from '../../src/datacube/types.ts';
import type { Grid } from '../../src/raster/grid/types.ts';

const gridOf = (width: number, height: number): Grid => ({ crs: { proj4: '+proj=utm +zone=32 +datum=WGS84 +units=m +no_defs' }, transform: [10, 0, 500000, 0, -10, 5000000], width, height });
const load = (grid: Grid): CubeNode => ({ op: 'load', collection: 'c', grid, bands: [{ name: 'b', asset: 'b', dtype: 'float32', nodata: null }], steps: [{ label: '2023-01-01T00:00:00Z', items: [] }, { label: '2023-01-02T00:00:00Z', items: [] }] });
const along = (axis: 'x' | 'y', input: CubeNode, size: number): CubeNode => ({
  op: 'apply_dimension',
  input,
  callback: { graph: { nodes: {}, resultId: 'r' } as never, parameterNames: ['data'] },
  source: axis,
  target: axis,
  labels: Array.from({ length: size }, (_, i) => i),
  size,
});
const planOf = (grid: Grid, node: CubeNode, options: Record<string, unknown> = {}) =>
  outputPlan({ cube: cube({ grid, x: 'x', y: 'y', time: { name: 't', labels: ['2023-01-01T00:00:00Z', '2023-01-02T00:00:00Z'] }, dtype: 'float32' }, node), format: 'ZARR', options });

/** Every output chunk of the plan exactly once, each a window the writers accept. */
function assertTiles(plan: ReturnType<typeof planOf>, units: ReturnType<typeof chunkWindows>) {
  const meta = rasterMeta(plan);
  const seen = new Set<string>();
  for (const unit of units) {
    const data = { b: new Float32Array(2 * unit.width * unit.height) };
    for (const chunk of outputChunks(plan, unit, data)) {
      validateWindow(meta, chunk.window);
      const key = `${chunk.window.x0},${chunk.window.y0}`;
      assert.ok(!seen.has(key), `chunk ${key} twice`);
      seen.add(key);
    }
  }
  assert.equal(seen.size, Math.ceil(plan.grid.width / plan.chunk.width) * Math.ceil(plan.grid.height / plan.chunk.height));
}

describe('units of work with apply_dimension along x or y', () => {
  it('plans without it keep one unit per output chunk', () => {
    const grid = gridOf(5000, 3000);
    const plan = planOf(grid, load(grid));
    assert.deepEqual(plan.chunk, { width: 2048, height: 2048 });
    assert.equal(chunkWindows(plan).length, 6);
  });

  it('along x: full-width strips whose chunks have fewer rows, about one requested chunk of pixels each', () => {
    const grid = gridOf(10000, 3000);
    const plan = planOf(grid, along('x', load(grid), grid.width));
    assert.deepEqual(plan.chunk, { width: 2048, height: Math.floor((2048 * 2048) / 10000) });
    const units = chunkWindows(plan);
    assert.ok(units.every((u) => u.x0 === 0 && u.width === 10000 && u.height <= plan.chunk.height));
    assert.equal(units.reduce((n, u) => n + u.height, 0), 3000);
    assertTiles(plan, units);
    // never fewer than 64 rows, never more than asked
    assert.equal(planOf(gridOf(200000, 100), along('x', load(gridOf(200000, 100)), 200000)).chunk.height, 64);
    assert.deepEqual(planOf(gridOf(100, 5000), along('x', load(gridOf(100, 5000)), 100), { chunk_size: [128, 256] }).chunk, { width: 128, height: 256 });
  });

  it('along y: full-height strips whose chunks have fewer columns', () => {
    const grid = gridOf(3000, 9000);
    const plan = planOf(grid, along('y', load(grid), grid.height), { chunk_size: 1024 });
    assert.deepEqual(plan.chunk, { width: Math.floor((1024 * 1024) / 9000), height: 1024 });
    const units = chunkWindows(plan);
    assert.ok(units.every((u) => u.y0 === 0 && u.height === 9000));
    assertTiles(plan, units);
  });

  it('along both: one unit, the whole grid, within a budget; beyond it a clear error', () => {
    const grid = gridOf(700, 500);
    const plan = planOf(grid, along('y', along('x', load(grid), 700), 500), { chunk_size: 128 });
    assert.deepEqual(chunkWindows(plan), [{ x0: 0, y0: 0, width: 700, height: 500 }]);
    assertTiles(plan, chunkWindows(plan));
    const big = gridOf(5000, 4000);
    assert.ok(5000 * 4000 > WHOLE_GRID_PIXELS);
    assert.throws(
      () => planOf(big, along('y', along('x', load(big), 5000), 4000)),
      (e: Error & { code?: string }) => e.code === 'ProcessGraphComplexity' && /both x and y needs the whole grid at once: 5000 x 4000 pixels.*smaller spatial extent/.test(e.message),
    );
  });

  it('cuts a strip into its chunks sample by sample, time step by time step', () => {
    const grid = gridOf(150, 70);
    const plan = planOf(grid, along('x', load(grid), 150), { chunk_size: 64 });
    const [unit] = chunkWindows(plan);
    assert.deepEqual(unit, { x0: 0, y0: 0, width: 150, height: 64 });
    const data = { b: Float32Array.from({ length: 2 * 150 * 64 }, (_, i) => i) };
    const chunks = [...outputChunks(plan, unit, data)];
    assert.deepEqual(chunks.map((c) => c.window), [0, 64, 128].map((x0) => ({ x0, y0: 0, width: Math.min(64, 150 - x0), height: 64 })));
    for (const { window, data: part } of chunks) {
      for (let t = 0; t < 2; t++) {
        for (let r = 0; r < window.height; r++) {
          for (let c = 0; c < window.width; c++) {
            assert.equal(part.b[(t * window.height + r) * window.width + c], t * 150 * 64 + r * 150 + window.x0 + c);
          }
        }
      }
    }
  });
});
