import { isoLabel } from '../../catalog/index.ts';
import { cube, type CubeMeta } from '../../datacube/types.ts';
import { checkArraySize } from '../../process-graph/limits.ts';
import type { ProcessDefinition } from '../../process-graph/index.ts';
import { processException } from '../../process-graph/errors.ts';
import { CUBE, cubeArg, dimensionKind, dimensionNames } from './common.ts';

const renameLabels: ProcessDefinition = {
  spec: {
    id: 'rename_labels',
    summary: 'Rename dimension labels',
    description: 'Renames the labels of the bands or time dimension: `source[i]` becomes `target[i]`, or, without `source`, label i becomes `target[i]`. New time labels must be ISO 8601 dates or date-times (or the step indices 0..n-1); they are kept as UTC date-times.',
    categories: ['cubes'],
    parameters: [
      { name: 'data', description: 'The data cube.', schema: CUBE },
      { name: 'dimension', description: 'The dimension whose labels are renamed.', schema: { type: 'string' } },
      { name: 'target', description: 'The new labels.', schema: { type: 'array', items: { type: ['number', 'string'] } } },
      { name: 'source', description: 'The labels to rename; empty means all, in order.', schema: { type: 'array', items: { type: ['number', 'string'] } }, optional: true, default: [] },
    ],
    returns: { description: 'The cube with renamed labels.', schema: CUBE },
  },
  run(args) {
    const data = cubeArg(args, 'data');
    const kind = dimensionKind('rename_labels', data.meta, args.string('dimension'));
    if (kind !== 'bands' && kind !== 'time') args.invalid('dimension', 'the labels of a spatial dimension are its coordinates and cannot be renamed; bands and time labels can.');
    const labels = [...(kind === 'time' ? data.meta.time! : data.meta.bands!).labels];
    const target = args.array('target').map(String);
    const source = ((args.get('source') as unknown[] | null) ?? []).map(String);
    if (source.length === 0) {
      if (target.length !== labels.length) throw processException('rename_labels', 'LabelMismatch', `Expected ${labels.length} target labels, got ${target.length}.`);
      labels.splice(0, labels.length, ...target);
    } else {
      if (source.length !== target.length) throw processException('rename_labels', 'LabelMismatch', 'source and target must have the same length.');
      // positions among the labels as they were: renaming one after the other, a swap (source [a, b], target [b, a])
      // found the label it had just written and renamed it back
      const before = [...labels];
      source.forEach((s, i) => {
        const at = before.indexOf(s);
        if (at < 0) throw processException('rename_labels', 'LabelNotAvailable', `The label '${s}' does not exist.`);
        labels[at] = target[i];
      });
    }
    if (new Set(labels).size !== labels.length) throw processException('rename_labels', 'LabelExists', 'The renamed labels are not unique.');
    if (kind === 'time') {
      if (labels.every((l, i) => l === String(i))) return cube({ ...data.meta, time: { ...data.meta.time!, labels } }, data.node);
      // Time labels are kept in the catalog's form (UTC, `Z`): merge_cubes matches steps by label, and filters and
      // aggregation parse labels with Date.parse, which reads a date-time without a zone as local time.
      const instants = labels.map((l) => {
        const ms = instantOf(l);
        return ms === undefined ? args.invalid('target', `time labels must be ISO 8601 dates or date-times, got ${JSON.stringify(l)}.`) : isoLabel(ms);
      });
      if (new Set(instants).size !== instants.length) throw processException('rename_labels', 'LabelExists', 'Two time labels name the same instant.');
      return cube({ ...data.meta, time: { ...data.meta.time!, labels: instants } }, data.node);
    }
    return cube({ ...data.meta, bands: { ...data.meta.bands!, labels } }, data.node);
  },
};

/** Milliseconds of an ISO 8601 date or date-time on the calendar (UTC when it has no zone); undefined otherwise. */
function instantOf(label: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/.exec(label);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  // Date.parse rolls 2024-02-30 over to March 1st: the day must exist in its month
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > daysInMonth(Number(y), Number(mo))) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const offset = /^[+-]\d{4}$/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone.toUpperCase();
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${offset}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** setUTCFullYear, unlike Date.UTC, does not read the years 0-99 as 1900-1999. */
const daysInMonth = (year: number, month: number): number => new Date(new Date(0).setUTCFullYear(year, month, 0)).getUTCDate();

const renameDimension: ProcessDefinition = {
  spec: {
    id: 'rename_dimension',
    summary: 'Rename a dimension',
    description: 'Gives a dimension a new name.',
    categories: ['cubes'],
    parameters: [
      { name: 'data', description: 'The data cube.', schema: CUBE },
      { name: 'source', description: 'The current name.', schema: { type: 'string' } },
      { name: 'target', description: 'The new name.', schema: { type: 'string' } },
    ],
    returns: { description: 'The cube with the renamed dimension.', schema: CUBE },
  },
  run(args) {
    const data = cubeArg(args, 'data');
    const source = args.string('source');
    const target = args.string('target');
    const kind = dimensionKind('rename_dimension', data.meta, source);
    if (dimensionNames(data.meta).includes(target)) throw processException('rename_dimension', 'DimensionExists', `A dimension '${target}' exists already.`);
    const m: CubeMeta = { ...data.meta };
    if (kind === 'time') m.time = { ...m.time!, name: target };
    else if (kind === 'bands') m.bands = { ...m.bands!, name: target };
    else if (kind === 'x') m.x = target;
    else m.y = target;
    return cube(m, data.node);
  },
};

const dropDimension: ProcessDefinition = {
  spec: {
    id: 'drop_dimension',
    summary: 'Remove a dimension',
    description: 'Removes a dimension that has exactly one label.',
    categories: ['cubes'],
    parameters: [
      { name: 'data', description: 'The data cube.', schema: CUBE },
      { name: 'name', description: 'The dimension to drop.', schema: { type: 'string' } },
    ],
    returns: { description: 'The cube without the dimension.', schema: CUBE },
  },
  run(args) {
    const data = cubeArg(args, 'data');
    const kind = dimensionKind('drop_dimension', data.meta, args.string('name'));
    if (kind === 'x' || kind === 'y') throw processException('drop_dimension', 'DimensionLabelCountMismatch', 'Spatial dimensions cannot be dropped.');
    const labels = kind === 'time' ? data.meta.time!.labels : data.meta.bands!.labels;
    if (labels.length !== 1) throw processException('drop_dimension', 'DimensionLabelCountMismatch', `The dimension has ${labels.length} labels; only a dimension with one label can be dropped.`);
    return cube({ ...data.meta, ...(kind === 'time' ? { time: undefined } : { bands: undefined }) }, data.node);
  },
};

const dimensionLabels: ProcessDefinition = {
  spec: {
    id: 'dimension_labels',
    summary: 'Get the dimension labels',
    description: 'Returns the labels of a dimension; for x and y the pixel-centre coordinates.',
    categories: ['cubes'],
    parameters: [
      { name: 'data', description: 'The data cube.', schema: CUBE },
      { name: 'dimension', description: 'The dimension name.', schema: { type: 'string' } },
    ],
    returns: { description: 'The labels.', schema: { type: 'array', items: { type: ['number', 'string'] } } },
  },
  run(args, ctx) {
    const data = cubeArg(args, 'data');
    const kind = dimensionKind('dimension_labels', data.meta, args.string('dimension'));
    const g = data.meta.grid;
    if (kind === 'time') return [...data.meta.time!.labels];
    if (kind === 'bands') return [...data.meta.bands!.labels];
    const n = kind === 'x' ? g.width : g.height;
    checkArraySize(ctx.limits, 'dimension_labels', 'dimension', n);
    const [a, , c, , e, f] = g.transform;
    return Array.from({ length: n }, (_, i) => (kind === 'x' ? c + a * (i + 0.5) : f + e * (i + 0.5)));
  },
};

export const dimensionProcesses: ProcessDefinition[] = [renameLabels, renameDimension, dropDimension, dimensionLabels];
