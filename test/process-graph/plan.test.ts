import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planGraph } from '../../src/process-graph/plan.ts';
import type { ProcessDefinition } from '../../src/process-graph/types.ts';
import { validate } from './helpers.ts';

/** The kind of plan a data loader would want: one entry per load, narrowed by the filters applied to it. */
interface LoadPlan {
  loads: { node: string; collection: string; bands?: string[] }[];
}
interface CubePlanValue {
  load: LoadPlan['loads'][number];
}

const spec = (id: string, params: string[]) => ({
  id,
  summary: id,
  description: `Test process ${id}.`,
  categories: [],
  parameters: params.map((name) => ({ name, description: name, schema: {} })),
  returns: { description: 'cube', schema: {} },
});

const loadTest: ProcessDefinition = {
  spec: spec('load_test', ['id']),
  run: () => {
    throw new Error('a dry run must not load anything');
  },
  plan: (args, ctx) => {
    const load = { node: ctx.path.join('/'), collection: args.string('id') };
    (ctx.plan as LoadPlan).loads.push(load);
    return { load } satisfies CubePlanValue;
  },
};

const bandsTest: ProcessDefinition = {
  spec: spec('bands_test', ['data', 'bands']),
  run: () => {
    throw new Error('not in a dry run');
  },
  plan: (args) => {
    const value = args.get('data') as CubePlanValue;
    value.load.bands = args.array('bands') as string[];
    return value;
  },
};

const opaque: ProcessDefinition = {
  spec: spec('opaque_test', ['data']),
  run: () => {
    throw new Error('not in a dry run');
  },
};

test('the dry run lets processes record what they need and narrow it downstream', async () => {
  const graph = {
    l1: { process_id: 'load_test', arguments: { id: 'S2' } },
    b1: { process_id: 'bands_test', arguments: { data: { from_node: 'l1' }, bands: ['B04', 'B08'] } },
    l2: { process_id: 'load_test', arguments: { id: { from_parameter: 'collection' } } },
    o: { process_id: 'opaque_test', arguments: { data: { from_node: 'l2' } } },
    // a load in the branch that `if` would not take is still planned: the dry run visits every argument
    r: { process_id: 'if', arguments: { value: true, accept: { from_node: 'b1' }, reject: { from_node: 'o' } }, result: true },
  };
  const parameters = [{ name: 'collection', description: 'c', schema: { type: 'string' }, optional: true, default: 'GFM' }];
  const { program, errors } = await validate(graph, { extra: [loadTest, bandsTest, opaque], parameters });
  assert.deepEqual(errors, []);
  const { plan, result } = await planGraph<LoadPlan>(program!, { plan: { loads: [] }, signal: AbortSignal.timeout(5000) });
  const loads = [...plan.loads].sort((a, b) => a.node.localeCompare(b.node));
  assert.deepEqual(loads, [
    { node: 'l1', collection: 'S2', bands: ['B04', 'B08'] },
    { node: 'l2', collection: 'GFM' },
  ]);
  assert.equal(result, undefined, 'if has no plan hook, so the result has no planning value');
});

test('the dry run walks into user-defined processes', async () => {
  const udps = {
    my_load: {
      parameters: [{ name: 'c', description: 'c', schema: {} }],
      process_graph: { l: { process_id: 'load_test', arguments: { id: { from_parameter: 'c' } }, result: true } },
    },
  };
  const graph = { u: { process_id: 'my_load', arguments: { c: 'S1' }, result: true } };
  const { program } = await validate(graph, { extra: [loadTest], udps });
  const { plan, result } = await planGraph<LoadPlan>(program!, { plan: { loads: [] }, signal: AbortSignal.timeout(5000) });
  assert.deepEqual(plan.loads, [{ node: 'u/l', collection: 'S1' }]);
  assert.deepEqual((result as CubePlanValue).load.collection, 'S1');
});
