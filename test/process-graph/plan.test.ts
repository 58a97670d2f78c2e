import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateProgram } from '../../src/process-graph/evaluate.ts';
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

test('the dry run reports what processes without a hook and callbacks receive', async () => {
  const seen: unknown[][] = [];
  const udps = {
    wrap: {
      parameters: [{ name: 'cube', description: 'c', schema: {} }],
      process_graph: {
        a: {
          process_id: 'array_apply',
          arguments: { data: [1, 2], process: { process_graph: { x: { process_id: 'absolute', arguments: { x: { from_parameter: 'x' } }, result: true } } } },
          result: true,
        },
      },
    },
  };
  const graph = {
    l: { process_id: 'load_test', arguments: { id: 'S2' } },
    o: { process_id: 'opaque_test', arguments: { data: { from_node: 'l' } } },
    u: { process_id: 'wrap', arguments: { cube: { from_node: 'l' } }, result: true },
  };
  const { program, errors } = await validate(graph, { extra: [loadTest, opaque], udps });
  assert.deepEqual(errors, []);
  await planGraph<LoadPlan>(program!, { plan: { loads: [] }, signal: AbortSignal.timeout(5000), opaque: (values) => seen.push([...values]) });
  const load = { load: { node: 'l', collection: 'S2' } };
  // opaque_test gets the load; array_apply gets constants and a callback; the callback can see the parameter `cube`
  const justLoad = seen.filter((v) => JSON.stringify(v) === JSON.stringify([load]));
  assert.equal(justLoad.length, 2, 'opaque_test, and the scope around the callback');
  assert.equal(seen.length, 3);
});

test('processes learn their node path when they run, except inside callbacks', async () => {
  const paths: (readonly string[] | undefined)[] = [];
  const record: ProcessDefinition = {
    spec: spec('record_path', ['x']),
    run: (args, ctx) => {
      paths.push(ctx.path);
      return args.get('x');
    },
  };
  const graph = {
    r: { process_id: 'record_path', arguments: { x: 1 } },
    a: {
      process_id: 'array_apply',
      arguments: { data: [{ from_node: 'r' }], process: { process_graph: { r: { process_id: 'record_path', arguments: { x: { from_parameter: 'x' } }, result: true } } } },
      result: true,
    },
  };
  const { program } = await validate(graph, { extra: [record] });
  assert.deepEqual(await evaluateProgram(program!, { signal: AbortSignal.timeout(5000) }), [1]);
  assert.deepEqual(paths, [['r'], undefined]);
});
