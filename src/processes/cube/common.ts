/** Shared pieces of the data cube process specs and implementations. */
import { graphToJson } from '../../datacube/callback-json.ts';
import { isDataCube, type CallbackSpec, type CubeMeta, type DataCube } from '../../datacube/types.ts';
import type { Callback, JsonSchema, ParameterSpec, ProcessArgs } from '../../process-graph/index.ts';
import { processException } from '../../process-graph/errors.ts';

export const CUBE: JsonSchema = { type: 'object', subtype: 'datacube' };
export const ANY_VALUE: JsonSchema = { description: 'Any data type.' };
export const CONTEXT_PARAM: ParameterSpec = {
  name: 'context',
  description: 'Extra data handed unchanged to the callback as its `context` parameter.',
  schema: ANY_VALUE,
  optional: true,
  default: null,
};

export function callbackSchema(parameters: { name: string; description: string; schema?: JsonSchema; optional?: boolean }[]): JsonSchema {
  return {
    type: 'object',
    subtype: 'process-graph',
    parameters: parameters.map((p) => ({ schema: ANY_VALUE, ...p, ...(p.optional ? { default: null } : {}) })),
    returns: { description: 'The computed value.', schema: ANY_VALUE },
  };
}

export function cubeArg(args: ProcessArgs, name: string): DataCube {
  const v = args.get(name);
  if (!isDataCube(v)) return args.invalid(name, 'expected a data cube.');
  return v;
}

export function callbackSpec(cb: Callback, context: unknown): CallbackSpec {
  return { graph: graphToJson(cb.graph), parameterNames: [...cb.parameterNames], context: context ?? null };
}

export type DimKind = 'time' | 'bands' | 'x' | 'y';

/** Which dimension a name refers to, or the openEO DimensionNotAvailable exception. */
export function dimensionKind(processId: string, meta: CubeMeta, name: string): DimKind {
  if (meta.time && meta.time.name === name) return 'time';
  if (meta.bands && meta.bands.name === name) return 'bands';
  if (meta.x === name) return 'x';
  if (meta.y === name) return 'y';
  throw processException(processId, 'DimensionNotAvailable', `A dimension with the name '${name}' does not exist; the cube has ${dimensionNames(meta).join(', ')}.`);
}

export const dimensionNames = (meta: CubeMeta): string[] =>
  [meta.x, meta.y, ...(meta.time ? [meta.time.name] : []), ...(meta.bands ? [meta.bands.name] : [])];
