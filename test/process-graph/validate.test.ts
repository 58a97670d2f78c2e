import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chain, errorsOf } from './helpers.ts';

const codes = (errors: { code: string }[]) => errors.map((e) => e.code).sort();

test('a valid graph has no errors', async () => {
  const graph = chain(['a', 'add', { x: 1, y: 2 }], ['b', 'multiply', { x: { from_node: 'a' }, y: 3 }]);
  assert.deepEqual(await errorsOf(graph), []);
});

test('unknown process: ProcessUnsupported naming process and namespace', async () => {
  const [e, f] = await errorsOf({
    a: { process_id: 'no_such_process', arguments: {}, result: true },
    b: { process_id: 'add', namespace: 'https://elsewhere.example/processes', arguments: { x: 1, y: 2 } },
  });
  assert.equal(e.code, 'ProcessUnsupported');
  assert.match(e.message, /'no_such_process'/);
  assert.equal(f.code, 'ProcessUnsupported');
  assert.match(f.message, /'add'.*elsewhere\.example/);
});

test('missing, unknown and wrongly typed arguments name process and parameter', async () => {
  const errors = await errorsOf(chain(['a', 'add', { x: 'one', z: 2 }]));
  assert.deepEqual(codes(errors), ['ProcessParameterInvalid', 'ProcessParameterRequired', 'ProcessParameterUnsupported']);
  const byCode = Object.fromEntries(errors.map((e) => [e.code, e.message]));
  assert.match(byCode.ProcessParameterRequired, /'add'.*'y'.*node 'a'/);
  assert.match(byCode.ProcessParameterUnsupported, /'add'.*'z'/);
  assert.match(byCode.ProcessParameterInvalid, /'x'.*'add'/);
  // a JSON key that is special to JavaScript objects is an argument name like any other
  const proto = await errorsOf(JSON.parse('{"a": {"process_id": "add", "arguments": {"x": 1, "y": 2, "__proto__": {"from_node": "zz"}}, "result": true}}'));
  assert.deepEqual(codes(proto), ['ProcessGraphInvalid', 'ProcessParameterUnsupported']);
  assert.match(proto.find((e) => e.code === 'ProcessParameterUnsupported')!.message, /'__proto__'/);
});

test('constants are checked against the schema, including nested ones and alternatives', async () => {
  assert.deepEqual(await errorsOf(chain(['a', 'max', { data: [1, null, 3] }])), []);
  const [e] = await errorsOf(chain(['a', 'max', { data: [1, 'two'] }]));
  assert.equal(e.code, 'ProcessParameterInvalid');
  assert.deepEqual(await errorsOf(chain(['a', 'array_element', { data: [1], label: 'B1' }])), []);
  assert.equal((await errorsOf(chain(['a', 'array_element', { data: [1], label: true }])))[0].code, 'ProcessParameterInvalid');
});

test('a callback where the parameter takes none is invalid; constants are no callbacks', async () => {
  const cb = { process_graph: chain(['n', 'constant', { x: 1 }]) };
  const [e] = await errorsOf(chain(['a', 'add', { x: cb, y: 1 }]));
  assert.equal(e.code, 'ProcessParameterInvalid');
  assert.match(e.message, /'x'.*'add'.*callback/);
});

test('graph structure errors are ProcessGraphInvalid', async () => {
  const cases: [string, unknown, RegExp][] = [
    ['no result', { a: { process_id: 'pi', arguments: {} } }, /no result node/],
    ['two results', { a: { process_id: 'pi', arguments: {}, result: true }, b: { process_id: 'e', arguments: {}, result: true } }, /several result nodes/],
    ['dangling', chain(['a', 'add', { x: { from_node: 'ghost' }, y: 1 }]), /missing node 'ghost'/],
    [
      'cycle',
      {
        a: { process_id: 'add', arguments: { x: { from_node: 'c' }, y: 1 } },
        b: { process_id: 'add', arguments: { x: { from_node: 'a' }, y: 1 } },
        c: { process_id: 'add', arguments: { x: { from_node: 'b' }, y: 1 }, result: true },
      },
      /cycle/,
    ],
    ['undefined parameter', chain(['a', 'add', { x: { from_parameter: 'nope' }, y: 1 }]), /parameter 'nope'/],
    ['empty', {}, /non-empty/],
    ['no process_id', { a: { arguments: {}, result: true } }, /process_id/],
  ];
  for (const [name, graph, message] of cases) {
    const errors = await errorsOf(graph);
    assert.ok(errors.length >= 1, name);
    assert.equal(errors[0].code, 'ProcessGraphInvalid', name);
    assert.match(errors[0].message, message, name);
  }
});

test('callbacks see their own parameters and the enclosing ones, not undeclared names', async () => {
  const reducer = (param: string) => ({
    process_graph: chain(['g', 'gt', { x: { from_parameter: param }, y: { from_parameter: 'threshold' } }]),
  });
  const parameters = [{ name: 'threshold', description: 't', schema: { type: 'number' } }];
  assert.deepEqual(await errorsOf(chain(['c', 'count', { data: [1, 2], condition: reducer('x') }]), { parameters }), []);
  const [e] = await errorsOf(chain(['c', 'count', { data: [1, 2], condition: reducer('element') }]), { parameters });
  assert.equal(e.code, 'ProcessGraphInvalid');
  assert.match(e.message, /'element'.*'x', 'context', 'threshold'/);
  // from_node cannot reach out of a callback into the enclosing graph
  const graph = {
    t: { process_id: 'constant', arguments: { x: 1 } },
    c: {
      process_id: 'count',
      arguments: { data: [1], condition: { process_graph: chain(['g', 'gt', { x: { from_parameter: 'x' }, y: { from_node: 't' } }]) } },
      result: true,
    },
  };
  assert.match((await errorsOf(graph))[0].message, /missing node 't'/);
});

test('all errors are collected, from the graph and from its callbacks', async () => {
  const graph = {
    a: { process_id: 'unknown_one', arguments: {} },
    b: { process_id: 'add', arguments: { x: 'a' } },
    c: {
      process_id: 'count',
      arguments: { data: [], condition: { process_graph: chain(['g', 'unknown_two', {}]) } },
      result: true,
    },
  };
  const errors = await errorsOf(graph);
  assert.deepEqual(codes(errors), ['ProcessParameterInvalid', 'ProcessParameterRequired', 'ProcessUnsupported', 'ProcessUnsupported']);
});

test('complexity limits: node count and nesting depth', async () => {
  const many = Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [`n${i}`, { process_id: 'pi', arguments: {}, ...(i === 0 ? { result: true } : {}) }]),
  );
  assert.equal((await errorsOf(many, { limits: { maxNodes: 10 } }))[0].code, 'ProcessGraphComplexity');
  assert.deepEqual(await errorsOf(many, { limits: { maxNodes: 20 } }), []);

  let inner: Record<string, unknown> = chain(['leaf', 'constant', { x: true }]);
  for (let i = 0; i < 5; i++) {
    inner = chain([`c${i}`, 'count', { data: [1], condition: { process_graph: inner } }]);
  }
  const [e] = await errorsOf(inner, { limits: { maxDepth: 3 } });
  assert.equal(e.code, 'ProcessGraphComplexity');
  assert.match(e.message, /deeper than 3/);
  assert.deepEqual(await errorsOf(inner, { limits: { maxDepth: 5 } }), []);
});

test('user-defined processes resolve by id and their arguments are checked against their parameters', async () => {
  const udps = {
    double: {
      parameters: [{ name: 'v', description: 'v', schema: { type: 'number' } }],
      process_graph: chain(['m', 'multiply', { x: { from_parameter: 'v' }, y: 2 }]),
    },
  };
  assert.deepEqual(await errorsOf(chain(['d', 'double', { v: 1 }]), { udps }), []);
  assert.deepEqual(codes(await errorsOf(chain(['d', 'double', { w: 'x' }]), { udps })), [
    'ProcessParameterRequired',
    'ProcessParameterUnsupported',
  ]);
  assert.equal((await errorsOf(chain(['d', 'double', { v: 'x' }]), { udps }))[0].code, 'ProcessParameterInvalid');
  // namespace 'backend' excludes user-defined processes
  const [e] = await errorsOf({ d: { process_id: 'double', namespace: 'backend', arguments: { v: 1 }, result: true } }, { udps });
  assert.equal(e.code, 'ProcessUnsupported');
  assert.match(e.message, /'double'.*'backend'/);
});

test('errors inside a stored user-defined process are reported too', async () => {
  const udps = { broken: { process_graph: chain(['x', 'add', { x: { from_parameter: 'undeclared' }, y: 1 }]) } };
  const [e] = await errorsOf(chain(['b', 'broken', {}]), { udps });
  assert.equal(e.code, 'ProcessGraphInvalid');
  assert.match(e.message, /user-defined process 'broken'/);
});

test('simpleCall recognises single-process callbacks for fast kernels', async () => {
  const { simpleCall } = await import('../../src/process-graph/callback-shape.ts');
  const { parseProcessGraph } = await import('../../src/process-graph/parse.ts');
  const parse = (g: unknown) => parseProcessGraph(g, []);
  assert.deepEqual(simpleCall(parse(chain(['m', 'max', { data: { from_parameter: 'data' }, ignore_nodata: true }]))), {
    processId: 'max',
    namespace: null,
    args: { data: { parameter: 'data' }, ignore_nodata: { value: true } },
  });
  assert.equal(simpleCall(parse(chain(['a', 'pi', {}], ['m', 'add', { x: { from_node: 'a' }, y: 1 }]))), undefined);
});
