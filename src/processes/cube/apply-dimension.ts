import { arrayElements, graphToJson, subgraph } from '../../datacube/callback-json.ts';
import { cube, type CallbackSpec, type CubeMeta, type CubeNode, type DataCube } from '../../datacube/types.ts';
import { OpenEOError } from '../../errors.ts';
import type { Callback, ProcessDefinition } from '../../process-graph/index.ts';
import { withLabels, type Label } from '../labeled-array.ts';
import { CONTEXT_PARAM, CUBE, callbackSchema, callbackSpec, cubeArg, dimensionKind } from './common.ts';

/**
 * apply_dimension along time or bands, and along x or y when the callback keeps the length. Per-pixel expressions over the bands (a final `array_create` of them, or a
 * single value) run as compiled band reductions; everything else runs the callback per pixel on the whole series
 * (the chunk evaluator's `apply_dimension` node), its output length fixed by calling it once while planning.
 */
const applyDimension: ProcessDefinition = {
  spec: {
    id: 'apply_dimension',
    summary: 'Apply a process to all values along a dimension',
    description:
      'Runs a callback on the values along a dimension (`data`, a labeled array: one pixel\'s time series or band ' +
      'values, no-data as `null`) and puts the array it returns in place of that dimension. The labels stay when the ' +
      'callback returns as many values as there are labels and no other target dimension is given; otherwise they ' +
      'become the integers 0 to n-1. With `target_dimension` the source dimension is dropped and the values go to that ' +
      'dimension: an existing one must have a single label; a new one (type `other`) takes the source\'s place. ' +
      'Works along the temporal and the bands dimension; callbacks that are not per-pixel expressions over the bands ' +
      'run pixel by pixel, which is much slower than the vectorized kernels. Along `x` and `y` the callback receives ' +
      'each whole row (column) of the extent, labeled with the pixel-centre coordinates, and must return as many ' +
      'values, in the same dimension; both at once need the whole grid in one piece, which limits the extent. The ' +
      'callback must return the same number of values for every pixel (row, column): one that drops no-data values, ' +
      'such as `sort` with `nodata` `null` (its default), fails with ProcessParameterInvalid where a series has ' +
      'no-data (the values are not padded); `sort` with `nodata` `true` or `false` keeps them, last or first.',
    categories: ['cubes'],
    parameters: [
      { name: 'data', description: 'A data cube.', schema: CUBE },
      {
        name: 'process',
        description: 'The callback; receives the values along the dimension as `data`.',
        schema: callbackSchema([
          { name: 'data', description: 'A labeled array of the values along the dimension.', schema: { type: 'array', subtype: 'labeled-array', items: { description: 'Any data type.' } } },
          { name: 'context', description: 'Additional data.', optional: true },
        ]),
      },
      { name: 'dimension', description: 'The dimension to apply the process along.', schema: { type: 'string' } },
      {
        name: 'target_dimension',
        description: 'The dimension that receives the values, or `null` (the default) for the source dimension. Another name drops the source dimension; a dimension of that name is created (type `other`) if it does not exist.',
        schema: { type: ['string', 'null'] },
        optional: true,
        default: null,
      },
      CONTEXT_PARAM,
    ],
    returns: { description: 'The cube with the dimension replaced.', schema: CUBE },
    exceptions: { DimensionNotAvailable: { message: 'A dimension with the specified name does not exist.' } },
  },
  async run(args, ctx) {
    const data = cubeArg(args, 'data');
    const dimension = args.string('dimension');
    const kind = dimensionKind('apply_dimension', data.meta, dimension);
    const target = (args.get('target_dimension') ?? null) as string | null;
    const cb = args.callback('process');
    const context = args.get('context') ?? null;
    if (kind === 'x' || kind === 'y') return alongSpace(data, kind, dimension, target, cb, context, ctx.signal);
    const source = kind === 'time' ? data.meta.time! : data.meta.bands!;
    const same = target === null || target === dimension;
    if (kind === 'bands' && same) {
      const targets = arrayElements(cb.graph);
      if (targets) return bandsByExpression(data, cb, targets, context);
    }
    // The cube's shape is fixed now: the callback tells how many values it gives for a series of this length.
    const probe = await probeLength(cb, source.labels, context, ctx.signal);
    if (kind === 'bands' && same && !Array.isArray(probe)) return bandsByExpression(data, cb, [cb.graph.resultId], context);
    const size = Array.isArray(probe) ? probe.length : 1;
    if (size === 0) throw new OpenEOError('ProcessParameterInvalid', 'apply_dimension: the callback must return an array with at least one element.');
    const indices = Array.from({ length: size }, (_, i) => String(i));
    const meta: CubeMeta = { ...data.meta, dtype: data.meta.dtype === 'float64' ? 'float64' : 'float32' };
    let into: 'time' | 'bands' = kind;
    if (same) {
      meta[kind] = { name: source.name, labels: size === source.labels.length ? [...source.labels] : indices };
    } else if (![data.meta.time?.name, data.meta.bands?.name, data.meta.x, data.meta.y].includes(target)) {
      // a new dimension of type other takes the source's place
      meta[kind] = { name: target, labels: indices };
    } else {
      const existing = dimensionKind('apply_dimension', data.meta, target);
      if (existing === 'x' || existing === 'y') throw new OpenEOError('FeatureUnsupported', 'apply_dimension cannot write into a spatial dimension.');
      const dim = existing === 'time' ? data.meta.time! : data.meta.bands!;
      if (dim.labels.length !== 1) {
        throw new OpenEOError('ProcessParameterInvalid', `apply_dimension: the target dimension '${target}' exists with ${dim.labels.length} labels; it must have a single label.`);
      }
      into = existing;
      meta[kind] = undefined;
      meta[existing] = { name: dim.name, labels: indices };
    }
    const node: CubeNode = { op: 'apply_dimension', input: data.node, callback: callbackSpec(cb, context), source: kind, target: into, labels: [...source.labels], size };
    return cube(meta, node);
  },
};

/**
 * apply_dimension along x or y: each row (column) of the cube, labeled with its pixel-centre coordinates, is replaced
 * by what the callback returns for it. Only callbacks that return as many values as they get are possible: the grid
 * keeps its coordinates, so the values must stay on the same dimension with the same length.
 */
async function alongSpace(data: DataCube, axis: 'x' | 'y', dimension: string, target: string | null, cb: Callback, context: unknown, signal: AbortSignal): Promise<DataCube> {
  const { grid } = data.meta;
  if (target !== null && target !== dimension) {
    throw new OpenEOError(
      'FeatureUnsupported',
      `apply_dimension along the spatial dimension '${dimension}' cannot put the values into '${target}': the grid would lose its ${axis} coordinates. Leave target_dimension null (or '${dimension}').`,
    );
  }
  const count = axis === 'x' ? grid.width : grid.height;
  const [a, , c, , e, f] = grid.transform;
  const labels = Array.from({ length: count }, (_, i) => (axis === 'x' ? c + a * (i + 0.5) : f + e * (i + 0.5)));
  const probe = await probeLength(cb, labels, context, signal);
  if (!Array.isArray(probe) || probe.length !== count) {
    const got = Array.isArray(probe) ? `${probe.length} values` : 'a single value';
    throw new OpenEOError(
      'FeatureUnsupported',
      `apply_dimension along the spatial dimension '${dimension}': the callback returns ${got} for ${count} ${axis} coordinates. Along x and y only callbacks returning as many values as they receive are supported: the grid would lose its coordinates otherwise.`,
    );
  }
  const meta: CubeMeta = { ...data.meta, dtype: data.meta.dtype === 'float64' ? 'float64' : 'float32' };
  return cube(meta, { op: 'apply_dimension', input: data.node, callback: callbackSpec(cb, context), source: axis, target: axis, labels, size: count });
}

/**
 * What the callback returns for a series of numbers, or, if it refuses numbers (e.g. it expects booleans), for a
 * series of no-data values. Lengths depend on the number of labels only for the processes we offer.
 */
async function probeLength(cb: Callback, labels: readonly Label[], context: unknown, signal: AbortSignal): Promise<unknown> {
  try {
    return await cb.call({ data: withLabels(labels.map((_, i) => i + 1), labels), context }, signal);
  } catch (numbers) {
    try {
      return await cb.call({ data: withLabels(labels.map(() => null), labels), context }, signal);
    } catch {
      throw numbers;
    }
  }
}

/**
 * apply_dimension over bands with per-pixel expressions: each expression becomes a band computed like a
 * reduce_dimension callback over the input bands (compiled to a vectorized kernel where possible), and the bands are
 * merged side by side.
 */
function bandsByExpression(data: DataCube, cb: Callback, targets: string[], context: unknown): DataCube {
  const json = graphToJson(cb.graph);
  const input = data.meta.bands!.labels;
  const labels = targets.length === input.length ? [...input] : targets.map((_, i) => String(i));
  const callbackFor = (nodeId: string): CallbackSpec => ({ graph: subgraph(json, nodeId), parameterNames: [...cb.parameterNames], context });
  let node: CubeNode | undefined;
  let have = 0;
  for (const id of targets) {
    const band: CubeNode = { op: 'reduce_bands', input: data.node, callback: callbackFor(id), labels: input };
    node = node
      ? {
          op: 'merge',
          a: node,
          b: band,
          bandMap: [...Array.from({ length: have }, (_, i) => ({ from: 'a' as const, a: i })), { from: 'b' as const, b: 0 }],
          timeMap: (data.meta.time?.labels ?? ['#']).map((_, t) => ({ a: t, b: t })),
        }
      : band;
    have++;
  }
  return cube({ ...data.meta, bands: { name: data.meta.bands!.name, labels }, dtype: 'float32' }, node!);
}

export const applyDimensionProcesses: ProcessDefinition[] = [applyDimension];
