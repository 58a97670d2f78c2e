/**
 * Three-valued logic: no-data (`null`) means "unknown", so `and`/`or` still decide when the known operand settles
 * the result (false AND unknown = false, true OR unknown = true). `and`/`or` evaluate `y` only when `x` does not
 * decide, and `if` evaluates only the branch it returns.
 */
import type { ProcessDefinition } from '../process-graph/types.ts';
import { ANY, BOOLEAN_OR_NULL, expectBooleanOrNull, optional, required } from './spec-helpers.ts';

const xy = [required('x', 'A boolean value.', BOOLEAN_OR_NULL), required('y', 'A boolean value.', BOOLEAN_OR_NULL)];
const returns = { description: 'A boolean, or no-data if the result is unknown.', schema: BOOLEAN_OR_NULL };

export const logicProcesses: readonly ProcessDefinition[] = [
  {
    spec: {
      id: 'and',
      summary: 'Logical AND',
      description:
        'True only if both `x` and `y` are true. If one side is false the result is false even when the other is ' +
        'no-data; otherwise no-data on either side gives no-data.',
      categories: ['logic'],
      parameters: xy,
      returns,
    },
    lazy: ['y'],
    run: async (args) => {
      const x = args.booleanOrNull('x');
      if (x === false) return false;
      const y = expectBooleanOrNull(args, 'y', await args.lazy('y'));
      if (y === false) return false;
      return x === null || y === null ? null : true;
    },
  },
  {
    spec: {
      id: 'or',
      summary: 'Logical OR',
      description:
        'True if at least one of `x` and `y` is true, even when the other is no-data. Otherwise no-data on either ' +
        'side gives no-data, and two false values give false.',
      categories: ['logic'],
      parameters: xy,
      returns,
    },
    lazy: ['y'],
    run: async (args) => {
      const x = args.booleanOrNull('x');
      if (x === true) return true;
      const y = expectBooleanOrNull(args, 'y', await args.lazy('y'));
      if (y === true) return true;
      return x === null || y === null ? null : false;
    },
  },
  {
    spec: {
      id: 'xor',
      summary: 'Logical XOR (exclusive or)',
      description: 'True if exactly one of `x` and `y` is true. No-data on either side gives no-data.',
      categories: ['logic'],
      parameters: xy,
      returns,
    },
    run: (args) => {
      const x = args.booleanOrNull('x');
      const y = args.booleanOrNull('y');
      return x === null || y === null ? null : x !== y;
    },
  },
  {
    spec: {
      id: 'not',
      summary: 'Inverting a boolean',
      description: 'Turns true into false and false into true; no-data stays no-data.',
      categories: ['logic'],
      parameters: [required('x', 'The boolean to invert.', BOOLEAN_OR_NULL)],
      returns,
    },
    run: (args) => {
      const x = args.booleanOrNull('x');
      return x === null ? null : !x;
    },
  },
  {
    spec: {
      id: 'if',
      summary: 'If-Then-Else conditional',
      description:
        'Returns `accept` if `value` is true and `reject` otherwise (false or no-data). Only the returned branch is ' +
        'computed.',
      categories: ['logic', 'comparison', 'masks'],
      parameters: [
        required('value', 'The condition.', BOOLEAN_OR_NULL),
        required('accept', 'Returned when the condition is true.', ANY),
        optional('reject', 'Returned when the condition is false or no-data.', ANY, null),
      ],
      returns: { description: 'Either `accept` or `reject`.', schema: ANY },
    },
    lazy: ['accept', 'reject'],
    run: (args) => (args.booleanOrNull('value') === true ? args.lazy('accept') : args.lazy('reject')),
  },
];
