// Arithmetic and comparisons on arrays, element by element (src/processes/elementwise.ts), run as process graphs
// through validation and the interpreter, as a callback receiving an array (apply_dimension's `data`) runs them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOpenEOError } from '../../src/errors.ts';
import { evaluateProgram } from '../../src/process-graph/evaluate.ts';
import { validateProcessGraph } from '../../src/process-graph/validate.ts';
import { createProcessRegistry, labelsOf, scalarProcesses, withLabels } from '../../src/processes/index.ts';

const registry = createProcessRegistry(scalarProcesses());
const data = { from_parameter: 'data' };

async function run(graph: Record<string, unknown>, given: unknown): Promise<unknown> {
  const { program, errors } = await validateProcessGraph(graph, {
    processes: registry,
    schemas: registry.schemas,
    parameters: [{ name: 'data', description: 'the series', schema: {} }],
  });
  if (!program) throw errors[0];
  return evaluateProgram(program, { signal: AbortSignal.timeout(5000), arguments: { data: given } });
}

const one = (processId: string, args: Record<string, unknown>) => ({ r: { process_id: processId, arguments: args, result: true } });
const LABELS = ['2023-01-01', '2023-01-02', '2023-01-03', '2023-01-04'];
const series = () => withLabels([4, null, -1.5, 10], LABELS);

describe('elementwise arithmetic on arrays', () => {
  it('x - mean(x): the number goes with every element, no-data stays no-data, the labels stay', async () => {
    const got = (await run(
      { m: { process_id: 'mean', arguments: { data } }, r: { process_id: 'subtract', arguments: { x: data, y: { from_node: 'm' } }, result: true } },
      series(),
    )) as unknown[];
    const mean = (4 - 1.5 + 10) / 3;
    assert.deepEqual(got, [4 - mean, null, -1.5 - mean, 10 - mean]);
    assert.deepEqual(labelsOf(got), LABELS);
  });

  it('takes the array on either side and pairs two arrays element by element', async () => {
    assert.deepEqual(await run(one('divide', { x: 10, y: data }), [2, 4, null, 0]), [5, 2.5, null, Infinity]);
    assert.deepEqual(await run(one('power', { base: data, p: data }), [2, 3, null]), [4, 27, null]);
    assert.deepEqual(await run(one('add', { x: data, y: [1, 2, 3] }), [10, null, 30]), [11, null, 33]);
    assert.deepEqual(await run(one('log', { x: data, base: 10 }), [100, 1000]), [2, 3]);
    assert.deepEqual(await run(one('multiply', { x: data, y: null }), [1, 2]), [null, null]);
    assert.equal(labelsOf((await run(one('add', { x: [1, 2], y: data }), [1, 2])) as unknown[]), undefined, 'no labels to keep');
  });

  it('unary processes and the ones with further scalar parameters', async () => {
    const x = [-2.35, null, 0.5, 7];
    const cases: [string, Record<string, unknown>, unknown[]][] = [
      ['absolute', { x: data }, [2.35, null, 0.5, 7]],
      ['sgn', { x: data }, [-1, null, 1, 1]],
      ['floor', { x: data }, [-3, null, 0, 7]],
      ['ceil', { x: data }, [-2, null, 1, 7]],
      ['int', { x: data }, [-2, null, 0, 7]],
      ['round', { x: data, p: 1 }, [-2.4, null, 0.5, 7]],
      ['clip', { x: data, min: 0, max: 5 }, [0, null, 0.5, 5]],
      ['linear_scale_range', { x: data, inputMin: 0, inputMax: 10, outputMin: 0, outputMax: 100 }, [0, null, 5, 70]],
    ];
    for (const [id, args, want] of cases) assert.deepEqual(await run(one(id, args), x), want, id);
    assert.deepEqual(await run(one('sqrt', { x: data }), [4, null, 9]), [2, null, 3]);
    assert.deepEqual(await run(one('exp', { p: data }), [0, null]), [1, null]);
    assert.deepEqual(await run(one('ln', { x: data }), [1, null]), [0, null]);
  });

  it('comparisons give arrays of booleans', async () => {
    const x = [1, null, 3, 5];
    assert.deepEqual(await run(one('gt', { x: data, y: 3 }), x), [false, null, false, true]);
    assert.deepEqual(await run(one('gte', { x: data, y: 3 }), x), [false, null, true, true]);
    assert.deepEqual(await run(one('lt', { x: 3, y: data }), x), [false, null, false, true]);
    assert.deepEqual(await run(one('lte', { x: data, y: [1, 1, 1, 1] }), x), [true, null, false, false]);
    assert.deepEqual(await run(one('eq', { x: data, y: 3.1, delta: 0.2 }), x), [false, null, true, false]);
    assert.deepEqual(await run(one('neq', { x: data, y: 3 }), x), [true, null, false, true]);
  });

  it('refuses arrays of different lengths, naming the process and the parameter', async () => {
    await assert.rejects(run(one('subtract', { x: data, y: [1, 2, 3] }), [1, 2]), (e: unknown) => {
      assert.ok(isOpenEOError(e) && e.code === 'ProcessParameterInvalid', String(e));
      assert.match(e.message, /parameter 'y' in process 'subtract'/);
      assert.match(e.message, /3 elements .* 'x', an array of 2/);
      return true;
    });
  });

  it('checks every element as it checks a single value', async () => {
    await assert.rejects(run(one('add', { x: data, y: 1 }), [1, 'a']), /parameter 'x' in process 'add' .*expected a number or null, got string/);
    await assert.rejects(run(one('add', { x: data, y: 1 }), [1, [2]]), /parameter 'x' in process 'add' .*got an array/);
    await assert.rejects(run(one('clip', { x: data, min: 5, max: 1 }), [1, 2]), /MinMaxSwapped/);
  });

  it('validation accepts constant arrays of numbers and still refuses nested ones', async () => {
    assert.deepEqual(await run(one('subtract', { x: [5, 6], y: 1 }), null), [4, 5]);
    await assert.rejects(run(one('subtract', { x: [5, [6]], y: 1 }), null), (e: unknown) => isOpenEOError(e) && e.code === 'ProcessParameterInvalid');
  });

  it('single values behave as before', async () => {
    assert.equal(await run(one('subtract', { x: data, y: 2 }), 5), 3);
    assert.equal(await run(one('subtract', { x: data, y: 2 }), null), null);
    assert.equal(await run(one('gt', { x: data, y: 2 }), 'a'), false);
  });

  it('the specs say so: array alternatives in the parameter and result schemas, and a note in the description', () => {
    for (const id of ['add', 'subtract', 'multiply', 'divide', 'power', 'absolute', 'sgn', 'sqrt', 'exp', 'ln', 'log', 'floor', 'ceil', 'round', 'int', 'clip', 'linear_scale_range', 'eq', 'neq', 'gt', 'gte', 'lt', 'lte']) {
      const def = registry.get(id)!;
      assert.ok(def.elementwise && def.elementwise.length > 0, `${id} is elementwise`);
      for (const name of def.elementwise) {
        const schema = def.spec.parameters.find((p) => p.name === name)!.schema;
        assert.ok(Array.isArray(schema) && schema.some((s) => s.type === 'array'), `${id}.${name} admits arrays`);
      }
      assert.ok([def.spec.returns.schema].flat().some((s) => s.type === 'array'), `${id} may return an array`);
      assert.match(def.spec.description, /element by element/, id);
    }
    assert.equal(registry.get('between')!.elementwise, undefined);
  });
});
