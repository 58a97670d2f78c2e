/**
 * resample_spatial after apply_dimension along x: resampling is pushed down to the loads only through per-pixel
 * operations. apply_dimension along x sees whole rows of its grid (its labels and size are that grid's x
 * coordinates), so the node must not end up over a load on another grid.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cube, type CubeNode, type DataCube } from '../../src/datacube/types.ts';
import { OpenEOError } from '../../src/errors.ts';
import type { ProcessDefinition } from '../../src/process-graph/types.ts';
import { cubeProcesses } from '../../src/processes/cube/index.ts';
import { crsFromEpsg } from '../../src/raster/grid/crs.ts';
import type { Grid } from '../../src/raster/grid/types.ts';
import { run } from '../process-graph/helpers.ts';

const grid: Grid = { crs: crsFromEpsg(32642), transform: [20, 0, 500000, 0, -20, 3000000], width: 8, height: 4 };
const source: ProcessDefinition = {
  spec: { id: 'test_cube', summary: 'A cube', description: 'A loaded cube of 8 x 4 pixels.', categories: [], parameters: [], returns: { description: 'cube', schema: { type: 'object', subtype: 'datacube' } } },
  run: (): DataCube =>
    cube(
      { grid, x: 'x', y: 'y', bands: { name: 'bands', labels: ['b'] }, dtype: 'float32' },
      { op: 'load', collection: 'c', grid, bands: [{ name: 'b', asset: 'b', dtype: 'float32', nodata: null }], steps: [{ label: '2023-01-01T00:00:00Z', items: [] }] },
    ),
};

/** apply_dimension nodes along x or y and the grid of the first load below each. */
function spatialApplies(node: CubeNode, out: { size: number; below: Grid }[] = []): { size: number; below: Grid }[] {
  const loadGrid = (n: CubeNode): Grid => (n.op === 'load' ? n.grid : n.op === 'merge' ? loadGrid(n.a) : loadGrid((n as { input: CubeNode }).input));
  if (node.op === 'apply_dimension' && node.source === 'x') out.push({ size: node.size, below: loadGrid(node.input) });
  for (const k of ['input', 'mask', 'a', 'b'] as const) if (k in node) spatialApplies((node as unknown as Record<string, CubeNode>)[k], out);
  return out;
}

test('resample_spatial after apply_dimension along x does not leave the node over a grid of another width', async () => {
  const data = { from_parameter: 'data' };
  const centred = { m: { process_id: 'mean', arguments: { data } }, s: { process_id: 'subtract', arguments: { x: data, y: { from_node: 'm' } }, result: true } };
  const graph = {
    c: { process_id: 'test_cube', arguments: {} },
    a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'c' }, dimension: 'x', process: { process_graph: centred } } },
    r: { process_id: 'resample_spatial', arguments: { data: { from_node: 'a' }, resolution: 40 }, result: true },
  };
  const got = await run(graph, { extra: [source, ...cubeProcesses()] }).catch((e: unknown) => e);
  if (got instanceof OpenEOError) return assert.equal(got.code, 'FeatureUnsupported');
  assert.ok(!(got instanceof Error), String(got));
  const applies = spatialApplies((got as DataCube).node);
  assert.equal(applies.length, 1);
  // the callback must see the rows it was planned for: the apply's grid is still 8 pixels wide
  assert.equal(applies[0].below.width, applies[0].size, `apply_dimension of ${applies[0].size} x coordinates over a load ${applies[0].below.width} pixels wide`);
});
