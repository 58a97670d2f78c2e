// A chunk of a plan whose apply_dimension along x (y) sits below a crop: the node computes whole rows (columns) of
// its own grid, wider (taller) than the output, so the rows computed at once must be sized by that grid.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LoadReader } from '../../src/datacube/chunk-eval.ts';
import { createKernelProvider } from '../../src/datacube/kernel-provider.ts';
import { cube, type CallbackSpec, type CubeNode } from '../../src/datacube/types.ts';
import { computeChunk } from '../../src/executor/chunk-compute.ts';
import { outputPlan } from '../../src/executor/output-plan.ts';
import type { Grid } from '../../src/raster/grid/types.ts';

const gridOf = (width: number, height: number, col = 0, row = 0): Grid => ({ crs: { proj4: '+proj=utm +zone=32 +datum=WGS84 +units=m +no_defs' }, transform: [10, 0, 500000 + col * 10, 0, -10, 5000000 - row * 10], width, height });
const data = { from_parameter: 'data' };
const centred: CallbackSpec = { graph: { m: { process_id: 'mean', arguments: { data } }, s: { process_id: 'subtract', arguments: { x: data, y: { from_node: 'm' } }, result: true } } as never, parameterNames: ['data', 'context'], context: null };

for (const axis of ['x', 'y'] as const) {
  it(`along ${axis} below a crop: no read larger than the pixels computed at once (plus one ${axis === 'x' ? 'row' : 'column'})`, async () => {
    const full = axis === 'x' ? gridOf(4000, 300) : gridOf(300, 4000);
    const size = axis === 'x' ? full.width : full.height;
    const load: CubeNode = { op: 'load', collection: 'c', grid: full, bands: [{ name: 'b', asset: 'b', dtype: 'float32', nodata: null }], steps: [{ label: '2023-01-01T00:00:00Z', items: [] }] };
    const apply: CubeNode = { op: 'apply_dimension', input: load, callback: centred, source: axis, target: axis, labels: Array.from({ length: size }, (_, i) => i), size };
    // 10 pixels across of the 4000 the apply works along (filter_bbox after apply_dimension)
    const [w, h] = axis === 'x' ? [10, 300] : [300, 10];
    const node: CubeNode = { op: 'crop', input: apply, col: axis === 'x' ? 100 : 0, row: axis === 'y' ? 100 : 0 };
    const plan = outputPlan({ cube: cube({ grid: gridOf(w, h), x: 'x', y: 'y', dtype: 'float32' }, node), format: 'ZARR', options: {} });
    let largest = 0;
    const loads: LoadReader = {
      async read(_node, _t, _b, target) {
        const n = target.width * target.height;
        largest = Math.max(largest, n);
        return { data: new Float32Array(n).fill(1), valid: null };
      },
    };
    const maxPixels = 4000;
    const out = await computeChunk(plan, { x0: 0, y0: 0, width: w, height: h }, { kernels: createKernelProvider(), loads }, new AbortController().signal, maxPixels);
    assert.equal(out[Object.keys(out)[0]][0], 0);
    assert.ok(largest <= maxPixels + size, `a read of ${largest} pixels for ${maxPixels} computed at once`);
  });
}
