import { cube, type CubeMeta, type DType } from '../../datacube/types.ts';
import type { ProcessDefinition } from '../../process-graph/index.ts';
import { simpleCall } from '../../process-graph/callback-shape.ts';
import { processException } from '../../process-graph/errors.ts';
import { CONTEXT_PARAM, CUBE, callbackSchema, callbackSpec, cubeArg, dimensionKind } from './common.ts';
import { planReduceDimension } from './pushdown.ts';

/** The value type after a reducer: order statistics keep the input type, everything else becomes float. */
function reducedType(graph: Parameters<typeof simpleCall>[0], input: DType): DType {
  const call = simpleCall(graph);
  if (call && ['max', 'min', 'first', 'last', 'median'].includes(call.processId)) return input;
  if (call && call.processId === 'count') return 'uint32';
  return input === 'float64' ? 'float64' : 'float32';
}

const apply: ProcessDefinition = {
  spec: {
    id: 'apply',
    summary: 'Apply a process to each value',
    description: 'Runs a unary callback on every value of the cube; the cube keeps its dimensions and labels.',
    categories: ['cubes'],
    parameters: [
      { name: 'data', description: 'A data cube.', schema: CUBE },
      {
        name: 'process',
        description: 'The callback applied to each value `x`.',
        schema: callbackSchema([{ name: 'x', description: 'The value to process.' }, { name: 'context', description: 'Additional data.', optional: true }]),
      },
      CONTEXT_PARAM,
    ],
    returns: { description: 'A data cube of the same shape.', schema: CUBE },
  },
  run(args) {
    const data = cubeArg(args, 'data');
    const cb = args.callback('process');
    return cube({ ...data.meta, dtype: 'float32' }, { op: 'apply', input: data.node, callback: callbackSpec(cb, args.get('context')) });
  },
};

const reduceDimension: ProcessDefinition = {
  spec: {
    id: 'reduce_dimension',
    summary: 'Reduce dimensions',
    description:
      'Reduces a dimension to a single value per pixel with a reducer callback that receives the values along the ' +
      'dimension as a labeled array `data`. The dimension is removed. Simple reducers over time (max, min, sum, mean, ' +
      'count, first, last) stream over the time steps, so memory does not grow with their number. Any other reducer ' +
      'over the scalar and array processes works too; those the vectorized kernels do not cover run pixel by pixel ' +
      '(much slower).',
    categories: ['cubes', 'reducer'],
    parameters: [
      { name: 'data', description: 'A data cube.', schema: CUBE },
      {
        name: 'reducer',
        description: 'The reducer callback.',
        schema: callbackSchema([
          { name: 'data', description: 'A labeled array of the values along the dimension.', schema: { type: 'array', subtype: 'labeled-array', items: { description: 'Any data type.' } } },
          { name: 'context', description: 'Additional data.', optional: true },
        ]),
      },
      { name: 'dimension', description: 'The name of the dimension to reduce.', schema: { type: 'string' } },
      CONTEXT_PARAM,
    ],
    returns: { description: 'The cube without the reduced dimension.', schema: CUBE },
    exceptions: { DimensionNotAvailable: { message: 'A dimension with the specified name does not exist.' } },
  },
  run(args) {
    const data = cubeArg(args, 'data');
    const cb = args.callback('reducer');
    const kind = dimensionKind('reduce_dimension', data.meta, args.string('dimension'));
    const spec = callbackSpec(cb, args.get('context'));
    if (kind === 'time') {
      const meta: CubeMeta = { ...data.meta, time: undefined, dtype: reducedType(cb.graph, data.meta.dtype) };
      return cube(meta, { op: 'reduce_time', input: data.node, callback: spec, labels: data.meta.time!.labels });
    }
    if (kind === 'bands') {
      const meta: CubeMeta = { ...data.meta, bands: undefined, dtype: 'float32' };
      return cube(meta, { op: 'reduce_bands', input: data.node, callback: spec, labels: data.meta.bands!.labels });
    }
    throw processException('reduce_dimension', 'DimensionNotAvailable', 'Reducing a spatial dimension is not supported; use aggregate_spatial.');
  },
  plan: planReduceDimension,
};

export const applyReduceProcesses: ProcessDefinition[] = [apply, reduceDimension];
