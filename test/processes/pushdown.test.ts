/** The pushdown dry run on real process definitions: which loads get narrowed, to what, and which are left alone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CollectionEntry } from '../../src/catalog/index.ts';
import { cubeProcesses, planLoadNarrowing, type CubeServices, type LoadNarrowing } from '../../src/processes/cube/index.ts';
import { validate } from '../process-graph/helpers.ts';
import type { UserProcessDef } from '../../src/process-graph/types.ts';

const entry = {
  id: 'S2',
  bands: ['B02', 'B04', 'B08', 'SCL'].map((name) => ({ name, asset: name.toLowerCase(), data_type: 'uint16', nodata: 0 })),
} as unknown as CollectionEntry;
const services = { collection: (id: string) => (id === 'S2' ? entry : undefined) } as unknown as CubeServices;

const BBOX = { west: 10, south: 45, east: 10.1, north: 45.1 };
const YEAR = ['2023-01-01', '2024-01-01'];
const ms = (d: string) => Date.parse(`${d}T00:00:00Z`);
const load = (args: Record<string, unknown> = {}) => ({ process_id: 'load_collection', arguments: { id: 'S2', spatial_extent: BBOX, temporal_extent: YEAR, ...args } });
const from = (node: string) => ({ from_node: node });
const temporal = (node: string, extent: unknown) => ({ process_id: 'filter_temporal', arguments: { data: from(node), extent } });
const bands = (node: string, b: string[]) => ({ process_id: 'filter_bands', arguments: { data: from(node), bands: b } });
const labels = (node: string, result = true) => ({ process_id: 'dimension_labels', arguments: { data: from(node), dimension: 't' }, ...(result ? { result } : {}) });

async function narrowing(graph: Record<string, unknown>, udps?: Record<string, UserProcessDef>): Promise<Record<string, LoadNarrowing>> {
  const { program, errors } = await validate(graph, { extra: cubeProcesses(), udps });
  assert.deepEqual(errors, []);
  const map = await planLoadNarrowing(program!, services, AbortSignal.timeout(5000));
  return Object.fromEntries(map);
}

test('filter_temporal and filter_bands after a load narrow its time range and bands (bands in load order)', async () => {
  const n = await narrowing({ l: load(), t: temporal('l', ['2023-06-01', '2023-07-01']), b: bands('t', ['SCL', 'B04']), r: labels('b') });
  assert.deepEqual(n, { '["l"]': { time: [ms('2023-06-01'), ms('2023-07-01')], bands: ['B04', 'SCL'] } });
});

test('chained filters intersect; branches that all filter take the hull of their time ranges and the union of bands', async () => {
  const chained = await narrowing({ l: load(), a: temporal('l', ['2023-03-01', null]), b: temporal('a', [null, '2023-05-01']), r: labels('b') });
  assert.deepEqual(chained['["l"]'].time, [ms('2023-03-01'), ms('2023-05-01')]);
  const branches = await narrowing({
    l: load(),
    a: temporal('l', ['2023-02-01', '2023-03-01']),
    ab: bands('a', ['B08']),
    b: temporal('l', ['2023-08-01', '2023-09-01']),
    bb: bands('b', ['B02']),
    m: { process_id: 'merge_cubes', arguments: { cube1: from('ab'), cube2: from('bb') }, result: true },
  });
  assert.deepEqual(branches, { '["l"]': { time: [ms('2023-02-01'), ms('2023-09-01')], bands: ['B02', 'B08'] } });
  // filter_bbox passes the needs of its output on, and an open end is bounded by the load's own extent
  const open = await narrowing({ l: load(), c: { process_id: 'filter_bbox', arguments: { data: from('l'), extent: BBOX } }, t: temporal('c', ['2023-11-15', null]), r: labels('t') });
  assert.deepEqual(open['["l"]'].time, [ms('2023-11-15'), ms('2024-01-01')]);
  const unbounded = await narrowing({ l: load({ temporal_extent: null }), t: temporal('l', ['2023-11-15', null]), r: labels('t') });
  assert.deepEqual(unbounded['["l"]'].time, [ms('2023-11-15'), null]);
});

test('reduce_dimension over bands that picks bands by label needs only those bands', async () => {
  const element = (args: Record<string, unknown>) => ({ process_id: 'array_element', arguments: { data: { from_parameter: 'data' }, ...args } });
  const reduce = (node: string, graph: Record<string, unknown>) => ({
    process_id: 'reduce_dimension',
    arguments: { data: from(node), dimension: 'bands', reducer: { process_graph: graph } },
  });
  const ndvi = {
    nir: element({ label: 'B08' }),
    red: element({ label: 'B04' }),
    n: { process_id: 'normalized_difference', arguments: { x: from('nir'), y: from('red') }, result: true },
  };
  const picked = await narrowing({ l: load(), t: temporal('l', ['2023-06-01', '2023-07-01']), r: reduce('t', ndvi), d: labels('r') });
  assert.deepEqual(picked, { '["l"]': { time: [ms('2023-06-01'), ms('2023-07-01')], bands: ['B04', 'B08'] } });
  // by index: the position would change once bands are dropped
  assert.deepEqual(await narrowing({ l: load(), r: reduce('l', { e: { ...element({ index: 2 }), result: true } }), d: labels('r') }), {});
  // the reducer also reads the whole array
  const whole = { e: element({ label: 'B08' }), m: { process_id: 'mean', arguments: { data: { from_parameter: 'data' } } }, s: { process_id: 'add', arguments: { x: from('e'), y: from('m') }, result: true } };
  assert.deepEqual(await narrowing({ l: load(), r: reduce('l', whole), d: labels('r') }), {});
});

test('a load with one unfiltered use is not narrowed', async () => {
  const both = await narrowing({ l: load(), t: temporal('l', ['2023-06-01', '2023-07-01']), b: bands('t', ['B04']), x: labels('b', false), r: labels('l') });
  assert.deepEqual(both, {});
  // time narrowed by both branches, bands by one only
  const half = await narrowing({
    l: load(),
    a: temporal('l', ['2023-06-01', '2023-07-01']),
    ab: bands('a', ['B04']),
    b: temporal('l', ['2023-07-01', '2023-08-01']),
    m: { process_id: 'merge_cubes', arguments: { cube1: from('ab'), cube2: from('b') }, result: true },
  });
  assert.deepEqual(half, { '["l"]': { time: [ms('2023-06-01'), ms('2023-08-01')] } });
  // the load itself is the result, while a filter of it dangles
  assert.deepEqual(await narrowing({ l: { ...load(), result: true }, t: temporal('l', ['2023-06-01', '2023-07-01']) }), {});
});

test('no pushdown where the dry run cannot see or the grid could change', async () => {
  // time without a spatial extent: the grid is the union of the items' footprints, which depends on the time range
  const noExtent = await narrowing({ l: load({ spatial_extent: null }), t: temporal('l', ['2023-06-01', '2023-07-01']), b: bands('t', ['B04']), r: labels('b') });
  assert.deepEqual(noExtent, { '["l"]': { bands: ['B04'] } });
  // an extent computed by another process is unknown in the dry run
  const computed = await narrowing({
    e: { process_id: 'array_create', arguments: { data: ['2023-06-01', '2023-07-01'] } },
    l: load(),
    t: { process_id: 'filter_temporal', arguments: { data: from('l'), extent: from('e') } },
    r: labels('t'),
  });
  assert.deepEqual(computed, {});
  // a band the load does not have: left to the run to report
  assert.deepEqual(await narrowing({ l: load({ bands: ['B04', 'B08'] }), b: bands('l', ['SCL']), r: labels('b') }), {});
  // a filter whose interval misses the load keeps nothing: the load stays as it is
  assert.deepEqual(await narrowing({ l: load(), t: temporal('l', ['2022-01-01', '2022-02-01']), r: labels('t') }), {});
  // the cube goes through a process that has no plan hook before the filter
  const opaque = await narrowing({
    l: load(),
    a: { process_id: 'apply', arguments: { data: from('l'), process: { process_graph: { x: { process_id: 'absolute', arguments: { x: { from_parameter: 'x' } }, result: true } } } } },
    t: temporal('a', ['2023-06-01', '2023-07-01']),
    r: labels('t'),
  });
  assert.deepEqual(opaque, {});
});

test('user-defined processes: filters inside are seen; a callback that can read the cube stops pushdown', async () => {
  const udps: Record<string, UserProcessDef> = {
    june: {
      parameters: [{ name: 'cube', description: 'c', schema: {} }],
      process_graph: { t: { process_id: 'filter_temporal', arguments: { data: { from_parameter: 'cube' }, extent: ['2023-06-01', '2023-07-01'] }, result: true } },
    },
    sneaky: {
      parameters: [{ name: 'cube', description: 'c', schema: {} }],
      process_graph: {
        t: { process_id: 'filter_temporal', arguments: { data: { from_parameter: 'cube' }, extent: ['2023-06-01', '2023-07-01'] } },
        // the callback could use the whole cube from the scope around it (the dry run does not look inside)
        a: { process_id: 'apply', arguments: { data: from('t'), process: { process_graph: { x: { process_id: 'absolute', arguments: { x: { from_parameter: 'x' } }, result: true } } } }, result: true },
      },
    },
  };
  const inside = await narrowing({ l: load(), u: { process_id: 'june', arguments: { cube: from('l') } }, r: labels('u') }, udps);
  assert.deepEqual(inside, { '["l"]': { time: [ms('2023-06-01'), ms('2023-07-01')] } });
  const sneaky = await narrowing({ l: load(), u: { process_id: 'sneaky', arguments: { cube: from('l') } }, r: labels('u') }, udps);
  assert.deepEqual(sneaky, {});
  // a load inside a user-defined process is keyed by its path through the call
  udps.loader = { parameters: [], process_graph: { l: load(), t: { ...temporal('l', ['2023-06-01', '2023-07-01']), result: true } } };
  const nested = await narrowing({ u: { process_id: 'loader', arguments: {} }, r: labels('u') }, udps);
  assert.deepEqual(Object.keys(nested), ['["u","l"]']);
});
