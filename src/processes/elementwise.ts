/**
 * Element-by-element arithmetic on arrays for the scalar math and comparison processes. Clients write
 * `x - mean(x)` in an apply_dimension callback as `subtract(x: data, y: mean)`, where `data` is the whole series;
 * the openEO specification defines `subtract` on numbers only, but other back-ends (openeo-processes-dask, the
 * geopyspark driver) compute it per element, and the official Python client builds exactly this graph. So a
 * process wrapped here accepts an array wherever it takes a number in the listed parameters: it runs its scalar
 * implementation once per element (no-data handling and errors per element unchanged), a single value is paired
 * with every element, and arrays taken together must have the same length.
 */
import { createProcessArgs } from '../process-graph/args.ts';
import { parameterInvalid } from '../process-graph/errors.ts';
import type { JsonSchema, ParameterSchema, ProcessDefinition } from '../process-graph/types.ts';
import { labelsOf, withLabels } from './labeled-array.ts';

const scalarAlternatives = (schema: ParameterSchema): JsonSchema[] => (Array.isArray(schema) ? [...schema] : [schema as JsonSchema]);

/** The scalar schema, or an array of such values. */
const orArrayOf = (schema: ParameterSchema): JsonSchema[] => {
  const alts = scalarAlternatives(schema);
  const items = alts.length === 1 ? alts[0] : { anyOf: alts };
  return [...alts, { type: 'array', items }];
};

const quoted = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(names.length === 2 ? ' and ' : ', ');

/**
 * `def` with `names` also taking arrays, computed element by element. The spec says so: the schemas of those
 * parameters and of the result gain an array alternative, and the description a paragraph.
 */
export function elementwise(def: ProcessDefinition, names: readonly string[]): ProcessDefinition {
  const { spec, run } = def;
  for (const name of names) {
    if (!spec.parameters.some((p) => p.name === name)) throw new Error(`Process '${spec.id}' has no parameter '${name}'.`);
  }
  const several = names.length > 1;
  const note =
    ` Beyond the openEO definition, ${quoted(names)} may ${several ? 'each ' : ''}also be an array, e.g. the series ` +
    '`data` that apply_dimension passes to its callback: the result is then the array of results element by element' +
    (several ? ' (a single value goes with every element; arrays must have the same length)' : '') +
    ', labeled like the first labeled array among them, with no-data handled per element as for single values.';
  const widened: ProcessDefinition = {
    ...def,
    elementwise: names,
    spec: {
      ...spec,
      description: spec.description + note,
      parameters: spec.parameters.map((p) => (names.includes(p.name) ? { ...p, schema: orArrayOf(p.schema) } : p)),
      returns: { ...spec.returns, schema: orArrayOf(spec.returns.schema) },
    },
    run: (args, ctx) => {
      let first: string | undefined;
      let length = 0;
      for (const name of names) {
        const v = args.has(name) ? args.get(name) : undefined;
        if (!Array.isArray(v)) continue;
        if (first === undefined) {
          first = name;
          length = v.length;
        } else if (v.length !== length) {
          throw parameterInvalid(
            spec.id,
            name,
            `an array of ${v.length} elements cannot be combined element by element with '${first}', an array of ${length}.`,
          );
        }
      }
      if (first === undefined) return run(args, ctx);
      const given = new Map<string, unknown>();
      for (const p of spec.parameters) if (args.has(p.name)) given.set(p.name, args.get(p.name));
      const arrays = names.filter((n) => Array.isArray(given.get(n))).map((n) => [n, given.get(n) as readonly unknown[]] as const);
      const out = new Array<unknown>(length);
      // one map for all elements: the wrapped scalar implementations answer synchronously and keep nothing
      const element = new Map(given);
      for (let i = 0; i < length; i++) {
        for (const [name, values] of arrays) element.set(name, values[i]);
        out[i] = run(createProcessArgs(spec, element), ctx);
      }
      const labels = arrays.map(([, values]) => labelsOf(values)).find((l) => l !== undefined);
      return labels ? withLabels(out, labels) : out;
    },
  };
  return widened;
}
