/**
 * ndvi. Its real input is a data cube, which the datacube module provides; this definition computes the index on a
 * labeled array of band values (one pixel) and is meant to be replaced by the cube-aware one when that exists.
 */
import { OpenEOError } from '../errors.ts';
import { processException } from '../process-graph/errors.ts';
import type { ProcessDefinition } from '../process-graph/types.ts';
import { labelsOf } from './labeled-array.ts';
import { optional, required } from './spec-helpers.ts';

const CUBE_XY_BANDS = {
  type: 'object',
  subtype: 'datacube',
  dimensions: [{ type: 'spatial', axis: ['x', 'y'] }, { type: 'bands' }],
};

export const ndviProcess: ProcessDefinition = {
  spec: {
    id: 'ndvi',
    summary: 'Normalized Difference Vegetation Index',
    description:
      'Computes (nir - red) / (nir + red) from the bands named by `nir` and `red` (band names or common names). ' +
      'Without `target_band` the bands dimension is reduced away; with it, the index is added as a new band of that name.',
    categories: ['cubes', 'math > indices', 'vegetation indices'],
    parameters: [
      required('data', 'A raster data cube with two spatial dimensions and a bands dimension.', CUBE_XY_BANDS),
      optional('nir', 'Name of the near-infrared band.', { type: 'string', subtype: 'band-name' }, 'nir'),
      optional('red', 'Name of the red band.', { type: 'string', subtype: 'band-name' }, 'red'),
      optional('target_band', 'Name of a new band for the result; `null` drops the bands dimension.', [{ type: 'string', pattern: '^\\w+$' }, { type: 'null' }], null),
    ],
    returns: {
      description: 'A data cube with the index.',
      schema: { type: 'object', subtype: 'datacube', dimensions: [{ type: 'spatial', axis: ['x', 'y'] }] },
    },
    exceptions: {
      NirBandAmbiguous: { message: 'The NIR band can\'t be resolved, please specify the specific NIR band name.' },
      RedBandAmbiguous: { message: 'The red band can\'t be resolved, please specify the specific red band name.' },
      DimensionAmbiguous: { message: 'dimension of type `bands` is not available or is ambiguous.' },
      BandExists: { message: 'A band with the specified target name exists.' },
    },
  },
  run: (args) => {
    const data = args.get('data');
    const labels = Array.isArray(data) ? labelsOf(data) : undefined;
    if (!Array.isArray(data) || !labels) {
      throw new OpenEOError('FeatureUnsupported', "Process 'ndvi' is only available on labeled arrays of band values here.");
    }
    const band = (param: 'nir' | 'red', exception: string) => {
      const i = labels.indexOf(args.optionalString(param, param));
      if (i < 0) throw processException('ndvi', exception, `Band '${args.optionalString(param, param)}' not found.`);
      return data[i] as number | null;
    };
    const nir = band('nir', 'NirBandAmbiguous');
    const red = band('red', 'RedBandAmbiguous');
    return nir === null || red === null ? null : (nir - red) / (nir + red);
  },
};
