import { isoLabel } from '../../catalog/index.ts';
import { cube } from '../../datacube/types.ts';
import type { ProcessDefinition } from '../../process-graph/index.ts';
import { processException } from '../../process-graph/errors.ts';
import { CONTEXT_PARAM, CUBE, callbackSchema, callbackSpec, cubeArg, dimensionKind } from './common.ts';

export const PERIODS = ['hour', 'day', 'week', 'dekad', 'month', 'season', 'tropical-season', 'year', 'decade', 'decade-ad'] as const;
export type Period = (typeof PERIODS)[number];

const utc = (y: number, m: number, d = 1, h = 0) => Date.UTC(y, m, d, h);

/** Start (ms, UTC) of the calendar period containing `ms`. */
export function periodStart(ms: number, period: Period): number {
  const t = new Date(ms);
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth();
  const d = t.getUTCDate();
  switch (period) {
    case 'hour':
      return utc(y, m, d, t.getUTCHours());
    case 'day':
      return utc(y, m, d);
    case 'week': {
      // ISO weeks start on Monday.
      const day = (t.getUTCDay() + 6) % 7;
      return utc(y, m, d - day);
    }
    case 'dekad':
      return utc(y, m, d <= 10 ? 1 : d <= 20 ? 11 : 21);
    case 'month':
      return utc(y, m);
    case 'season': {
      // DJF, MAM, JJA, SON: December belongs to the next year's winter.
      const start = Math.floor(((m + 1) % 12) / 3) * 3 - 1;
      return start < 0 ? utc(m === 11 ? y : y - 1, 11) : utc(y, start);
    }
    case 'tropical-season':
      // NDJFMA and MJJASO.
      return m >= 4 && m <= 9 ? utc(y, 4) : utc(m >= 10 ? y : y - 1, 10);
    case 'year':
      return utc(y, 0);
    case 'decade':
      return utc(Math.floor(y / 10) * 10, 0);
    case 'decade-ad':
      return utc(Math.floor((y - 1) / 10) * 10 + 1, 0);
  }
}

/** Start of the period after the one starting at `start`. */
export function nextPeriodStart(start: number, period: Period): number {
  const t = new Date(start);
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth();
  const d = t.getUTCDate();
  switch (period) {
    case 'hour':
      return start + 3_600_000;
    case 'day':
      return utc(y, m, d + 1);
    case 'week':
      return utc(y, m, d + 7);
    case 'dekad':
      return d === 1 ? utc(y, m, 11) : d === 11 ? utc(y, m, 21) : utc(y, m + 1);
    case 'month':
      return utc(y, m + 1);
    case 'season':
      return utc(y, m + 3);
    case 'tropical-season':
      return utc(y, m + 6);
    case 'year':
      return utc(y + 1, 0);
    case 'decade':
    case 'decade-ad':
      return utc(y + 10, 0);
  }
}

const aggregateTemporalPeriod: ProcessDefinition = {
  spec: {
    id: 'aggregate_temporal_period',
    summary: 'Temporal aggregations based on calendar hierarchies',
    description:
      'Groups the time steps by calendar period (hour, day, ISO week, dekad, month, season, tropical season, year, ' +
      'decade) and reduces each group with the reducer. Labels are the start instants of the periods (not the ' +
      "specification's period names such as `2023-08`: time labels here are instants); every period from the first " +
      'to the last with data is there, those without data hold no-data.',
    categories: ['aggregate', 'climatology', 'cubes'],
    parameters: [
      { name: 'data', description: 'A data cube with a temporal dimension.', schema: { ...CUBE, dimensions: [{ type: 'temporal' }] } },
      { name: 'period', description: 'The calendar period.', schema: { type: 'string', enum: [...PERIODS] } },
      {
        name: 'reducer',
        description: 'Reduces the values of one period.',
        schema: callbackSchema([
          { name: 'data', description: 'The values of the period.', schema: { type: 'array', subtype: 'labeled-array', items: { description: 'Any data type.' } } },
          { name: 'context', description: 'Additional data.', optional: true },
        ]),
      },
      { name: 'dimension', description: 'The temporal dimension; null for the only one.', schema: { type: ['string', 'null'] }, optional: true, default: null },
      CONTEXT_PARAM,
    ],
    returns: { description: 'The aggregated cube.', schema: { ...CUBE, dimensions: [{ type: 'temporal' }] } },
  },
  run(args, ctx) {
    const data = cubeArg(args, 'data');
    const dim = args.get('dimension') as string | null;
    if (dim !== null && dim !== undefined && dimensionKind('aggregate_temporal_period', data.meta, dim) !== 'time') {
      args.invalid('dimension', `'${dim}' is not a temporal dimension.`);
    }
    const time = data.meta.time;
    if (!time) throw processException('aggregate_temporal_period', 'DimensionNotAvailable', 'The data cube has no temporal dimension.');
    const period = args.string('period') as Period;
    if (!PERIODS.includes(period)) args.invalid('period', `must be one of ${PERIODS.join(', ')}.`);
    const groups = new Map<number, number[]>();
    time.labels.forEach((l, i) => {
      const start = periodStart(Date.parse(l), period);
      groups.set(start, [...(groups.get(start) ?? []), i]);
    });
    // every period between the first and the last one with data: a period without observations is no-data, not
    // missing (monthly stacks of different cubes line up, and a filter on a month finds it)
    const starts: number[] = [];
    const last = Math.max(...groups.keys());
    for (let p = Math.min(...groups.keys()); p <= last; p = nextPeriodStart(p, period)) {
      starts.push(p);
      if (starts.length > ctx.limits.arrayElements) args.invalid('period', `the data spans more than ${ctx.limits.arrayElements} ${period} periods (LIMIT_ARRAY_ELEMENTS).`);
    }
    return cube(
      { ...data.meta, time: { ...time, labels: starts.map(isoLabel) }, dtype: data.meta.dtype.startsWith('float') ? data.meta.dtype : 'float32' },
      { op: 'aggregate_time', input: data.node, groups: starts.map((s) => groups.get(s) ?? []), callback: callbackSpec(args.callback('reducer'), args.get('context')) },
    );
  },
};

const filterLabels: ProcessDefinition = {
  spec: {
    id: 'filter_labels',
    summary: 'Filter dimension labels based on a condition',
    description: 'Keeps the labels of the time or bands dimension for which the condition callback returns true.',
    categories: ['cubes', 'filter'],
    parameters: [
      { name: 'data', description: 'A data cube.', schema: CUBE },
      {
        name: 'condition',
        description: 'Decides per label (`value`) whether it is kept.',
        schema: callbackSchema([
          { name: 'value', description: 'A dimension label.', schema: { type: ['number', 'string'] } },
          { name: 'context', description: 'Additional data.', optional: true },
        ]),
      },
      { name: 'dimension', description: 'The dimension to filter.', schema: { type: 'string' } },
      CONTEXT_PARAM,
    ],
    returns: { description: 'The filtered cube.', schema: CUBE },
  },
  async run(args, ctx) {
    const data = cubeArg(args, 'data');
    const kind = dimensionKind('filter_labels', data.meta, args.string('dimension'));
    if (kind !== 'time' && kind !== 'bands') args.invalid('dimension', 'only the temporal and bands dimensions can be filtered by label.');
    const cb = args.callback('condition');
    const labels = kind === 'time' ? data.meta.time!.labels : data.meta.bands!.labels;
    const keep: number[] = [];
    for (const [i, value] of labels.entries()) {
      const r = await cb.call({ value, context: args.get('context') ?? null }, ctx.signal);
      if (r === true) keep.push(i);
    }
    const kept = keep.map((i) => labels[i]);
    const meta = kind === 'time' ? { ...data.meta, time: { ...data.meta.time!, labels: kept } } : { ...data.meta, bands: { ...data.meta.bands!, labels: kept } };
    return cube(meta, { op: 'select', input: data.node, ...(kind === 'time' ? { times: keep } : { bands: keep }) });
  },
};

export const timeProcesses: ProcessDefinition[] = [aggregateTemporalPeriod, filterLabels];
