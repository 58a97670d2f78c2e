/**
 * Whole callback graphs: the GFM masking callback and the forms the Python client produces, reducers over bands
 * with array_element, merge_cubes resolvers, random expression trees, and what must fall back to the interpreter.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allocPlane, compileCallback, planeFromArray, type Plane } from '../../src/datacube/kernels/index.ts';
import type { ProcessGraphDef } from '../../src/process-graph/types.ts';
import { assertSamePlane, interpret, node, parse, randomPlane, rng } from './oracle.ts';

const X = { from_parameter: 'x' };
const DATA = { from_parameter: 'data' };

const GFM_MASK: ProcessGraphDef = {
  eq1: { process_id: 'eq', arguments: { x: X, y: 255 } },
  eq2: { process_id: 'eq', arguments: { x: X, y: 0 } },
  or: { process_id: 'or', arguments: { x: { from_node: 'eq1' }, y: { from_node: 'eq2' } } },
  if: { process_id: 'if', arguments: { value: { from_node: 'or' }, accept: null, reject: X }, result: true },
};

async function check(graph: ProcessGraphDef, parameterNames: string[], planes: Record<string, Plane | Plane[]>, opts: { labels?: string[]; context?: unknown } = {}) {
  const expected = await interpret(graph, parameterNames, { planes, labels: opts.labels, context: opts.context });
  for (const mode of ['fused', 'nodes'] as const) {
    const kernel = compileCallback(parse(graph), parameterNames, { ...opts, mode, onUnsupported: (r) => assert.fail(r) });
    assert.ok(kernel);
    assertSamePlane(kernel.run(planes), expected, `${JSON.stringify(graph).slice(0, 120)} [${mode}]`);
  }
}

describe('GFM callbacks', () => {
  const raw = new Uint8Array(2000);
  const r = rng(7);
  for (let i = 0; i < raw.length; i++) raw[i] = r() < 0.3 ? 255 : r() < 0.3 ? 0 : Math.floor(r() * 100);

  test('if(or(eq(x,255), eq(x,0)), null, x) on uint8 data, with 255 masked at load or not', async () => {
    await check(GFM_MASK, ['x', 'context'], { x: planeFromArray(raw, { nodata: 255 }) });
    await check(GFM_MASK, ['x', 'context'], { x: planeFromArray(raw) });
    // Either way 0 and 255 end up no-data and the rest keeps its value.
    const kernel = compileCallback(parse(GFM_MASK), ['x', 'context'])!;
    for (const nodata of [255, null]) {
      const out = kernel.run({ x: planeFromArray(raw, { nodata }) });
      for (let i = 0; i < raw.length; i++) {
        const masked = raw[i] === 255 || raw[i] === 0;
        assert.equal(out.valid![i], masked ? 0 : 1);
        if (!masked) assert.equal(out.data[i], raw[i]);
      }
    }
  });

  test('the Python client forms: neq(x, 255), and/or chains, mask conditions', async () => {
    const x = planeFromArray(raw, { nodata: 255 });
    await check(node('neq', { x: X, y: 255 }), ['x'], { x });
    await check(
      {
        a: { process_id: 'neq', arguments: { x: X, y: 255 } },
        b: { process_id: 'neq', arguments: { x: X, y: 0 } },
        c: { process_id: 'and', arguments: { x: { from_node: 'a' }, y: { from_node: 'b' } }, result: true },
      },
      ['x'],
      { x },
    );
    await check(
      {
        a: { process_id: 'gt', arguments: { x: X, y: 50 } },
        b: { process_id: 'if', arguments: { value: { from_node: 'a' }, accept: 1, reject: 0 }, result: true },
      },
      ['x'],
      { x },
    );
  });

  test('a kernel writes into new buffers, a given plane, or with reuseOutput its own buffers', () => {
    const x = planeFromArray(raw, { nodata: 255 });
    const fresh = compileCallback(parse(GFM_MASK), ['x', 'context'])!;
    assert.notEqual(fresh.run({ x }).data, fresh.run({ x }).data);
    const kernel = compileCallback(parse(GFM_MASK), ['x', 'context'], { reuseOutput: true })!;
    const a = kernel.run({ x });
    const b = kernel.run({ x });
    assert.equal(a.data, b.data);
    const out = allocPlane(raw.length, 'float32');
    const c = kernel.run({ x }, out);
    assert.equal(c.data, out.data);
    assert.deepEqual([...c.valid!], [...b.valid!]);
  });
});

describe('reducers over bands (data with labels)', () => {
  const labels = ['B02', 'B04', 'B08'];
  const bands = labels.map((_, k) => randomPlane({ n: 300, seed: 50 + k, nulls: 0.25 }));
  const el = (spec: Record<string, unknown>) => ({ process_id: 'array_element', arguments: { data: DATA, ...spec } });

  test('array_element by label and by index, normalized_difference', async () => {
    await check({ n: { ...el({ label: 'B04' }), result: true } }, ['data', 'context'], { data: bands }, { labels });
    await check({ n: { ...el({ index: 2 }), result: true } }, ['data', 'context'], { data: bands }, { labels });
    await check({ n: { ...el({ index: 7, return_nodata: true }), result: true } }, ['data'], { data: bands }, { labels });
    await check(
      {
        nir: el({ label: 'B08' }),
        red: el({ label: 'B04' }),
        nd: { process_id: 'normalized_difference', arguments: { x: { from_node: 'nir' }, y: { from_node: 'red' } }, result: true },
      },
      ['data', 'context'],
      { data: bands },
      { labels },
    );
  });

  test('a kernel names the bands it reads, and only those need to be given', () => {
    const kernel = compileCallback(parse({ n: { ...el({ label: 'B08' }), result: true } }), ['data'], { labels })!;
    assert.deepEqual(kernel.inputs, [{ parameter: 'data', index: 2 }]);
    const sparse: Plane[] = [];
    sparse[2] = bands[2];
    assert.deepEqual([...kernel.run({ data: sparse }).data], [...bands[2].data]);
    assert.throws(() => kernel.run({ data: [bands[0]] }), /'data'\[2\]/);
  });

  test('statistics over the band array, with and without ignore_nodata, and over explicit arrays', async () => {
    for (const id of ['max', 'min', 'sum', 'mean', 'product', 'first', 'last', 'count']) {
      await check(node(id, { data: DATA }), ['data'], { data: bands }, { labels });
      if (id !== 'count') await check(node(id, { data: DATA, ignore_nodata: false }), ['data'], { data: bands }, { labels });
    }
    await check(node('count', { data: DATA, condition: true }), ['data'], { data: bands }, { labels });
    await check(
      { a: el({ index: 0 }), s: { process_id: 'sum', arguments: { data: [{ from_node: 'a' }, 5, null, { from_node: 'a' }] }, result: true } },
      ['data'],
      { data: bands },
      { labels },
    );
  });
});

describe('elementwise operations over the band array (reduced to one value per pixel)', () => {
  const labels = ['B02', 'B04', 'B08'];
  const bands = labels.map((_, k) => randomPlane({ n: 300, seed: 70 + k, nulls: 0.25 }));
  const over = (inner: ProcessGraphDef[string], reducer = 'sum'): ProcessGraphDef => ({
    m: { process_id: 'mean', arguments: { data: DATA } },
    e: inner,
    r: { process_id: reducer, arguments: { data: { from_node: 'e' } }, result: true },
  });
  const mean = { from_node: 'm' };

  test('arithmetic with a per-pixel value, a constant and a constant array (weights)', async () => {
    const cases: [ProcessGraphDef[string], string][] = [
      [{ process_id: 'subtract', arguments: { x: DATA, y: mean } }, 'sum'],
      [{ process_id: 'absolute', arguments: { x: DATA } }, 'max'],
      [{ process_id: 'multiply', arguments: { x: DATA, y: [1, 2, 3] } }, 'sum'],
      [{ process_id: 'power', arguments: { base: DATA, p: 2 } }, 'mean'],
      [{ process_id: 'clip', arguments: { x: DATA, min: -0.5, max: 0.5 } }, 'min'],
      [{ process_id: 'round', arguments: { x: DATA, p: 1 } }, 'last'],
      [{ process_id: 'divide', arguments: { x: mean, y: DATA } }, 'first'],
    ];
    for (const [inner, reducer] of cases) await check(over(inner, reducer), ['data', 'context'], { data: bands }, { labels });
  });

  test('comparisons with the array give arrays of booleans, not a constant false', async () => {
    await check(over({ process_id: 'gt', arguments: { x: DATA, y: mean } }, 'first'), ['data'], { data: bands }, { labels });
    await check(over({ process_id: 'lte', arguments: { x: 0, y: DATA } }, 'last'), ['data'], { data: bands }, { labels });
    await check(over({ process_id: 'eq', arguments: { x: DATA, y: [null, 1, 2] } }, 'first'), ['data'], { data: bands }, { labels });
    const kernel = compileCallback(parse(over({ process_id: 'gt', arguments: { x: DATA, y: -10 } }, 'first')), ['data'], { labels })!;
    const out = kernel.run({ data: bands });
    assert.ok(Array.from(out.data).some((v, i) => out.valid![i] === 1 && v === 1), 'some pixels compare true');
  });
});

test('merge_cubes overlap resolvers and context', async () => {
  const x = randomPlane({ n: 300, seed: 1, nulls: 0.2 });
  const y = randomPlane({ n: 300, seed: 2, nulls: 0.2 });
  await check(node('add', { x: X, y: { from_parameter: 'y' } }), ['x', 'y', 'context'], { x, y });
  await check(node('max', { data: [X, { from_parameter: 'y' }] }), ['x', 'y', 'context'], { x, y });
  await check(node('multiply', { x: X, y: { from_parameter: 'context' } }), ['x', 'context'], { x }, { context: 2.5 });
  await check(
    node('array_element', { data: { from_parameter: 'context' }, index: 1 }),
    ['x', 'context'],
    { x },
    { context: [1, 42] },
  );
});

test('constant folding through the scalar processes (pi, e, constant, arithmetic on constants)', async () => {
  const x = randomPlane({ n: 200, seed: 3, nulls: 0.2 });
  await check(
    {
      two: { process_id: 'constant', arguments: { x: 2 } },
      tau: { process_id: 'multiply', arguments: { x: { from_node: 'two' }, y: { from_node: 'pi' } } },
      pi: { process_id: 'pi', arguments: {} },
      r: { process_id: 'multiply', arguments: { x: X, y: { from_node: 'tau' } }, result: true },
    },
    ['x'],
    { x },
  );
  const k = compileCallback(parse(node('e', {})), ['x'])!;
  const out = k.run({ x });
  assert.equal(out.valid, null);
  assert.ok(out.data.every((v) => v === Math.E));
  const nul = compileCallback(parse(node('constant', { x: null })), ['x'])!.run({ x });
  assert.ok(nul.valid!.every((v) => v === 0));
});

describe('random expression trees equal the interpreter', () => {
  const NUM_OPS = ['add', 'subtract', 'multiply', 'divide', 'absolute', 'sqrt', 'floor', 'round', 'int', 'clip', 'if'];
  const BOOL_OPS = ['gt', 'lte', 'eq', 'neq', 'and', 'or', 'xor', 'not', 'is_nan', 'is_valid', 'is_nodata', 'between'];

  function tree(r: () => number, depth: number, type: 'number' | 'boolean', graph: ProcessGraphDef): unknown {
    const id = `n${Object.keys(graph).length}`;
    if (depth === 0 || (depth < 3 && r() < 0.25)) {
      if (type === 'number') return r() < 0.7 ? { from_parameter: r() < 0.5 ? 'x' : 'y' } : r() < 0.15 ? null : [0, 1, 255, -2.5, 0.5][Math.floor(r() * 5)];
      const leaf = `n${Object.keys(graph).length}`;
      graph[leaf] = { process_id: 'gt', arguments: { x: { from_parameter: 'x' }, y: { from_parameter: 'y' } } };
      return { from_node: leaf };
    }
    const ops = type === 'number' ? NUM_OPS : BOOL_OPS;
    const op = ops[Math.floor(r() * ops.length)];
    graph[id] = { process_id: op, arguments: {} };
    const sub = (t: 'number' | 'boolean') => tree(r, depth - 1, t, graph);
    const args: Record<string, unknown> = {};
    if (['add', 'subtract', 'multiply', 'divide', 'gt', 'lte', 'eq', 'neq'].includes(op)) Object.assign(args, { x: sub('number'), y: sub('number') });
    else if (['and', 'or', 'xor'].includes(op)) Object.assign(args, { x: sub('boolean'), y: sub('boolean') });
    else if (op === 'not') args.x = sub('boolean');
    else if (op === 'if') Object.assign(args, { value: sub('boolean'), accept: sub('number'), reject: sub('number') });
    else if (op === 'clip') Object.assign(args, { x: sub('number'), min: -1, max: 100 });
    else if (op === 'between') Object.assign(args, { x: sub('number'), min: 0, max: 255 });
    else if (['is_nan', 'is_valid', 'is_nodata'].includes(op)) args.x = sub('number');
    else args.x = sub('number');
    graph[id].arguments = args;
    return { from_node: id };
  }

  for (let seed = 1; seed <= 30; seed++) {
    test(`tree ${seed}`, async () => {
      const r = rng(seed);
      let graph: ProcessGraphDef;
      let root: { from_node?: string };
      do {
        graph = {};
        root = tree(r, 4, r() < 0.5 ? 'number' : 'boolean', graph) as { from_node?: string };
      } while (!root.from_node || Object.keys(graph).length < 3);
      graph[root.from_node].result = true;
      const x = randomPlane({ n: 150, seed: seed * 3, nulls: 0.15 });
      const y = randomPlane({ n: 150, seed: seed * 3 + 1, nulls: 0.15, kind: 'float32' });
      await check(graph, ['x', 'y'], { x, y });
    });
  }
});

describe('graphs the kernels leave to the interpreter', () => {
  const cases: [string, ProcessGraphDef, string[], Record<string, unknown>?][] = [
    ['an unknown process', node('sin', { x: X }), ['x']],
    ['arithmetic on booleans (the interpreter raises the error)', node('add', { x: X, y: 1 }), ['x'], { types: { x: 'boolean' } }],
    ['logic on numbers', node('and', { x: X, y: true }), ['x']],
    ['clip with min > max (MinMaxSwapped)', node('clip', { x: X, min: 2, max: 1 }), ['x']],
    ['a missing array element without return_nodata', node('array_element', { data: DATA, index: 5 }), ['data'], { labels: ['a'] }],
    ['a label on data without labels', node('array_element', { data: DATA, label: 'a' }), ['data']],
    ['count with a condition callback', node('count', { data: DATA, condition: { process_graph: node('gt', { x: X, y: 1 }) } }), ['data'], { labels: ['a'] }],
    ['a string result', node('constant', { x: 'abc' }), ['x']],
    ['numbers and booleans mixed in one result', node('if', { value: true, accept: X, reject: false }), ['x']],
    ['a user-defined process', { n: { process_id: 'mine', namespace: 'user', arguments: { x: X }, result: true } }, ['x']],
    ['an array result (apply_dimension compiles it per element)', node('subtract', { x: DATA, y: 1 }), ['data'], { labels: ['a', 'b'] }],
    ['arrays of different lengths (the interpreter names the parameter)', node('add', { x: DATA, y: [1, 2, 3] }), ['data'], { labels: ['a', 'b'] }],
  ];
  for (const [name, graph, params, opts] of cases) {
    test(name, () => {
      const reasons: string[] = [];
      const kernel = compileCallback(parse(graph), params, { ...(opts ?? {}), onUnsupported: (r) => reasons.push(r) });
      assert.equal(kernel, undefined);
      assert.equal(reasons.length, 1);
    });
  }
});
