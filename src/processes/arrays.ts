/** Array processes. Labeled arrays keep their labels where the process defines it (see labeled-array.ts). */
import { processException } from '../process-graph/errors.ts';
import { checkArraySize } from '../process-graph/limits.ts';
import type { ProcessDefinition } from '../process-graph/types.ts';
import { mapInTurn } from '../async.ts';
import { labelsOf, withLabels, type Label } from './labeled-array.ts';
import { ANY, ANY_ARRAY, SCALAR_OR_NULL, ignoreNodata, optional, required } from './spec-helpers.ts';

const isScalar = (v: unknown) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

function firstOrLast(id: 'first' | 'last'): ProcessDefinition {
  const which = id === 'first' ? 'first' : 'last';
  return {
    spec: {
      id,
      summary: `${which === 'first' ? 'First' : 'Last'} element`,
      description:
        `Returns the ${which} element of the array. By default no-data values are passed over, so the ${which} ` +
        `value that is not no-data is returned; with \`ignore_nodata\` set to \`false\` the ${which} element is ` +
        'returned whatever it is. An empty array, or one holding only no-data, gives no-data.',
      categories: ['arrays', 'reducer'],
      parameters: [required('data', 'An array with elements of any data type.', ANY_ARRAY), ignoreNodata('search')],
      returns: { description: `The ${which} element, or no-data.`, schema: ANY },
    },
    run: (args) => {
      const data = args.array('data');
      const ignore = args.optionalBoolean('ignore_nodata', true);
      const n = data.length;
      for (let k = 0; k < n; k++) {
        const v = data[id === 'first' ? k : n - 1 - k];
        if (v !== null || !ignore) return v;
      }
      return null;
    },
  };
}

const EXCEPTIONS = {
  ArrayElementNotAvailable: 'The array has no element with the specified index or label.',
  ArrayElementParameterMissing: "The process 'array_element' requires either the 'index' or 'label' parameter to be set.",
  ArrayElementParameterConflict: "The process 'array_element' only allows that either the 'index' or the 'label' parameter is set.",
  ArrayNotLabeled: "The array is not a labeled array, but the 'label' parameter is set. Use the 'index' instead.",
  LabelExists: 'An array element with the specified label already exists.',
  ArrayLabelConflict: 'At least one label exists in both arrays and the conflict must be resolved before.',
};
type ExceptionName = keyof typeof EXCEPTIONS;
const fail = (id: string, name: ExceptionName) => processException(id, name, EXCEPTIONS[name]);
const exceptions = (...names: ExceptionName[]) => Object.fromEntries(names.map((n) => [n, { message: EXCEPTIONS[n] }]));

export const arrayProcesses: readonly ProcessDefinition[] = [
  firstOrLast('first'),
  firstOrLast('last'),
  {
    spec: {
      id: 'count',
      summary: 'Count the number of elements',
      description:
        'Counts the elements of the array for which `condition` holds. Without a condition (`null`) the valid ' +
        'elements are counted (those for which `is_valid` is true); `true` counts every element; a process graph is ' +
        'called for each element with the parameters `x` (the element) and `context`, and counts where it returns `true`.',
      categories: ['arrays', 'math > statistics', 'reducer'],
      parameters: [
        required('data', 'An array with elements of any data type.', ANY_ARRAY),
        optional(
          'condition',
          'What to count: `null` for valid elements, `true` for all elements, or a condition as a process graph.',
          [
            {
              title: 'Condition',
              description: 'A condition evaluated for each element.',
              type: 'object',
              subtype: 'process-graph',
              parameters: [
                { name: 'x', description: 'The element.', schema: ANY },
                { name: 'context', description: 'The `context` passed to count.', schema: ANY, optional: true, default: null },
              ],
              returns: { description: '`true` to count the element.', schema: { type: 'boolean' } },
            },
            { title: 'All elements', description: '`true` counts every element.', type: 'boolean', const: true },
            { title: 'Valid elements', description: '`null` counts valid elements.', type: 'null' },
          ],
          null,
        ),
        optional('context', 'Additional data passed to the condition.', ANY, null),
      ],
      returns: { description: 'The number of counted elements.', schema: { type: 'number' } },
    },
    run: (args, ctx) => {
      const data = args.array('data');
      const condition = args.get('condition');
      if (condition === true) return data.length;
      if (condition === null || condition === undefined) {
        return data.filter((v) => v !== null && (typeof v !== 'number' || Number.isFinite(v))).length;
      }
      const callback = args.callback('condition');
      const context = args.get('context') ?? null;
      const counted = (results: unknown[]) => results.filter((r) => r === true).length;
      // synchronous where the caller offers it (callbacks run per pixel)
      if (callback.callSync) return counted(data.map((x) => callback.callSync!({ x, context })));
      return mapInTurn(data, (x) => callback.call({ x, context }, ctx.signal)).then(counted);
    },
  },
  {
    spec: {
      id: 'array_element',
      summary: 'Get an element from an array',
      description:
        'Returns the element at the zero-based `index`, or, for labeled arrays, the element with the given `label`. ' +
        'Exactly one of `index` and `label` must be given. A missing element is an error (`ArrayElementNotAvailable`) ' +
        'unless `return_nodata` is `true`, in which case no-data is returned.',
      categories: ['arrays', 'reducer'],
      parameters: [
        required('data', 'An array.', ANY_ARRAY),
        optional('index', 'The zero-based index of the element.', { type: 'integer' }, undefined),
        optional('label', 'The label of the element (labeled arrays only).', [{ type: 'number' }, { type: 'string' }], undefined),
        optional('return_nodata', '`true` returns no-data instead of failing when the element does not exist.', { type: 'boolean' }, false),
      ],
      returns: { description: 'The requested element.', schema: ANY },
      exceptions: exceptions('ArrayElementNotAvailable', 'ArrayElementParameterMissing', 'ArrayElementParameterConflict', 'ArrayNotLabeled'),
    },
    run: (args) => {
      const data = args.array('data');
      const hasIndex = args.get('index') !== undefined && args.get('index') !== null;
      const hasLabel = args.get('label') !== undefined && args.get('label') !== null;
      if (!hasIndex && !hasLabel) throw fail('array_element', 'ArrayElementParameterMissing');
      if (hasIndex && hasLabel) throw fail('array_element', 'ArrayElementParameterConflict');
      let position: number;
      if (hasIndex) position = args.integer('index');
      else {
        const labels = labelsOf(data);
        if (!labels) throw fail('array_element', 'ArrayNotLabeled');
        position = labels.indexOf(args.get('label') as Label);
      }
      if (position >= 0 && position < data.length) return data[position];
      if (args.optionalBoolean('return_nodata', false)) return null;
      throw fail('array_element', 'ArrayElementNotAvailable');
    },
  },
  {
    spec: {
      id: 'array_create',
      summary: 'Create an array',
      description: 'Creates a new array from the given elements, repeated `repeat` times one after the other.',
      categories: ['arrays'],
      parameters: [
        optional('data', 'The elements of the array (empty by default).', ANY_ARRAY, []),
        optional('repeat', 'How often the elements are repeated.', { type: 'integer', minimum: 1 }, 1),
      ],
      returns: { description: 'The new array.', schema: ANY_ARRAY },
    },
    run: (args, ctx) => {
      const data = args.has('data') ? args.array('data') : [];
      const repeat = args.optionalInteger('repeat', 1);
      const length = data.length * Math.max(repeat, 0);
      checkArraySize(ctx.limits, 'array_create', 'repeat', length);
      // by index: spreading a long `data` into push() would overflow the stack
      const out = new Array<unknown>(length);
      for (let i = 0; i < length; i++) out[i] = data[i % data.length];
      return out;
    },
  },
  {
    spec: {
      id: 'array_concat',
      summary: 'Merge two arrays',
      description:
        'Appends the elements of `array2` to those of `array1`. If both are labeled arrays the result is labeled too ' +
        '(a label present in both is an `ArrayLabelConflict`); otherwise labels are dropped.',
      categories: ['arrays'],
      parameters: [required('array1', 'The first array.', ANY_ARRAY), required('array2', 'The second array.', ANY_ARRAY)],
      returns: { description: 'The merged array.', schema: ANY_ARRAY },
      exceptions: exceptions('ArrayLabelConflict'),
    },
    run: (args, ctx) => {
      const a = args.array('array1');
      const b = args.array('array2');
      // each input is within the limit, the two together need not be (a chain of concats doubles a list per node)
      checkArraySize(ctx.limits, 'array_concat', 'array2', a.length + b.length);
      const la = labelsOf(a);
      const lb = labelsOf(b);
      const values = [...a, ...b];
      if (!la || !lb) return values;
      if (lb.some((l) => la.includes(l))) throw fail('array_concat', 'ArrayLabelConflict');
      return withLabels(values, [...la, ...lb]);
    },
  },
  {
    spec: {
      id: 'array_append',
      summary: 'Append a value to an array',
      description:
        'Returns a new array with `value` added at the end. For labeled arrays the new element gets `label`, or its ' +
        'index if no label is given; an existing label is a `LabelExists` error. A label for an unlabeled array is an ' +
        '`ArrayNotLabeled` error.',
      categories: ['arrays'],
      parameters: [
        required('data', 'An array.', ANY_ARRAY),
        required('value', 'The value to append.', ANY),
        optional('label', 'The label of the new element (labeled arrays only).', [{ type: 'number' }, { type: 'string' }, { type: 'null' }], null),
      ],
      returns: { description: 'The new array.', schema: ANY_ARRAY },
      exceptions: exceptions('LabelExists', 'ArrayNotLabeled'),
    },
    run: (args, ctx) => {
      const data = args.array('data');
      checkArraySize(ctx.limits, 'array_append', 'data', data.length + 1);
      const value = args.get('value');
      const label = (args.get('label') ?? null) as Label | null;
      const labels = labelsOf(data);
      if (!labels) {
        if (label !== null) throw fail('array_append', 'ArrayNotLabeled');
        return [...data, value];
      }
      const newLabel = label ?? data.length;
      if (labels.includes(newLabel)) throw fail('array_append', 'LabelExists');
      return withLabels([...data, value], [...labels, newLabel]);
    },
  },
  {
    spec: {
      id: 'array_contains',
      summary: 'Check whether the array contains a given value',
      description:
        'Checks whether `value` occurs in the array, comparing like `eq` with strict types (the string "1" is not the ' +
        'number 1). Looking for no-data always gives `false`; nested arrays and objects are never matched.',
      categories: ['arrays', 'comparison', 'reducer'],
      parameters: [required('data', 'The array to search.', ANY_ARRAY), required('value', 'The value to look for.', SCALAR_OR_NULL)],
      returns: { description: '`true` if the value occurs in the array.', schema: { type: 'boolean' } },
    },
    run: (args) => {
      const value = args.get('value');
      return isScalar(value) && args.array('data').some((v) => v === value);
    },
  },
  {
    spec: {
      id: 'array_find',
      summary: 'Get the index for a value in an array',
      description:
        'Returns the zero-based index of the first occurrence of `value` in the array (the last with `reverse`), ' +
        'comparing like `eq` with strict types, or no-data if there is none. Looking for no-data, an array or an ' +
        'object always gives no-data.',
      categories: ['arrays', 'reducer'],
      parameters: [
        required('data', 'The array to search.', ANY_ARRAY),
        required('value', 'The value to look for.', ANY),
        optional('reverse', '`true` returns the index of the last occurrence instead.', { type: 'boolean' }, false),
      ],
      returns: { description: 'The index, or no-data.', schema: [{ type: 'null' }, { type: 'integer', minimum: 0 }] },
    },
    run: (args) => {
      const value = args.get('value');
      if (!isScalar(value)) return null;
      const data = args.array('data');
      const index = args.optionalBoolean('reverse', false) ? data.lastIndexOf(value) : data.indexOf(value);
      return index < 0 ? null : index;
    },
  },
];
