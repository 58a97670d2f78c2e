// The per-pixel interpreter's synchronous path against the process graph interpreter (the reference) and plain loops.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInterpreter } from '../../src/datacube/pixel-callback.ts';
import type { CallbackSpec } from '../../src/datacube/types.ts';
import { evaluateProgram, validateProcessGraph } from '../../src/process-graph/index.ts';
import { createProcessRegistry, labelsOf, scalarProcesses, withLabels } from '../../src/processes/index.ts';

const data = { from_parameter: 'data' };
const LABELS = ['2023-08-01', '2023-08-02', '2023-08-03', '2023-08-04', '2023-08-05'];
const SERIES: (number | null)[][] = [
  [3, 1, null, 7, 5],
  [null, null, null, null, null],
  [2, 2, 2, 2, 2],
  [10, -4, 0.5, null, 8],
];

/** The same graph through validation and the interpreter, as a whole process graph would run. */
async function reference(graph: Record<string, unknown>, params: Record<string, unknown>): Promise<unknown> {
  const registry = createProcessRegistry(scalarProcesses());
  const parameters = Object.keys(params).map((name) => ({ name, description: name, schema: {} }));
  const { program, errors } = await validateProcessGraph(graph, { processes: registry, schemas: registry.schemas, parameters });
  assert.deepEqual(errors, []);
  return evaluateProgram(program!, { signal: AbortSignal.timeout(5000), arguments: params });
}

const spec = (graph: Record<string, unknown>, context: unknown = null): CallbackSpec => ({ graph: graph as CallbackSpec['graph'], parameterNames: ['data', 'context'], context });

describe('per-pixel interpreter', () => {
  const graphs: Record<string, Record<string, unknown>> = {
    'array_apply: x minus the mean of the outer data, plus the index': {
      a: {
        process_id: 'array_apply',
        arguments: {
          data,
          process: {
            process_graph: {
              m: { process_id: 'mean', arguments: { data } },
              s: { process_id: 'subtract', arguments: { x: { from_parameter: 'x' }, y: { from_node: 'm' } } },
              r: { process_id: 'add', arguments: { x: { from_node: 's' }, y: { from_parameter: 'index' } }, result: true },
            },
          },
        },
        result: true,
      },
    },
    'count with a condition on the context': {
      c: { process_id: 'count', arguments: { data, condition: { process_graph: { g: { process_id: 'gt', arguments: { x: { from_parameter: 'x' }, y: { from_parameter: 'context' } }, result: true } } }, context: 2 }, result: true },
    },
    'labels reach nested callbacks': {
      a: { process_id: 'array_apply', arguments: { data, process: { process_graph: { l: { process_id: 'eq', arguments: { x: { from_parameter: 'label' }, y: LABELS[2] }, result: true } } } }, result: true },
    },
    'lazy if/and (interpreter path) around quantiles': {
      q: { process_id: 'quantiles', arguments: { data, probabilities: [0.5] } },
      e: { process_id: 'array_element', arguments: { data: { from_node: 'q' }, index: 0 } },
      v: { process_id: 'is_valid', arguments: { x: { from_node: 'e' } } },
      g: { process_id: 'gt', arguments: { x: { from_node: 'e' }, y: 2 } },
      a: { process_id: 'and', arguments: { x: { from_node: 'v' }, y: { from_node: 'g' } } },
      i: { process_id: 'if', arguments: { value: { from_node: 'a' }, accept: { from_node: 'e' }, reject: -1 }, result: true },
    },
  };
  for (const [name, graph] of Object.entries(graphs)) {
    it(`${name}: same answers as the process graph interpreter`, async () => {
      const call = await createInterpreter().prepare(spec(graph), 'test');
      for (const series of SERIES) {
        const got = await call({ data: withLabels([...series], LABELS) });
        const want = await reference(graph, { data: withLabels([...series], LABELS), context: null });
        assert.deepEqual(got, want, `series ${JSON.stringify(series)}`);
      }
    });
  }

  it('answers synchronously for straight-line callbacks, nested ones included; labeled results keep their labels', async () => {
    const call = await createInterpreter().prepare(spec(graphs['array_apply: x minus the mean of the outer data, plus the index']), 'test');
    const got = call({ data: withLabels([1, 2, 3, null, 4], LABELS) });
    assert.ok(!(got instanceof Promise));
    assert.deepEqual(got, [1 - 2.5, 2 - 2.5 + 1, 3 - 2.5 + 2, null, 4 - 2.5 + 4]);
    assert.deepEqual(labelsOf(got as unknown[]), LABELS);
  });

  it('passes the context of the callback spec', async () => {
    const call = await createInterpreter().prepare(spec({ m: { process_id: 'multiply', arguments: { x: { from_parameter: 'context' }, y: 2 }, result: true } }, 21), 'test');
    assert.equal(call({ data: [] }), 42);
  });
});
