/** Constants and checks on single values of any type. */
import type { ProcessDefinition } from '../process-graph/types.ts';
import { ANY, required } from './spec-helpers.ts';

const check = (id: string, summary: string, description: string, categories: string[], test: (x: unknown) => boolean): ProcessDefinition => ({
  spec: {
    id,
    summary,
    description,
    categories,
    parameters: [required('x', 'The value to check; any data type.', ANY)],
    returns: { description: '`true` or `false`, never no-data.', schema: { type: 'boolean' } },
  },
  run: (args) => test(args.get('x')),
});

const constant = (id: string, summary: string, description: string, categories: string[], value: number): ProcessDefinition => ({
  spec: {
    id,
    summary,
    description,
    categories,
    parameters: [],
    returns: { description: 'The value of the constant.', schema: { type: 'number' } },
  },
  run: () => value,
});

export const valueProcesses: readonly ProcessDefinition[] = [
  check('is_nodata', 'Value is a no-data value', 'Checks whether `x` is no-data (`null`). An array is a value, even if it only holds no-data.', ['comparison'], (x) => x === null),
  check('is_nan', 'Value is not a number', 'Checks whether `x` is the number NaN. Values of other types, including the string "NaN" and no-data, are not NaN.', ['comparison', 'math > constants'], (x) => typeof x === 'number' && Number.isNaN(x)),
  check(
    'is_valid',
    'Value is valid data',
    'Checks whether `x` is usable data: not no-data, and for numbers finite (neither NaN nor ±Infinity). Strings, booleans, arrays and objects are valid.',
    ['comparison'],
    (x) => x !== null && (typeof x !== 'number' || Number.isFinite(x)),
  ),
  constant('pi', 'Pi (π)', 'The ratio of a circle\'s circumference to its diameter, about 3.14159.', ['math > constants', 'math > trigonometric'], Math.PI),
  constant('e', "Euler's number (e)", 'The base of the natural logarithm, about 2.71828.', ['math > constants', 'math > exponential & logarithmic'], Math.E),
  {
    spec: {
      id: 'constant',
      summary: 'Define a constant value',
      description: 'Returns its argument unchanged, so that one value can be defined once and used in several places.',
      categories: ['math > constants'],
      parameters: [required('x', 'The value; any data type.', ANY)],
      returns: { description: 'The value of `x`.', schema: ANY },
    },
    run: (args) => args.get('x'),
  },
];
