/**
 * array_apply and sort: the array processes apply_dimension callbacks typically need to transform a whole series
 * (e.g. `x - mean(data)` for every element, or the sorted values).
 */
import type { ProcessDefinition } from '../process-graph/types.ts';
import { mapInTurn } from '../async.ts';
import { labelsOf, withLabels } from './labeled-array.ts';
import { ANY, ANY_ARRAY, optional, required } from './spec-helpers.ts';

const SORTABLE = {
  anyOf: [
    { type: 'number' },
    { type: 'null' },
    { type: 'string', format: 'date-time', subtype: 'date-time' },
    { type: 'string', format: 'date', subtype: 'date' },
  ],
};

/** Milliseconds of a date or date-time (UTC when the zone is missing), so that offsets compare correctly. */
const instant = (s: string): number => Date.parse(s.includes('T') && !/(Z|[+-]\d{2}(:?\d{2})?)$/i.test(s) ? `${s}Z` : s);

export const arrayApplySortProcesses: readonly ProcessDefinition[] = [
  {
    spec: {
      id: 'array_apply',
      summary: 'Apply a process to each array element',
      description:
        'Calls the process for every element of the array (a map) with the element as `x`, its zero-based `index`, ' +
        'its `label` (labeled arrays only, otherwise `null`) and `context`, and returns the results in the same order. ' +
        'A labeled array keeps its labels.',
      categories: ['arrays'],
      parameters: [
        required('data', 'An array.', ANY_ARRAY),
        required('process', 'The process applied to each element; it returns the new value.', {
          type: 'object',
          subtype: 'process-graph',
          parameters: [
            { name: 'x', description: 'The element.', schema: ANY },
            { name: 'index', description: 'The zero-based index of the element.', schema: { type: 'integer', minimum: 0 } },
            { name: 'label', description: 'The label of the element (labeled arrays), otherwise `null`.', schema: [{ type: 'number' }, { type: 'string' }, { type: 'null' }], optional: true, default: null },
            { name: 'context', description: 'The `context` passed to array_apply.', schema: ANY, optional: true, default: null },
          ],
          returns: { description: 'The new value.', schema: ANY },
        }),
        optional('context', 'Additional data passed to the process.', ANY, null),
      ],
      returns: { description: 'The array of the computed values, as long as the input.', schema: ANY_ARRAY },
    },
    run: (args, ctx) => {
      const data = args.array('data');
      const process = args.callback('process');
      const context = args.get('context') ?? null;
      const labels = labelsOf(data);
      const params = (x: unknown, index: number) => ({ x, index, label: labels ? labels[index] : null, context });
      const done = (values: unknown[]) => (labels ? withLabels(values, labels) : values);
      // synchronous where the caller offers it (callbacks run per pixel)
      if (process.callSync) return done(data.map((x, i) => process.callSync!(params(x, i))));
      return mapInTurn(data, (x, i) => process.call(params(x, i), ctx.signal)).then(done);
    },
  },
  {
    spec: {
      id: 'sort',
      summary: 'Sort data',
      description:
        'Sorts numbers, or dates and date-times (compared as instants), in ascending order or, with `asc` set to ' +
        '`false`, in descending order. No-data values are removed by default (`nodata` = `null`), moved to the end ' +
        '(`true`) or to the start (`false`). NaN sorts after every number. The ordering of ties is unspecified.',
      categories: ['arrays', 'sorting'],
      parameters: [
        required('data', 'An array of numbers, dates or date-times, and no-data values.', { type: 'array', items: SORTABLE }),
        optional('asc', '`true` (the default) sorts ascending, `false` descending.', { type: 'boolean' }, true),
        optional('nodata', '`null` removes no-data values, `true` moves them to the end, `false` to the start.', { type: ['boolean', 'null'] }, null),
      ],
      returns: { description: 'The sorted array.', schema: { type: 'array', items: SORTABLE } },
    },
    run: (args) => {
      const data = args.array('data');
      const asc = args.optionalBoolean('asc', true);
      const nodata = args.get('nodata') ?? null;
      if (nodata !== null && typeof nodata !== 'boolean') args.invalid('nodata', 'expected true, false or null.');
      const present = data.filter((v) => v !== null);
      const numbers = present.every((v) => typeof v === 'number');
      if (!numbers && !present.every((v) => typeof v === 'string' && Number.isFinite(instant(v)))) {
        args.invalid('data', 'expected numbers, or dates and date-times, and no-data values.');
      }
      const key = (v: unknown) => (numbers ? (v as number) : instant(v as string));
      const order = (a: unknown, b: unknown) => {
        const x = key(a);
        const y = key(b);
        if (Number.isNaN(x) || Number.isNaN(y)) return Number(Number.isNaN(x)) - Number(Number.isNaN(y));
        return asc ? x - y : y - x;
      };
      const sorted = present.sort(order);
      const nulls = new Array<null>(data.length - present.length).fill(null);
      return nodata === null ? sorted : nodata ? [...sorted, ...nulls] : [...nulls, ...sorted];
    },
  },
];
