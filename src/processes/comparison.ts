/**
 * Comparisons. No-data on either side gives no-data; values of different types are simply unequal (never an
 * error); ordering (gt, gte, lt, lte, between) is defined for numbers only, anything else compares as `false`.
 * NaN is unequal to everything, itself included. Except for `between`, the operands also take arrays, compared
 * element by element (elementwise.ts).
 */
import type { ProcessArgs, ProcessDefinition } from '../process-graph/types.ts';
import { elementwise } from './elementwise.ts';
import { BOOLEAN_OR_NULL, SCALAR_OR_NULL, optional, required, ANY } from './spec-helpers.ts';

function equals(args: ProcessArgs): boolean | null {
  const x = args.get('x');
  const y = args.get('y');
  if (x === null || y === null) return null;
  if (typeof x !== typeof y) return false;
  if (typeof x === 'number' && typeof y === 'number') {
    const delta = args.get('delta');
    if (typeof delta === 'number') return Math.abs(x - y) <= delta;
    return x === y;
  }
  if (typeof x === 'string' && typeof y === 'string' && !args.optionalBoolean('case_sensitive', true)) {
    return x.toLowerCase() === y.toLowerCase();
  }
  return x === y;
}

const equalityParams = (verb: string) => [
  required('x', 'First operand.', SCALAR_OR_NULL),
  required('y', 'Second operand.', SCALAR_OR_NULL),
  optional(
    'delta',
    `Only for numbers: the largest absolute difference at which \`x\` and \`y\` still count as ${verb}.`,
    { type: ['number', 'null'], minimumExclusive: 0 },
    null,
  ),
  optional('case_sensitive', 'Only for strings: `false` ignores the letter case.', { type: 'boolean' }, true),
];

function ordering(id: string, summary: string, symbol: string, cmp: (x: number, y: number) => boolean): ProcessDefinition {
  return elementwise({
    spec: {
      id,
      summary,
      description:
        `Checks whether \`x\` ${symbol} \`y\`. Only numbers are ordered: for any other type of operand the result ` +
        'is `false`, NaN included. If either operand is no-data (`null`), the result is no-data.',
      categories: ['comparison'],
      parameters: [required('x', 'First operand.', SCALAR_OR_NULL), required('y', 'Second operand.', SCALAR_OR_NULL)],
      returns: { description: '`true` if the relation holds, `false` if not, or no-data.', schema: BOOLEAN_OR_NULL },
    },
    run: (args) => {
      const x = args.get('x');
      const y = args.get('y');
      if (x === null || y === null) return null;
      return typeof x === 'number' && typeof y === 'number' ? cmp(x, y) : false;
    },
  }, ['x', 'y']);
}

export const comparisonProcesses: readonly ProcessDefinition[] = [
  elementwise({
    spec: {
      id: 'eq',
      summary: 'Equal to comparison',
      description:
        'Checks whether `x` and `y` are equal: same type and same value. Numbers may be compared with a tolerance ' +
        '(`delta`), strings optionally without regard to case. Date-time strings are compared as strings. ' +
        'If either operand is no-data (`null`), the result is no-data.',
      categories: ['texts', 'comparison'],
      parameters: equalityParams('equal'),
      returns: { description: '`true` if equal, `false` otherwise, or no-data.', schema: BOOLEAN_OR_NULL },
    },
    run: (args) => equals(args),
  }, ['x', 'y']),
  elementwise({
    spec: {
      id: 'neq',
      summary: 'Not equal to comparison',
      description:
        'The negation of `eq`: checks whether `x` and `y` differ in type or value, with the same options for ' +
        'numbers (`delta`) and strings (`case_sensitive`). If either operand is no-data (`null`), the result is no-data.',
      categories: ['texts', 'comparison'],
      parameters: equalityParams('equal'),
      returns: { description: '`true` if not equal, `false` otherwise, or no-data.', schema: BOOLEAN_OR_NULL },
    },
    run: (args) => {
      const r = equals(args);
      return r === null ? null : !r;
    },
  }, ['x', 'y']),
  ordering('gt', 'Greater than comparison', '>', (x, y) => x > y),
  ordering('gte', 'Greater than or equal to comparison', '>=', (x, y) => x >= y),
  ordering('lt', 'Less than comparison', '<', (x, y) => x < y),
  ordering('lte', 'Less than or equal to comparison', '<=', (x, y) => x <= y),
  {
    spec: {
      id: 'between',
      summary: 'Between comparison',
      description:
        'Checks whether `x` lies between `min` and `max` (both included, unless `exclude_max` excludes the upper ' +
        'bound). Anything that is not a number is not between, and if `min` is greater than `max` nothing is. ' +
        'No-data gives no-data.',
      categories: ['comparison'],
      parameters: [
        required('x', 'The value to check.', ANY),
        required('min', 'Lower bound (included).', { type: 'number' }),
        required('max', 'Upper bound.', { type: 'number' }),
        optional('exclude_max', '`true` excludes the upper bound from the range.', { type: 'boolean' }, false),
      ],
      returns: { description: '`true` if within the bounds, `false` otherwise, or no-data.', schema: BOOLEAN_OR_NULL },
    },
    run: (args) => {
      const x = args.get('x');
      if (x === null) return null;
      const min = args.number('min');
      const max = args.number('max');
      if (typeof x !== 'number' || min > max) return false;
      return x >= min && (args.optionalBoolean('exclude_max', false) ? x < max : x <= max);
    },
  },
];
