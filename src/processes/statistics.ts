/**
 * Reducers over arrays of numbers. With `ignore_nodata` (the default) no-data values are left out; without it a
 * single no-data value makes the result no-data. An array without any value left gives no-data. NaN is a value:
 * it propagates as in IEEE 754.
 */
import { processException } from '../process-graph/errors.ts';
import { checkArraySize } from '../process-graph/limits.ts';
import type { ProcessArgs, ProcessDefinition, ProcessLimits } from '../process-graph/types.ts';
import { NUMBERS_ARRAY, NUMBER_OR_NULL, ignoreNodata, optional, required } from './spec-helpers.ts';

/** The numbers of `data`, or null when a no-data value must make the whole result no-data. */
export function numbersOf(args: ProcessArgs): number[] | null {
  const ignore = args.optionalBoolean('ignore_nodata', true);
  const out: number[] = [];
  for (const v of args.array('data')) {
    if (v === null) {
      if (!ignore) return null;
    } else if (typeof v === 'number') out.push(v);
    else args.invalid('data', `expected numbers or no-data in the array, found ${typeof v}.`);
  }
  return out;
}

const sumOf = (values: readonly number[]) => {
  let s = 0;
  for (const v of values) s += v;
  return s;
};

export function sampleVariance(values: readonly number[]): number {
  const mean = sumOf(values) / values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return ss / (values.length - 1);
}

/** Type 7 (linear interpolation between closest ranks) of Hyndman & Fan, as numpy's default. */
export function quantileType7(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const f = h - lo;
  if (f === 0) return sorted[lo];
  // Weighted form rather than a + f*(b-a), so that infinite neighbours do not produce Inf - Inf = NaN.
  return (1 - f) * sorted[lo] + f * sorted[lo + 1];
}

const sortedNumbers = (values: readonly number[]) => Float64Array.from(values).sort();

function reducer(id: string, summary: string, description: string, categories: string[], fn: (values: number[]) => number): ProcessDefinition {
  return {
    spec: {
      id,
      summary,
      description:
        `${description} No-data values are skipped unless \`ignore_nodata\` is \`false\`; an empty array, or one ` +
        'holding only no-data, gives no-data.',
      categories,
      parameters: [required('data', 'An array of numbers.', NUMBERS_ARRAY), ignoreNodata('computation')],
      returns: { description: 'The computed value, or no-data.', schema: NUMBER_OR_NULL },
    },
    run: (args) => {
      const values = numbersOf(args);
      return values === null || values.length === 0 ? null : fn(values);
    },
  };
}

const extreme = (pick: (a: number, b: number) => number) => (values: number[]) => {
  let r = values[0];
  for (const v of values) {
    if (Number.isNaN(v)) return NaN;
    r = pick(r, v);
  }
  return r;
};

function median(values: number[]): number {
  if (values.some(Number.isNaN)) return NaN;
  const s = sortedNumbers(values);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function quantiles(args: ProcessArgs, limits: ProcessLimits): (number | null)[] {
  const hasP = args.has('probabilities') && args.get('probabilities') !== null;
  const hasQ = args.has('q') && args.get('q') !== null;
  if (!hasP && !hasQ) throw processException('quantiles', 'QuantilesParameterMissing', "The process 'quantiles' requires either the 'probabilities' or 'q' parameter to be set.");
  if (hasP && hasQ) throw processException('quantiles', 'QuantilesParameterConflict', "The process 'quantiles' only allows that either the 'probabilities' or the 'q' parameter is set.");
  const given = hasP ? args.get('probabilities') : args.integer('q');
  let probabilities: number[];
  if (typeof given === 'number') {
    if (!Number.isInteger(given) || given < 2) args.invalid(hasP ? 'probabilities' : 'q', 'the number of intervals must be an integer of at least 2.');
    checkArraySize(limits, 'quantiles', hasP ? 'probabilities' : 'q', given - 1);
    probabilities = Array.from({ length: given - 1 }, (_, i) => (i + 1) / given);
  } else if (Array.isArray(given) && given.every((p) => typeof p === 'number' && p >= 0 && p <= 1)) {
    probabilities = given as number[];
    if (probabilities.some((p, i) => i > 0 && p < probabilities[i - 1])) {
      throw processException('quantiles', 'AscendingProbabilitiesRequired', 'The values passed for parameter `probabilities` must be sorted in ascending order.');
    }
  } else {
    return args.invalid('probabilities', 'expected a list of probabilities between 0 and 1, or an integer of at least 2.');
  }
  const values = numbersOf(args);
  if (values === null || values.length === 0) return probabilities.map(() => null);
  if (values.some(Number.isNaN)) return probabilities.map(() => NaN);
  const sorted = sortedNumbers(values);
  return probabilities.map((p) => quantileType7(sorted, p));
}

export const statisticsProcesses: readonly ProcessDefinition[] = [
  reducer('max', 'Maximum value', 'Returns the largest number of the array; NaN anywhere gives NaN.', ['math', 'math > statistics', 'reducer'], extreme(Math.max)),
  reducer('min', 'Minimum value', 'Returns the smallest number of the array; NaN anywhere gives NaN.', ['math', 'math > statistics', 'reducer'], extreme(Math.min)),
  reducer('mean', 'Arithmetic mean (average)', 'Returns the sum of the numbers divided by how many there are.', ['math > statistics', 'reducer'], (v) => sumOf(v) / v.length),
  reducer('median', 'Statistical median', 'Returns the middle value of the sorted numbers, or the mean of the two middle values for an even count.', ['math > statistics', 'reducer'], median),
  reducer('sum', 'Compute the sum by adding up numbers', 'Adds up all numbers of the array.', ['math', 'reducer'], sumOf),
  reducer('product', 'Compute the product by multiplying numbers', 'Multiplies all numbers of the array with each other.', ['math', 'reducer'], (v) => v.reduce((a, b) => a * b, 1)),
  reducer('variance', 'Variance', 'Returns the sample variance: the sum of squared deviations from the mean, divided by the count minus one.', ['math > statistics', 'reducer'], sampleVariance),
  reducer('sd', 'Standard deviation', 'Returns the sample standard deviation, the square root of the sample variance.', ['math > statistics', 'reducer'], (v) => Math.sqrt(sampleVariance(v))),
  {
    spec: {
      id: 'quantiles',
      summary: 'Quantiles',
      description:
        'Computes sample quantiles with linear interpolation between the closest ranks (type 7 of Hyndman and Fan, ' +
        'the default of numpy and R), either at the given ascending `probabilities` or, if an integer n is given, at ' +
        'the n-1 cut points that split the data into n equally likely intervals. Without any value left the result ' +
        'holds one no-data value per requested quantile; any NaN makes every quantile NaN. Throws ' +
        '`QuantilesParameterMissing` / `QuantilesParameterConflict` if neither or both of `probabilities` and `q` are set.',
      categories: ['math > statistics'],
      parameters: [
        required('data', 'An array of numbers.', NUMBERS_ARRAY),
        optional(
          'probabilities',
          'Ascending probabilities between 0 and 1, or the number of equal intervals (q-quantiles).',
          [
            { title: 'List of probabilities', type: 'array', uniqueItems: true, items: { type: 'number', minimum: 0, maximum: 1 } },
            { title: 'Number of intervals (q-quantiles)', type: 'integer', minimum: 2 },
          ],
          undefined,
        ),
        { ...optional('q', 'Deprecated: the number of equal intervals; use `probabilities` instead.', { type: 'integer', minimum: 2 }, undefined), deprecated: true },
        ignoreNodata('computation'),
      ],
      returns: { description: 'One value per probability (or q-1 values).', schema: { type: 'array', items: NUMBER_OR_NULL } },
      exceptions: {
        QuantilesParameterMissing: { message: "The process 'quantiles' requires either the 'probabilities' or 'q' parameter to be set." },
        QuantilesParameterConflict: { message: "The process 'quantiles' only allows that either the 'probabilities' or the 'q' parameter is set." },
        AscendingProbabilitiesRequired: { message: 'The values passed for parameter `probabilities` must be sorted in ascending order.' },
      },
    },
    run: (args, ctx) => quantiles(args, ctx.limits),
  },
  {
    spec: {
      id: 'extrema',
      summary: 'Minimum and maximum values',
      description:
        'Returns the smallest and the largest number of the array as a pair [min, max]. NaN anywhere gives [NaN, NaN]; ' +
        'an array without values, or a no-data value with `ignore_nodata` set to `false`, gives two no-data values.',
      categories: ['math > statistics'],
      parameters: [required('data', 'An array of numbers.', NUMBERS_ARRAY), ignoreNodata('computation')],
      returns: {
        description: 'The pair [min, max].',
        schema: [
          { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' } },
          { type: 'array', minItems: 2, maxItems: 2, items: { type: 'null' } },
        ],
      },
    },
    run: (args) => {
      const values = numbersOf(args);
      if (values === null || values.length === 0) return [null, null];
      return [extreme(Math.min)(values), extreme(Math.max)(values)];
    },
  },
];
