import { cube } from '../../datacube/types.ts';
import { gridCoveringBounds, transformBounds } from '../../raster/grid/bbox-grid.ts';
import { sameCrs } from '../../raster/grid/crs.ts';
import { intersectWindows, windowOf } from '../../raster/grid/windows.ts';
import { resolutionOf, subGrid } from '../../raster/grid/affine.ts';
import { gridAnchor } from '../../raster/grid/item-grid.ts';
import type { ProcessDefinition } from '../../process-graph/index.ts';
import { processException } from '../../process-graph/errors.ts';
import { OpenEOError } from '../../errors.ts';
import { CUBE, cubeArg, dimensionKind } from './common.ts';
import { instant, spatialExtent, temporalExtentEmpty } from './extents.ts';
import { planFilterBands, planFilterBbox, planFilterTemporal } from './pushdown.ts';

const filterBands: ProcessDefinition = {
  spec: {
    id: 'filter_bands',
    summary: 'Filter the bands by names',
    description: 'Keeps the listed bands, in the order given. Filtering by wavelengths is not supported.',
    categories: ['cubes', 'filter'],
    parameters: [
      { name: 'data', description: 'A data cube with a bands dimension.', schema: { ...CUBE, dimensions: [{ type: 'bands' }] } },
      { name: 'bands', description: 'Names of the bands to keep.', schema: { type: 'array', items: { type: 'string', subtype: 'band-name' } }, optional: true, default: [] },
      { name: 'wavelengths', description: 'Wavelength ranges; not supported (must be empty).', schema: { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' } } }, optional: true, default: [] },
    ],
    returns: { description: 'The cube with only the selected bands.', schema: { ...CUBE, dimensions: [{ type: 'bands' }] } },
  },
  run(args) {
    const data = cubeArg(args, 'data');
    const labels = data.meta.bands?.labels;
    if (!labels) throw processException('filter_bands', 'DimensionMissing', 'The data cube has no bands dimension.');
    const wanted = (args.get('bands') as string[] | null) ?? [];
    if (((args.get('wavelengths') as unknown[] | null) ?? []).length > 0) args.invalid('wavelengths', 'filtering by wavelengths is not supported.');
    if (wanted.length === 0) throw processException('filter_bands', 'BandFilterParameterMissing', 'Give at least one band name.');
    const idx = wanted.map((name) => {
      const i = labels.indexOf(name);
      if (i < 0) args.invalid('bands', `band '${name}' does not exist; available: ${labels.join(', ')}.`);
      return i;
    });
    return cube({ ...data.meta, bands: { ...data.meta.bands!, labels: wanted } }, { op: 'select', input: data.node, bands: idx });
  },
  plan: planFilterBands,
};

const filterTemporal: ProcessDefinition = {
  spec: {
    id: 'filter_temporal',
    summary: 'Temporal filter based on temporal intervals',
    description: 'Keeps the time steps within the left-closed interval [start, end).',
    categories: ['cubes', 'filter'],
    parameters: [
      { name: 'data', description: 'A data cube with a temporal dimension.', schema: { ...CUBE, dimensions: [{ type: 'temporal' }] } },
      {
        name: 'extent',
        description: 'Interval [start, end); one of them may be null.',
        schema: { type: 'array', subtype: 'temporal-interval', minItems: 2, maxItems: 2, items: { anyOf: [{ type: 'string', format: 'date-time', subtype: 'date-time' }, { type: 'string', format: 'date', subtype: 'date' }, { type: 'null' }] } },
      },
      { name: 'dimension', description: 'The temporal dimension to filter; null for the only one.', schema: { type: ['string', 'null'] }, optional: true, default: null },
    ],
    returns: { description: 'The filtered cube.', schema: { ...CUBE, dimensions: [{ type: 'temporal' }] } },
  },
  run(args) {
    const data = cubeArg(args, 'data');
    const dim = args.get('dimension') as string | null;
    if (dim !== null && dim !== undefined && dimensionKind('filter_temporal', data.meta, dim) !== 'time') {
      args.invalid('dimension', `'${dim}' is not a temporal dimension.`);
    }
    const time = data.meta.time;
    if (!time) throw processException('filter_temporal', 'DimensionNotAvailable', 'The data cube has no temporal dimension.');
    const extent = args.array('extent') as (string | null)[];
    const [s, e] = extent.map((v) => (v === null ? null : instant(args, 'extent', v)));
    if (s !== null && e !== null && e <= s) throw temporalExtentEmpty('filter_temporal', extent);
    const keep: number[] = [];
    time.labels.forEach((l, i) => {
      const t = Date.parse(l);
      if ((s === null || t >= s) && (e === null || t < e)) keep.push(i);
    });
    return cube({ ...data.meta, time: { ...time, labels: keep.map((i) => time.labels[i]) } }, { op: 'select', input: data.node, times: keep });
  },
  plan: planFilterTemporal,
};

const filterBbox: ProcessDefinition = {
  spec: {
    id: 'filter_bbox',
    summary: 'Spatial filter using a bounding box',
    description: 'Keeps the pixels of the cube grid that intersect the bounding box (snapped outward to whole pixels).',
    categories: ['cubes', 'filter'],
    parameters: [
      { name: 'data', description: 'A raster data cube.', schema: [{ title: 'Raster data cube', ...CUBE, dimensions: [{ type: 'spatial', axis: ['x', 'y'] }] }, { title: 'Vector data cube', ...CUBE, dimensions: [{ type: 'geometry' }] }] },
      { name: 'extent', description: 'Bounding box; CRS EPSG:4326 unless `crs` says otherwise.', schema: { type: 'object', subtype: 'bounding-box', required: ['west', 'south', 'east', 'north'] } },
    ],
    returns: { description: 'The cropped cube.', schema: [{ title: 'Raster data cube', ...CUBE, dimensions: [{ type: 'spatial', axis: ['x', 'y'] }] }, { title: 'Vector data cube', ...CUBE, dimensions: [{ type: 'geometry' }] }] },
  },
  run(args) {
    const data = cubeArg(args, 'data');
    const extent = spatialExtent(args, 'extent');
    if (!extent) return args.invalid('extent', 'a bounding box is required.');
    const grid = data.meta.grid;
    const b = sameCrs(extent.crs, grid.crs) ? extent.bbox : transformBounds(extent.bbox, extent.crs, grid.crs, 16);
    if (!b) return args.invalid('extent', 'the extent cannot be transformed to the cube CRS.');
    const covering = gridCoveringBounds(b, grid.crs, resolutionOf(grid.transform), gridAnchor(grid));
    const win = intersectWindows(windowOf(covering, grid), { col: 0, row: 0, width: grid.width, height: grid.height });
    if (!win) throw new OpenEOError('NoDataAvailable', 'filter_bbox: the bounding box does not intersect the data cube.');
    const cropped = subGrid(grid, win.col, win.row, win.width, win.height);
    return cube({ ...data.meta, grid: cropped }, { op: 'crop', input: data.node, col: win.col, row: win.row });
  },
  plan: planFilterBbox,
};

export const filterProcesses: ProcessDefinition[] = [filterBands, filterTemporal, filterBbox];
