import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOpenEOError } from '../../src/errors.ts';
import type { ProcessDefinition } from '../../src/process-graph/types.ts';
import { withLabels } from '../../src/processes/labeled-array.ts';
import { chain, counting, failing, run } from './helpers.ts';

test('nodes run once even when several nodes consume them', async () => {
  const counter = { n: 0 };
  const graph = {
    src: { process_id: 'count_runs', arguments: { x: 3 } },
    a: { process_id: 'add', arguments: { x: { from_node: 'src' }, y: 1 } },
    b: { process_id: 'multiply', arguments: { x: { from_node: 'src' }, y: 2 } },
    r: { process_id: 'subtract', arguments: { x: { from_node: 'b' }, y: { from_node: 'a' } }, result: true },
  };
  assert.equal(await run(graph, { extra: [counting(counter)] }), 2);
  assert.equal(counter.n, 1);
});

test('arguments nest references inside arrays and objects', async () => {
  const graph = chain(['p', 'pi', {}], ['m', 'max', { data: [1, { from_node: 'p' }, null] }]);
  assert.equal(await run(graph), Math.PI);
  const obj = chain(['p', 'e', {}], ['c', 'constant', { x: { a: [{ from_node: 'p' }], b: 'k' } }]);
  assert.deepEqual(await run(obj), { a: [Math.E], b: 'k' });
});

test('end nodes that are not the result still run', async () => {
  const graph = { side: { process_id: 'fail_if_run', arguments: {} }, r: { process_id: 'pi', arguments: {}, result: true } };
  await assert.rejects(run(graph, { extra: [failing] }), /fail_if_run was evaluated/);
});

test('if evaluates only the branch it returns; and/or short-circuit', async () => {
  const branchy = (value: unknown) => ({
    boom: { process_id: 'fail_if_run', arguments: {} },
    ok: { process_id: 'constant', arguments: { x: 'fine' } },
    r: { process_id: 'if', arguments: { value, accept: { from_node: 'ok' }, reject: { from_node: 'boom' } }, result: true },
  });
  assert.equal(await run(branchy(true), { extra: [failing] }), 'fine');
  await assert.rejects(run(branchy(false), { extra: [failing] }), /fail_if_run/);
  const andGraph = {
    boom: { process_id: 'fail_if_run', arguments: {} },
    r: { process_id: 'and', arguments: { x: false, y: { from_node: 'boom' } }, result: true },
  };
  assert.equal(await run(andGraph, { extra: [failing] }), false);
  const orGraph = {
    boom: { process_id: 'fail_if_run', arguments: {} },
    r: { process_id: 'or', arguments: { x: true, y: { from_node: 'boom' } }, result: true },
  };
  assert.equal(await run(orGraph, { extra: [failing] }), true);
});

test('values computed at run time are type-checked by the accessors, naming process and parameter', async () => {
  const graph = chain(['s', 'constant', { x: 'text' }], ['a', 'add', { x: { from_node: 's' }, y: 1 }]);
  await assert.rejects(run(graph), (e: unknown) => {
    assert.ok(isOpenEOError(e));
    assert.equal(e.code, 'ProcessParameterInvalid');
    assert.match(e.message, /'x'.*'add'.*number/);
    return true;
  });
});

test('callbacks get their parameters (x, context) in a scope of their own', async () => {
  const condition = { process_graph: chain(['g', 'gt', { x: { from_parameter: 'x' }, y: { from_parameter: 'context' } }]) };
  assert.equal(await run(chain(['c', 'count', { data: [0, 1, 2, 3, 4, 5, null], condition, context: 2 }])), 3);
  // context defaults to null when not passed, and gt(x, null) is null, which is not counted
  assert.equal(await run(chain(['c', 'count', { data: [1, 2], condition }])), 0);
});

test('callback parameters shadow the enclosing graph parameters; enclosing ones stay visible', async () => {
  const parameters = [
    { name: 'x', description: 'outer x', schema: {} },
    { name: 'limit', description: 'limit', schema: {}, optional: true, default: 1 },
  ];
  const condition = { process_graph: chain(['g', 'gt', { x: { from_parameter: 'x' }, y: { from_parameter: 'limit' } }]) };
  const graph = chain(
    ['c', 'count', { data: [0, 1, 2, 3], condition }],
    ['r', 'array_create', { data: [{ from_node: 'c' }, { from_parameter: 'x' }] }],
  );
  assert.deepEqual(await run(graph, { parameters, arguments: { x: 'outer' } }), [2, 'outer']);
  assert.deepEqual(await run(graph, { parameters, arguments: { x: 'outer', limit: 2 } }), [1, 'outer']);
  await assert.rejects(run(graph, { parameters, arguments: {} }), /requires parameter 'x'/);
});

test('concurrent callback calls do not share state', async () => {
  const slowEcho: ProcessDefinition = {
    spec: {
      id: 'slow_echo',
      summary: 'echo',
      description: 'Returns x after a macrotask, so that calls interleave.',
      categories: [],
      parameters: [{ name: 'x', description: 'x', schema: {} }],
      returns: { description: 'x', schema: {} },
    },
    run: async (args) => {
      await new Promise((r) => setImmediate(r));
      return args.get('x');
    },
  };
  const condition = {
    process_graph: chain(['s', 'slow_echo', { x: { from_parameter: 'x' } }], ['g', 'eq', { x: { from_node: 's' }, y: { from_parameter: 'x' } }]),
  };
  const data = Array.from({ length: 50 }, (_, i) => i);
  assert.equal(await run(chain(['c', 'count', { data, condition }]), { extra: [slowEcho] }), 50);
});

test('labeled arrays reach array_element by label', async () => {
  const bands = withLabels([0.1, 0.5], ['red', 'nir']);
  const graph = chain(['n', 'array_element', { data: bands, label: 'nir' }]);
  assert.equal(await run(graph), 0.5);
});

test('user-defined processes: called by id, defaults applied, preferred over predefined with namespace null', async () => {
  const udps = {
    scale: {
      parameters: [
        { name: 'v', description: 'v', schema: { type: 'number' } },
        { name: 'factor', description: 'f', schema: { type: 'number' }, optional: true, default: 10 },
      ],
      process_graph: chain(['m', 'multiply', { x: { from_parameter: 'v' }, y: { from_parameter: 'factor' } }]),
    },
    // shadows the predefined pi for namespace null
    pi: { parameters: [], process_graph: chain(['c', 'constant', { x: 3 }]) },
  };
  assert.equal(await run(chain(['s', 'scale', { v: 2 }]), { udps }), 20);
  assert.equal(await run(chain(['s', 'scale', { v: 2, factor: 3 }]), { udps }), 6);
  assert.equal(await run(chain(['p', 'pi', {}]), { udps }), 3);
  assert.equal(await run({ p: { process_id: 'pi', namespace: 'backend', arguments: {}, result: true } }, { udps }), Math.PI);
});

test('recursive user-defined processes terminate through lazy if, and are bounded by maxDepth', async () => {
  const n = { from_parameter: 'n' };
  const udps = {
    factorial: {
      parameters: [{ name: 'n', description: 'n', schema: { type: 'number' } }],
      process_graph: {
        done: { process_id: 'lte', arguments: { x: n, y: 1 } },
        less: { process_id: 'subtract', arguments: { x: n, y: 1 } },
        rec: { process_id: 'factorial', arguments: { n: { from_node: 'less' } } },
        prod: { process_id: 'multiply', arguments: { x: n, y: { from_node: 'rec' } } },
        r: { process_id: 'if', arguments: { value: { from_node: 'done' }, accept: 1, reject: { from_node: 'prod' } }, result: true },
      },
    },
  };
  assert.equal(await run(chain(['f', 'factorial', { n: 5 }]), { udps }), 120);
  await assert.rejects(run(chain(['f', 'factorial', { n: 50 }]), { udps, limits: { maxDepth: 10 } }), (e: unknown) => {
    assert.ok(isOpenEOError(e));
    assert.equal(e.code, 'ProcessGraphComplexity');
    return true;
  });
});

test('evaluation honours the AbortSignal', async () => {
  const controller = new AbortController();
  controller.abort(new Error('stop now'));
  await assert.rejects(run(chain(['p', 'pi', {}]), { signal: controller.signal }), /stop now/);
  // aborted while a callback loop is running
  const later = new AbortController();
  const condition = { process_graph: chain(['g', 'gt', { x: { from_parameter: 'x' }, y: 0 }]) };
  const data = Array.from({ length: 1000 }, (_, i) => i);
  const pending = run(chain(['c', 'count', { data, condition }]), { signal: later.signal });
  later.abort(new Error('cancelled'));
  await assert.rejects(pending, /cancelled/);
});

test('process exceptions carry the name from the spec', async () => {
  await assert.rejects(run(chain(['c', 'clip', { x: 1, min: 2, max: 0 }])), (e: unknown) => {
    assert.ok(isOpenEOError(e));
    assert.equal(e.extra?.exception, 'MinMaxSwapped');
    assert.match(e.message, /^MinMaxSwapped/);
    return true;
  });
});

test('a long evaluation lets the event loop run when asked to (callbacks count), and not otherwise', async () => {
  // 3,000 callback calls: each node evaluation resolves in microtasks, so without yields the whole run ends before
  // any timer or I/O callback of the thread gets its turn
  const graph = chain(
    ['a', 'array_create', { data: [1], repeat: 3000 }],
    ['m', 'array_apply', { data: { from_node: 'a' }, process: { process_graph: { x: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 2 }, result: true } } } }],
    ['s', 'sum', { data: { from_node: 'm' } }],
  );
  const turnsDuring = async (yieldEvery?: number) => {
    let done = false;
    const result = run(graph, { yieldEvery }).then((v) => ((done = true), v));
    let turns = 0;
    while (!done) {
      await new Promise<void>((r) => setImmediate(r));
      turns++;
    }
    assert.equal(await result, 6000);
    return turns;
  };
  assert.equal(await turnsDuring(undefined), 1);
  assert.ok((await turnsDuring(100)) >= 30, 'the loop had a turn every 100 node evaluations');
});
