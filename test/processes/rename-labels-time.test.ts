/** rename_labels along time: the new labels are instants that filters, merge_cubes and the writers agree on. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { cube, type CubeMeta } from '../../src/datacube/types.ts';
import type { ProcessDefinition } from '../../src/process-graph/types.ts';
import { cubeProcesses } from '../../src/processes/cube/index.ts';
import { EPSG4326 } from '../../src/raster/grid/crs.ts';
import { run } from '../process-graph/helpers.ts';

/** A cube of one band and the given time labels (labels only: nothing here reads pixels). */
const testCube: ProcessDefinition = {
  spec: {
    id: 'test_cube',
    summary: 'Test cube',
    description: 'A cube of one band with the given time labels.',
    categories: [],
    parameters: [
      { name: 'band', description: 'band', schema: { type: 'string' } },
      { name: 'times', description: 'time labels', schema: { type: 'array' } },
    ],
    returns: { description: 'cube', schema: { type: 'object', subtype: 'datacube' } },
  },
  run: (args) => {
    const meta = { grid: { crs: EPSG4326, transform: [0.1, 0, 10, 0, -0.1, 46], width: 2, height: 2 }, x: 'x', y: 'y', dtype: 'uint8', bands: { name: 'bands', labels: [args.string('band')] }, time: { name: 't', labels: args.array('times').map(String) } };
    return cube(meta as unknown as CubeMeta, { op: 'load' } as never);
  },
};

const TIMES = ['2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'];
const node = (process_id: string, args: Record<string, unknown>, result = false) => ({ process_id, arguments: args, ...(result ? { result } : {}) });
const from = (n: string) => ({ from_node: n });
const labelsOf = (n: string) => node('dimension_labels', { data: from(n), dimension: 't' }, true);
const exec = (graph: Record<string, unknown>) => run(graph, { extra: [testCube, ...cubeProcesses()] });
const rename = (target: string[]) => ({
  c: node('test_cube', { band: 'a', times: TIMES }),
  r: node('rename_labels', { data: from('c'), dimension: 't', target }),
});

const tz = process.env.TZ;
after(() => {
  if (tz === undefined) delete process.env.TZ;
  else process.env.TZ = tz;
});

test('renamed time labels at the same instants as the other cube merge into the same steps', async () => {
  const merged = await exec({
    ...rename(['2024-01-01', '2024-01-02']),
    b: node('test_cube', { band: 'b', times: TIMES }),
    m: node('merge_cubes', { cube1: from('r'), cube2: from('b') }),
    l: labelsOf('m'),
  });
  assert.equal((merged as string[]).length, 2, `two instants, got ${JSON.stringify(merged)}`);
});

test('two renamed labels at one instant are refused', async () => {
  await assert.rejects(exec({ ...rename(['2024-01-01', '2024-01-01T00:00:00Z']), l: labelsOf('r') }), /LabelExists/);
  await assert.rejects(exec({ ...rename(['2024-01-01T01:00:00+01:00', '2024-01-01T00:00:00Z']), l: labelsOf('r') }), /LabelExists/);
});

test('dates that are not on the calendar are refused', async () => {
  await assert.rejects(exec({ ...rename(['2024-02-30', '2024-03-02']), l: labelsOf('r') }), /ISO 8601/);
});

test('a renamed date-time without a zone is UTC for filter_temporal whatever the process time zone', async () => {
  process.env.TZ = 'Europe/Berlin';
  const kept = await exec({
    ...rename(['2024-01-01T00:30:00', '2024-01-02T00:30:00']),
    f: node('filter_temporal', { data: from('r'), extent: ['2024-01-01', '2024-01-01T01:00:00Z'] }),
    l: labelsOf('f'),
  });
  assert.equal((kept as string[]).length, 1, `one step in [01-01T00:00Z, 01-01T01:00Z), got ${JSON.stringify(kept)}`);
});
