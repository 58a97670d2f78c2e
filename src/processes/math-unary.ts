/**
 * Numeric functions of one argument. No-data in gives no-data out; NaN and ±Infinity follow IEEE 754. The argument
 * may also be an array, computed element by element (elementwise.ts).
 */
import type { JsonSchema, ProcessDefinition } from '../process-graph/types.ts';
import { elementwise } from './elementwise.ts';
import { NUMBER_OR_NULL, optional, required } from './spec-helpers.ts';

function unary(
  id: string,
  summary: string,
  description: string,
  categories: string[],
  fn: (x: number) => number | null,
  opts: { param?: string; paramDescription?: string; returns?: JsonSchema } = {},
): ProcessDefinition {
  const name = opts.param ?? 'x';
  return elementwise({
    spec: {
      id,
      summary,
      description: `${description} A no-data value as input gives no-data (\`null\`) as result.`,
      categories,
      parameters: [required(name, opts.paramDescription ?? 'A number.', NUMBER_OR_NULL)],
      returns: { description: 'The computed number, or no-data.', schema: opts.returns ?? NUMBER_OR_NULL },
    },
    run: (args) => {
      const x = args.numberOrNull(name);
      return x === null ? null : fn(x);
    },
  }, [name]);
}

/** Round half to even at `p` decimals; products like 0.35 * 10 land near .5 only up to float error, hence the slack. */
export function roundHalfEven(x: number, p: number): number {
  if (!Number.isFinite(x)) return x;
  const scale = 10 ** Math.abs(p);
  const v = p >= 0 ? x * scale : x / scale;
  const lower = Math.floor(v);
  const diff = v - lower;
  let r: number;
  if (Math.abs(diff - 0.5) < 1e-9) r = lower % 2 === 0 ? lower : lower + 1;
  else r = Math.round(v);
  const out = p >= 0 ? r / scale : r * scale;
  return out === 0 ? 0 : out; // no negative zero in results
}

const noNegativeZero = (v: number) => (v === 0 ? 0 : v);

const INTEGER_OR_NULL: JsonSchema = { type: ['integer', 'null'] };

export const mathUnaryProcesses: readonly ProcessDefinition[] = [
  unary('absolute', 'Absolute value', 'Returns the magnitude of a number, i.e. the number without its sign.', ['math'], Math.abs, {
    returns: { type: ['number', 'null'], minimum: 0 },
  }),
  unary(
    'sgn',
    'Signum',
    'Returns -1 for negative numbers, 1 for positive numbers and 0 for zero; NaN stays NaN.',
    ['math'],
    (x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : 0),
    { returns: { type: ['number', 'null'], enum: [-1, 0, 1, null] } },
  ),
  unary('sqrt', 'Square root', 'Returns the non-negative square root of a number; negative numbers give NaN.', ['math', 'math > exponential & logarithmic'], Math.sqrt),
  unary('exp', 'Exponentiation to the base e', "Raises Euler's number e to the power `p`.", ['math > exponential & logarithmic'], Math.exp, {
    param: 'p',
    paramDescription: 'The exponent.',
  }),
  unary('ln', 'Natural logarithm', 'Computes the logarithm of a number to the base e. Zero gives -Infinity, negative numbers give NaN.', ['math > exponential & logarithmic'], Math.log, {
    paramDescription: 'A number to compute the natural logarithm for.',
  }),
  unary('floor', 'Round fractions down', 'Returns the largest integer that is less than or equal to the number.', ['math > rounding'], (x) => noNegativeZero(Math.floor(x)), {
    returns: INTEGER_OR_NULL,
  }),
  unary('ceil', 'Round fractions up', 'Returns the smallest integer that is greater than or equal to the number.', ['math > rounding'], (x) => noNegativeZero(Math.ceil(x)), {
    returns: INTEGER_OR_NULL,
  }),
  unary(
    'int',
    'Integer part of a number',
    'Drops the fractional part, i.e. rounds toward zero. NaN has no integer part and gives no-data.',
    ['math', 'math > rounding'],
    (x) => (Number.isNaN(x) ? null : Math.trunc(x) || 0),
    { returns: INTEGER_OR_NULL },
  ),
  elementwise({
    spec: {
      id: 'round',
      summary: 'Round to a specified precision',
      description:
        'Rounds a number to `p` decimal places (negative `p` rounds to tens, hundreds, …). Values exactly half-way ' +
        'between two candidates go to the even one ("banker\'s rounding"), e.g. -2.5 gives -2 and 0.35 gives 0.4 at p=1. ' +
        'A no-data value as input gives no-data (`null`) as result.',
      categories: ['math > rounding'],
      parameters: [
        required('x', 'The number to round.', NUMBER_OR_NULL),
        optional('p', 'Number of decimal places to keep; negative values round to the left of the decimal point.', { type: 'integer' }, 0),
      ],
      returns: { description: 'The rounded number, or no-data.', schema: NUMBER_OR_NULL },
    },
    run: (args) => {
      const x = args.numberOrNull('x');
      return x === null ? null : roundHalfEven(x, args.optionalInteger('p', 0));
    },
  }, ['x']),
];
