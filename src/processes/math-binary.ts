/**
 * Numeric functions of two or more arguments. No-data in any operand gives no-data; NaN and ±Infinity follow IEEE 754.
 * The numeric operands also take arrays, computed element by element (elementwise.ts).
 */
import type { ProcessDefinition } from '../process-graph/types.ts';
import { processException } from '../process-graph/errors.ts';
import { elementwise } from './elementwise.ts';
import { NUMBER_OR_NULL, optional, required } from './spec-helpers.ts';

function binary(
  id: string,
  summary: string,
  description: string,
  categories: string[],
  names: [string, string, string, string],
  fn: (a: number, b: number) => number,
): ProcessDefinition {
  const [a, aDescription, b, bDescription] = names;
  return elementwise({
    spec: {
      id,
      summary,
      description: `${description} If either operand is no-data (\`null\`), the result is no-data.`,
      categories,
      parameters: [required(a, aDescription, NUMBER_OR_NULL), required(b, bDescription, NUMBER_OR_NULL)],
      returns: { description: 'The computed number, or no-data.', schema: NUMBER_OR_NULL },
    },
    run: (args) => {
      const x = args.numberOrNull(a);
      const y = args.numberOrNull(b);
      return x === null || y === null ? null : fn(x, y);
    },
  }, [a, b]);
}

const xy = (x: string, y: string): [string, string, string, string] => ['x', x, 'y', y];

export const mathBinaryProcesses: readonly ProcessDefinition[] = [
  binary('add', 'Addition of two numbers', 'Sums up `x` and `y`.', ['math'], xy('The first summand.', 'The second summand.'), (x, y) => x + y),
  binary('subtract', 'Subtraction of two numbers', 'Subtracts `y` from `x`.', ['math'], xy('The minuend.', 'The subtrahend.'), (x, y) => x - y),
  binary('multiply', 'Multiplication of two numbers', 'Multiplies `x` by `y`.', ['math'], xy('The multiplier.', 'The multiplicand.'), (x, y) => x * y),
  binary(
    'divide',
    'Division of two numbers',
    'Divides `x` by `y`. Division by zero is not an error here: it yields ±Infinity, or NaN for 0/0.',
    ['math'],
    xy('The dividend.', 'The divisor.'),
    (x, y) => x / y,
  ),
  binary(
    'power',
    'Exponentiation',
    'Raises `base` to the power `p` (e.g. p=0.5 is the square root).',
    ['math', 'math > exponential & logarithmic'],
    ['base', 'The number to raise.', 'p', 'The exponent.'],
    (base, p) => base ** p,
  ),
  binary(
    'log',
    'Logarithm to a base',
    'Computes the logarithm of `x` to the given `base`. Zero gives -Infinity, negative numbers give NaN.',
    ['math > exponential & logarithmic'],
    ['x', 'The number to take the logarithm of.', 'base', 'The base of the logarithm.'],
    (x, base) => (base === 10 ? Math.log10(x) : base === 2 ? Math.log2(x) : Math.log(x) / Math.log(base)),
  ),
  binary(
    'normalized_difference',
    'Normalized difference',
    'Computes (x - y) / (x + y), the basis of indices such as NDVI (x = near infrared, y = red).',
    ['math > indices', 'vegetation indices'],
    xy('The first value (e.g. near infrared).', 'The second value (e.g. red).'),
    (x, y) => (x - y) / (x + y),
  ),
  elementwise({
    spec: {
      id: 'clip',
      summary: 'Clip a value between a minimum and a maximum',
      description:
        'Limits `x` to the range from `min` to `max`: smaller values become `min`, larger values become `max`. ' +
        'NaN in any argument gives NaN; no-data stays no-data. Fails with `MinMaxSwapped` if `min` is greater than `max`.',
      categories: ['math'],
      parameters: [
        required('x', 'The number to clip.', NUMBER_OR_NULL),
        required('min', 'Lower bound.', { type: 'number' }),
        required('max', 'Upper bound.', { type: 'number' }),
      ],
      returns: { description: 'The clipped value, or no-data.', schema: NUMBER_OR_NULL },
      exceptions: { MinMaxSwapped: { message: 'The minimum value should be lower than or equal to the maximum value.' } },
    },
    run: (args) => {
      const x = args.numberOrNull('x');
      const min = args.number('min');
      const max = args.number('max');
      if (min > max) throw processException('clip', 'MinMaxSwapped', 'The minimum value should be lower than or equal to the maximum value.');
      if (x === null) return null;
      if (Number.isNaN(x) || Number.isNaN(min) || Number.isNaN(max)) return NaN;
      return Math.min(Math.max(x, min), max);
    },
  }, ['x']),
  elementwise({
    spec: {
      id: 'linear_scale_range',
      summary: 'Linear transformation between two ranges',
      description:
        'Maps `x` from the input range [`inputMin`, `inputMax`] linearly onto the output range [`outputMin`, ' +
        '`outputMax`]: (x - inputMin) / (inputMax - inputMin) * (outputMax - outputMin) + outputMin. Values outside ' +
        'the input range are first clipped to it. Either range may be given in descending order. No-data stays no-data.',
      categories: ['math'],
      parameters: [
        required('x', 'The number to transform.', NUMBER_OR_NULL),
        required('inputMin', 'One end of the input range.', { type: 'number' }),
        required('inputMax', 'The other end of the input range.', { type: 'number' }),
        optional('outputMin', 'One end of the output range.', { type: 'number' }, 0),
        optional('outputMax', 'The other end of the output range.', { type: 'number' }, 1),
      ],
      returns: { description: 'The transformed number, or no-data.', schema: NUMBER_OR_NULL },
    },
    run: (args) => {
      const x = args.numberOrNull('x');
      if (x === null) return null;
      const inMin = args.number('inputMin');
      const inMax = args.number('inputMax');
      const outMin = args.optionalNumber('outputMin', 0);
      const outMax = args.optionalNumber('outputMax', 1);
      const clipped = Math.min(Math.max(x, Math.min(inMin, inMax)), Math.max(inMin, inMax));
      return ((clipped - inMin) / (inMax - inMin)) * (outMax - outMin) + outMin;
    },
  }, ['x']),
];
