/**
 * LIMIT_ARRAY_ELEMENTS: every process that can make an array larger than its inputs refuses, before allocating, an
 * array over the limit (ProcessParameterInvalid naming process, parameter and both sizes) and makes one at the limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInterpreter } from '../../src/datacube/pixel-callback.ts';
import { compileCallback } from '../../src/datacube/kernels/compile.ts';
import { graphFromJson } from '../../src/datacube/callback-json.ts';
import { OpenEOError } from '../../src/errors.ts';
import { encodeJsonResult } from '../../src/formats/json-result.ts';
import { createProcessArgs } from '../../src/process-graph/args.ts';
import { evaluateProgram } from '../../src/process-graph/evaluate.ts';
import type { ProcessLimits } from '../../src/process-graph/types.ts';
import { validateProcessGraph } from '../../src/process-graph/validate.ts';
import { createProcessRegistry, scalarProcesses } from '../../src/processes/index.ts';

const LIMIT = 10;
const limits: ProcessLimits = { arrayElements: LIMIT };
const registry = createProcessRegistry(scalarProcesses());

function call(id: string, args: Record<string, unknown>): unknown {
  const def = registry.get(id)!;
  return def.run(createProcessArgs(def.spec, new Map(Object.entries(args))), { signal: AbortSignal.timeout(5000), services: {}, limits });
}

const refused = (process: string, parameter: string, elements: number) => (e: unknown) => {
  assert.ok(e instanceof OpenEOError);
  assert.equal(e.code, 'ProcessParameterInvalid');
  assert.equal(e.status, 400);
  assert.equal(
    e.message,
    `${process}: '${parameter}' would make an array of ${elements} elements; at most ${LIMIT} are allowed (LIMIT_ARRAY_ELEMENTS).`,
  );
  return true;
};

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('array size limit on the processes', () => {
  it('array_create: repeat', () => {
    assert.deepEqual(call('array_create', { data: [1, 2], repeat: 5 }), [1, 2, 1, 2, 1, 2, 1, 2, 1, 2]);
    assert.throws(() => call('array_create', { data: [1, 2, 3], repeat: 4 }), refused('array_create', 'repeat', 12));
    assert.throws(() => call('array_create', { data: [0.5], repeat: 120_000_000 }), refused('array_create', 'repeat', 120_000_000));
    // beyond what an array can hold at all: refused the same way, not a RangeError
    assert.throws(() => call('array_create', { data: [1], repeat: 1_000_000_000_000 }), refused('array_create', 'repeat', 1_000_000_000_000));
    assert.deepEqual(call('array_create', { data: [], repeat: 1_000_000_000_000 }), []);
  });

  it('array_create of more elements than fit into a call stack', () => {
    const big = { arrayElements: 400_000 };
    const def = registry.get('array_create')!;
    const out = def.run(createProcessArgs(def.spec, new Map<string, unknown>([['data', range(200_000)], ['repeat', 2]])), { signal: AbortSignal.timeout(5000), services: {}, limits: big });
    assert.equal((out as unknown[]).length, 400_000);
    assert.equal((out as unknown[])[399_999], 199_999);
  });

  it('array_concat: the two arrays together', () => {
    assert.deepEqual(call('array_concat', { array1: range(4), array2: range(6) }), [...range(4), ...range(6)]);
    assert.throws(() => call('array_concat', { array1: range(5), array2: range(6) }), refused('array_concat', 'array2', 11));
  });

  it('array_append: one more element', () => {
    assert.equal((call('array_append', { data: range(9), value: 9 }) as unknown[]).length, 10);
    assert.throws(() => call('array_append', { data: range(10), value: 10 }), refused('array_append', 'data', 11));
  });

  it('quantiles: q - 1 values', () => {
    assert.equal((call('quantiles', { data: [1, 2, 3], q: LIMIT + 1 }) as unknown[]).length, LIMIT);
    assert.throws(() => call('quantiles', { data: [1, 2, 3], q: LIMIT + 2 }), refused('quantiles', 'q', LIMIT + 1));
    assert.throws(() => call('quantiles', { data: [1, 2, 3], q: 100_000_000 }), refused('quantiles', 'q', 99_999_999));
  });
});

describe('array size limit through the engines', () => {
  const doubling = (steps: number) => {
    const g: Record<string, unknown> = { a0: { process_id: 'array_create', arguments: { data: [1], repeat: 1 } } };
    for (let i = 1; i <= steps; i++) g[`a${i}`] = { process_id: 'array_concat', arguments: { array1: { from_node: `a${i - 1}` }, array2: { from_node: `a${i - 1}` } } };
    g.r = { process_id: 'count', arguments: { data: { from_node: `a${steps}` }, condition: true }, result: true };
    return g;
  };
  const evaluate = async (graph: Record<string, unknown>) => {
    const { program, errors } = await validateProcessGraph(graph, { processes: registry, schemas: registry.schemas, parameters: [] });
    if (!program) throw errors[0];
    return evaluateProgram(program, { signal: AbortSignal.timeout(5000), limits });
  };

  it('the interpreter hands its limits to the processes: a chain of concats doubling a list stops at the limit', async () => {
    assert.equal(await evaluate(doubling(3)), 8);
    await assert.rejects(evaluate(doubling(4)), refused('array_concat', 'array2', 16));
  });

  it('per-pixel callbacks (interpreted and folded into kernels) see the limits they are given', async () => {
    const graph = {
      c: { process_id: 'array_create', arguments: { data: [1], repeat: { from_parameter: 'context' } } },
      n: { process_id: 'count', arguments: { data: { from_node: 'c' }, condition: true } },
      r: { process_id: 'add', arguments: { x: { from_parameter: 'x' }, y: { from_node: 'n' } }, result: true },
    };
    const at = await createInterpreter(limits).prepare({ graph, parameterNames: ['x'], context: LIMIT }, 'test');
    assert.equal(await at({ x: 1 }), 1 + LIMIT);
    const over = await createInterpreter(limits).prepare({ graph, parameterNames: ['x'], context: LIMIT + 1 }, 'test');
    await assert.rejects(async () => over({ x: 1 }), refused('array_create', 'repeat', LIMIT + 1));
    // constants are folded by running the process: over the limit it is not folded (the interpreter then reports it)
    const reasons: string[] = [];
    const parsed = graphFromJson(graph);
    assert.ok(compileCallback(parsed, ['x', 'context'], { context: LIMIT, limits }));
    assert.equal(compileCallback(parsed, ['x', 'context'], { context: LIMIT + 1, limits, onUnsupported: (r) => reasons.push(r) }), undefined);
    assert.match(reasons.join(), /LIMIT_ARRAY_ELEMENTS/);
  });
});

describe('JSON results', () => {
  it('are refused, not built, when they would hold more values than the limit', () => {
    const inner = range(LIMIT / 2 - 1);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(encodeJsonResult([inner, inner], LIMIT))), [inner, inner]);
    // the same array many times over: small in memory, huge as text
    const shared = new Array(1_000_000).fill(range(1_000_000));
    assert.throws(
      () => encodeJsonResult(shared, 1_000_000),
      (e: unknown) => e instanceof OpenEOError && e.code === 'ProcessGraphComplexity' && e.status === 400 && /LIMIT_ARRAY_ELEMENTS/.test(e.message),
    );
    // long strings repeated count by their length
    assert.throws(() => encodeJsonResult(new Array(1000).fill('x'.repeat(1_000_000)), 1_000_000), (e: unknown) => e instanceof OpenEOError && /characters/.test(e.message));
  });
});
