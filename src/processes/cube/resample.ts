import { cube, type CubeNode } from '../../datacube/types.ts';
import { OpenEOError } from '../../errors.ts';
import type { ProcessDefinition } from '../../process-graph/index.ts';
import { gridBounds, resolutionOf } from '../../raster/grid/affine.ts';
import { gridCoveringBounds, transformBounds } from '../../raster/grid/bbox-grid.ts';
import { crsFromAny, sameCrs } from '../../raster/grid/crs.ts';
import type { Grid } from '../../raster/grid/types.ts';
import { CUBE, cubeArg } from './common.ts';

const SPATIAL_CUBE = { ...CUBE, dimensions: [{ type: 'spatial', axis: ['x', 'y'] }] };

/**
 * Nearest-neighbour resampling commutes with every per-pixel operation, so it is pushed down to the loads, which
 * read each item straight onto the new grid (the load reader warps items that are not aligned with it).
 */
function pushDown(node: CubeNode, grid: Grid): CubeNode {
  switch (node.op) {
    case 'load':
      return { ...node, grid, clip: node.clip ?? node.grid };
    case 'apply_dimension':
      // along x or y it is not per-pixel: its callback sees the rows (columns) of the grid it was planned on
      if (node.source === 'x' || node.source === 'y') {
        throw new OpenEOError('FeatureUnsupported', `resample_spatial after apply_dimension along ${node.source} is not supported yet; resample first.`);
      }
      return { ...node, input: pushDown(node.input, grid) };
    case 'select':
    case 'apply':
    case 'reduce_time':
    case 'reduce_bands':
    case 'aggregate_time':
      return { ...node, input: pushDown(node.input, grid) };
    case 'mask':
      return { ...node, input: pushDown(node.input, grid), mask: pushDown(node.mask, grid) };
    case 'merge':
      return { ...node, a: pushDown(node.a, grid), b: pushDown(node.b, grid) };
    case 'crop':
    case 'resample':
      throw new OpenEOError('FeatureUnsupported', 'resample_spatial after filter_bbox or another resampling is not supported yet; resample first.');
  }
}

const ALIGN = ['lower-left', 'upper-left', 'lower-right', 'upper-right'];
const METHODS = ['average', 'bilinear', 'cubic', 'cubicspline', 'lanczos', 'max', 'med', 'min', 'mode', 'near', 'q1', 'q3', 'rms', 'sum'];

const resampleSpatial: ProcessDefinition = {
  spec: {
    id: 'resample_spatial',
    summary: 'Resample and warp the spatial dimensions',
    description:
      'Puts the cube on another resolution and/or CRS with nearest-neighbour resampling. The new grid covers the ' +
      'extent of the old one, with pixel edges on multiples of the resolution. Other methods are not supported yet.',
    categories: ['cubes', 'reproject'],
    parameters: [
      { name: 'data', description: 'A raster data cube.', schema: SPATIAL_CUBE },
      {
        name: 'resolution',
        description: 'New resolution in units of the target CRS (one number, or [x, y]); 0 keeps the current one.',
        schema: [{ type: 'number', minimum: 0 }, { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number', minimum: 0 } }],
        optional: true,
        default: 0,
      },
      {
        name: 'projection',
        description: 'Target CRS as an EPSG code or WKT2; null keeps the current one.',
        schema: [{ title: 'EPSG Code', type: 'integer', subtype: 'epsg-code', minimum: 1000 }, { title: 'WKT2', type: 'string', subtype: 'wkt2-definition' }, { title: "Don't change projection", type: 'null' }],
        optional: true,
        default: null,
      },
      { name: 'method', description: "Resampling method; only 'near' is supported.", schema: { type: 'string', enum: METHODS }, optional: true, default: 'near' },
      { name: 'align', description: 'Corner to align to (edges are snapped to multiples of the resolution).', schema: { type: 'string', enum: ALIGN }, optional: true, default: 'upper-left' },
    ],
    returns: { description: 'The resampled cube.', schema: SPATIAL_CUBE },
  },
  run(args) {
    const data = cubeArg(args, 'data');
    if (args.optionalString('method', 'near') !== 'near') args.invalid('method', "only nearest-neighbour resampling ('near') is supported.");
    const old = data.meta.grid;
    const projection = args.get('projection') as number | string | null;
    const crs = projection === null || projection === undefined ? old.crs : crsFromAny(projection, { context: 'resample_spatial: projection' });
    const raw = args.get('resolution') as number | number[];
    let res = Array.isArray(raw) ? [raw[0], raw[1]] : [raw, raw];
    if (res.some((r) => typeof r !== 'number' || !Number.isFinite(r) || r < 0)) args.invalid('resolution', 'must be non-negative numbers.');
    const bounds = sameCrs(crs, old.crs) ? gridBounds(old) : transformBounds(gridBounds(old), old.crs, crs, 32);
    if (!bounds) args.invalid('projection', 'the cube extent cannot be transformed to this CRS.');
    if (res[0] === 0 || res[1] === 0) {
      const [ox, oy] = resolutionOf(old.transform).map(Math.abs);
      // Same pixel count along each axis when the CRS changes and no resolution is given.
      const keep = sameCrs(crs, old.crs) ? [ox, oy] : [(bounds![2] - bounds![0]) / old.width, (bounds![3] - bounds![1]) / old.height];
      res = [res[0] || keep[0], res[1] || keep[1]];
    }
    const grid = gridCoveringBounds(bounds!, crs, [res[0], -res[1]]);
    if (grid.width * grid.height > 2e9) args.invalid('resolution', 'the resulting grid is too large.');
    return cube({ ...data.meta, grid }, pushDown(data.node, grid));
  },
};

export const resampleProcesses: ProcessDefinition[] = [resampleSpatial];
