import { cube, type CubeMeta } from '../../datacube/types.ts';
import { OpenEOError } from '../../errors.ts';
import type { ProcessDefinition } from '../../process-graph/index.ts';
import { processException } from '../../process-graph/errors.ts';
import { sameCrs } from '../../raster/grid/crs.ts';
import type { Grid } from '../../raster/grid/types.ts';
import { widestType } from './load.ts';
import { CONTEXT_PARAM, CUBE, callbackSchema, callbackSpec, cubeArg } from './common.ts';

function sameGrid(a: Grid, b: Grid): boolean {
  return a.width === b.width && a.height === b.height && sameCrs(a.crs, b.crs) && a.transform.every((v, i) => Math.abs(v - b.transform[i]) < 1e-6);
}

const SPATIAL_CUBE = { ...CUBE, dimensions: [{ type: 'spatial', axis: ['x', 'y'] }] };

const mergeCubes: ProcessDefinition = {
  spec: {
    id: 'merge_cubes',
    summary: 'Merge two data cubes',
    description:
      'Combines two cubes on the same grid. Bands of the second cube that the first lacks are appended; where both ' +
      'cubes have a value for the same band and time, the overlap resolver decides (without one, overlaps are an error).',
    categories: ['cubes'],
    parameters: [
      { name: 'cube1', description: 'The base data cube.', schema: CUBE },
      { name: 'cube2', description: 'The other data cube.', schema: CUBE },
      {
        name: 'overlap_resolver',
        description: 'Resolves overlapping values `x` (from cube1) and `y` (from cube2).',
        schema: callbackSchema([
          { name: 'x', description: 'The value from cube1.' },
          { name: 'y', description: 'The value from cube2.' },
          { name: 'context', description: 'Additional data.', optional: true },
        ]),
        optional: true,
        default: null,
      },
      CONTEXT_PARAM,
    ],
    returns: { description: 'The merged data cube.', schema: CUBE },
    exceptions: { OverlapResolverMissing: { message: 'Overlapping data cubes, but no overlap resolver has been specified.' } },
  },
  run(args) {
    const a = cubeArg(args, 'cube1');
    const b = cubeArg(args, 'cube2');
    if (!sameGrid(a.meta.grid, b.meta.grid)) {
      throw new OpenEOError('ProcessParameterInvalid', 'merge_cubes: both cubes must share the same grid (CRS, resolution, extent); resample one with resample_spatial first.');
    }
    if (!!a.meta.bands !== !!b.meta.bands && !!a.meta.time === !!b.meta.time) {
      throw new OpenEOError('ProcessParameterInvalid', 'merge_cubes: one cube has a bands dimension and the other has not.');
    }
    const aBands = a.meta.bands?.labels ?? ['#'];
    const bBands = b.meta.bands?.labels ?? ['#'];
    const aTimes = a.meta.time?.labels ?? ['#'];
    const bTimes = b.meta.time?.labels ?? ['#'];
    if (!!a.meta.time !== !!b.meta.time) {
      throw new OpenEOError('ProcessParameterInvalid', 'merge_cubes: one cube has a temporal dimension and the other has not.');
    }
    const labels = [...aBands, ...bBands.filter((l) => !aBands.includes(l))];
    const times = [...aTimes, ...bTimes.filter((l) => !aTimes.includes(l))].sort();
    const overlapBands = aBands.filter((l) => bBands.includes(l));
    const overlapTimes = aTimes.filter((l) => bTimes.includes(l));
    const resolverCb = args.optionalCallback('overlap_resolver');
    if (overlapBands.length > 0 && overlapTimes.length > 0 && !resolverCb) {
      throw processException('merge_cubes', 'OverlapResolverMissing', `Both cubes have band(s) ${overlapBands.join(', ')} at the same time steps, but no overlap resolver has been specified.`);
    }
    const bandMap = labels.map((l) => {
      const ai = aBands.indexOf(l);
      const bi = bBands.indexOf(l);
      return { from: (ai >= 0 && bi >= 0 ? 'both' : ai >= 0 ? 'a' : 'b') as 'a' | 'b' | 'both', ...(ai >= 0 ? { a: ai } : {}), ...(bi >= 0 ? { b: bi } : {}) };
    });
    const timeMap = times.map((l) => ({ ...(aTimes.includes(l) ? { a: aTimes.indexOf(l) } : {}), ...(bTimes.includes(l) ? { b: bTimes.indexOf(l) } : {}) }));
    const meta: CubeMeta = {
      ...a.meta,
      bands: a.meta.bands ? { ...a.meta.bands, labels } : undefined,
      time: a.meta.time ? { ...a.meta.time, labels: times } : undefined,
      dtype: resolverCb ? 'float32' : widestType([a.meta.dtype, b.meta.dtype]),
    };
    return cube(meta, {
      op: 'merge',
      a: a.node,
      b: b.node,
      bandMap,
      timeMap,
      ...(resolverCb ? { resolver: callbackSpec(resolverCb, args.get('context')) } : {}),
    });
  },
};

const mask: ProcessDefinition = {
  spec: {
    id: 'mask',
    summary: 'Apply a raster mask',
    description:
      'Replaces the values of `data` where the mask is true (or non-zero) with `replacement` (null by default). A mask ' +
      'without time or bands dimensions applies to all time steps or bands of the data.',
    categories: ['cubes', 'masks'],
    parameters: [
      { name: 'data', description: 'A raster data cube.', schema: SPATIAL_CUBE },
      { name: 'mask', description: 'A mask as a raster data cube on the same grid.', schema: SPATIAL_CUBE },
      { name: 'replacement', description: 'The value for masked pixels.', schema: { type: ['number', 'boolean', 'string', 'null'] }, optional: true, default: null },
    ],
    returns: { description: 'The masked data cube.', schema: SPATIAL_CUBE },
  },
  run(args) {
    const data = cubeArg(args, 'data');
    const m = cubeArg(args, 'mask');
    if (!sameGrid(data.meta.grid, m.meta.grid)) {
      throw new OpenEOError('ProcessParameterInvalid', 'mask: the mask must be on the same grid as the data.');
    }
    const replacement = args.get('replacement');
    if (replacement !== null && typeof replacement !== 'number' && typeof replacement !== 'boolean') {
      args.invalid('replacement', 'only numbers, booleans and null are supported as replacement values.');
    }
    const hasT = !!m.meta.time;
    const hasB = !!m.meta.bands;
    if (hasT && (!data.meta.time || m.meta.time!.labels.length !== data.meta.time.labels.length)) {
      throw new OpenEOError('ProcessParameterInvalid', 'mask: the mask has time steps that do not match the data.');
    }
    if (hasB && (!data.meta.bands || (m.meta.bands!.labels.length !== 1 && m.meta.bands!.labels.length !== data.meta.bands.labels.length))) {
      throw new OpenEOError('ProcessParameterInvalid', 'mask: the mask must have one band or the same bands as the data.');
    }
    const value = typeof replacement === 'boolean' ? Number(replacement) : (replacement as number | null);
    return cube(
      { ...data.meta, dtype: value === null ? data.meta.dtype : widestType([data.meta.dtype, Number.isInteger(value) ? data.meta.dtype : 'float32']) },
      { op: 'mask', input: data.node, mask: m.node, replacement: value, maskHasTime: hasT, maskHasBands: hasB },
    );
  },
};

export const combineProcesses: ProcessDefinition[] = [mergeCubes, mask];
