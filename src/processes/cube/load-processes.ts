import type { LoadBand } from '../../datacube/types.ts';
import { OpenEOError } from '../../errors.ts';
import type { ProcessDefinition } from '../../process-graph/index.ts';
import { CUBE } from './common.ts';
import { spatialExtent, temporalExtent } from './extents.ts';
import { isDType, loadCube, widestType } from './load.ts';
import { narrowingAt, planLoadCollection } from './pushdown.ts';
import { cubeServices } from './services.ts';

const BBOX_SCHEMA = {
  title: 'Bounding Box',
  type: 'object',
  subtype: 'bounding-box',
  required: ['west', 'south', 'east', 'north'],
  properties: {
    west: { type: 'number' },
    south: { type: 'number' },
    east: { type: 'number' },
    north: { type: 'number' },
    base: { type: ['number', 'null'], default: null },
    height: { type: ['number', 'null'], default: null },
    crs: { anyOf: [{ type: 'integer', subtype: 'epsg-code', minimum: 1000 }, { type: 'string', subtype: 'wkt2-definition' }], default: 4326 },
  },
};
const SPATIAL = [
  BBOX_SCHEMA,
  { title: 'GeoJSON', type: 'object', subtype: 'geojson' },
  { title: 'Vector data cube (not supported yet)', type: 'object', subtype: 'datacube', dimensions: [{ type: 'geometry' }] },
  { title: 'No filter', type: 'null' },
];
const INSTANT = {
  anyOf: [
    { type: 'string', format: 'date-time', subtype: 'date-time' },
    { type: 'string', format: 'date', subtype: 'date' },
    { type: 'null' },
  ],
};
const TEMPORAL = [
  { type: 'array', subtype: 'temporal-interval', uniqueItems: true, minItems: 2, maxItems: 2, items: INSTANT },
  { title: 'No filter', type: 'null' },
];
const BANDS = [{ type: 'array', minItems: 1, items: { type: 'string', subtype: 'band-name' } }, { title: 'No filter', type: 'null' }];
const PROPERTIES = [{ type: 'object', subtype: 'metadata-filter' }, { title: 'No filter', type: 'null' }];

function selectBands(all: LoadBand[], wanted: readonly unknown[] | null, processId: string): LoadBand[] {
  if (!wanted) return all;
  return wanted.map((name) => {
    const band = all.find((b) => b.name === name);
    if (!band) {
      throw new OpenEOError('ProcessParameterInvalid', `${processId}: band '${String(name)}' does not exist; available bands: ${all.map((b) => b.name).join(', ')}.`);
    }
    return band;
  });
}

function rejectProperties(args: { get(n: string): unknown; invalid(n: string, r: string): never }) {
  const p = args.get('properties');
  if (p !== null && p !== undefined && Object.keys(p as object).length > 0) {
    args.invalid('properties', 'filtering by metadata properties is not supported by this backend yet.');
  }
}

const loadCollection: ProcessDefinition = {
  spec: {
    id: 'load_collection',
    summary: 'Load a collection',
    description:
      'Finds the items of a collection that intersect the spatial and temporal extents through its STAC source and ' +
      'presents them as a data cube on the native grid of the items (or the grid the extent snaps to). Items with the ' +
      'same timestamp form one time step; where they overlap, the item with the smallest id wins.',
    categories: ['cubes', 'import'],
    parameters: [
      { name: 'id', description: 'The collection id.', schema: { type: 'string', subtype: 'collection-id', pattern: '^[\\w\\-\\.~/]+$' } },
      { name: 'spatial_extent', description: 'Bounding box (default CRS EPSG:4326) or GeoJSON; null for no limit.', schema: SPATIAL },
      { name: 'temporal_extent', description: 'Left-closed interval [start, end); null for no limit.', schema: TEMPORAL },
      { name: 'bands', description: 'Bands to load, in this order; null loads all.', schema: BANDS, optional: true, default: null },
      { name: 'properties', description: 'Metadata filters (not supported yet; must be null).', schema: PROPERTIES, optional: true, default: null },
    ],
    returns: { description: 'A data cube with dimensions x, y, t and bands.', schema: CUBE },
    exceptions: { NoDataAvailable: { message: 'There is no data available for the given extents.' } },
  },
  async run(args, ctx) {
    const services = cubeServices(ctx, 'load_collection');
    const id = args.string('id');
    const entry = services.collection(id);
    if (!entry) throw new OpenEOError('CollectionNotFound', `Collection '${id}' does not exist.`);
    rejectProperties(args);
    const all: LoadBand[] = entry.bands.map((b) => {
      if (!isDType(b.data_type)) throw new OpenEOError('Internal', `Collection '${id}': unsupported data type '${b.data_type}'.`);
      return { name: b.name, asset: b.asset, dtype: b.data_type, nodata: b.nodata };
    });
    const bands = selectBands(all, args.get('bands') as readonly unknown[] | null, 'load_collection');
    const extent = spatialExtent(args, 'spatial_extent');
    const time = temporalExtent(args, 'temporal_extent');
    // What the filters downstream let this load skip (see pushdown.ts); the cube keeps the type and grid of the full load.
    const narrow = narrowingAt(services, ctx.path);
    const kept = narrow?.bands ? bands.filter((b) => narrow.bands!.includes(b.name)) : bands;
    return loadCube({
      collection: id,
      source: services.itemSource(entry),
      extent,
      time: narrow?.time ?? time,
      bands: kept,
      full: kept === bands ? undefined : { dtype: widestType(bands.map((b) => b.dtype)), gridAsset: bands[0].asset },
      signal: ctx.signal,
      limits: services.limits,
    });
  },
  plan: planLoadCollection,
};

/** Band metadata of a STAC item asset: `raster:bands[0]` data type and nodata. */
function assetBand(name: string, asset: Record<string, unknown>): LoadBand {
  const rb = Array.isArray(asset['raster:bands']) ? (asset['raster:bands'][0] as Record<string, unknown>) : {};
  const dtype = typeof rb?.data_type === 'string' && isDType(rb.data_type) ? rb.data_type : 'float32';
  const nodata = typeof rb?.nodata === 'number' ? rb.nodata : rb?.nodata === 'nan' ? NaN : null;
  return { name, asset: name, dtype, nodata };
}

const loadStac: ProcessDefinition = {
  spec: {
    id: 'load_stac',
    summary: 'Load data from STAC',
    description:
      'Loads a data cube from a STAC API collection, a static STAC collection or catalog, or an item collection, given ' +
      'by URL. Bands are the items’ raster assets; their data type and nodata come from `raster:bands`.',
    categories: ['cubes', 'import'],
    experimental: true,
    parameters: [
      { name: 'url', description: 'URL of a STAC collection, catalog, item collection or STAC API collection.', schema: { title: 'URL', type: 'string', format: 'uri', subtype: 'uri', pattern: '^https?://' } },
      { name: 'spatial_extent', description: 'Bounding box or GeoJSON; null for no limit.', schema: SPATIAL, optional: true, default: null },
      { name: 'temporal_extent', description: 'Left-closed interval [start, end); null for no limit.', schema: TEMPORAL, optional: true, default: null },
      { name: 'bands', description: 'Assets to load as bands; null loads every data asset of the first item.', schema: BANDS, optional: true, default: null },
      { name: 'properties', description: 'Metadata filters (not supported yet; must be null).', schema: PROPERTIES, optional: true, default: null },
    ],
    returns: { description: 'A data cube with dimensions x, y, t and bands.', schema: CUBE },
  },
  async run(args, ctx) {
    const services = cubeServices(ctx, 'load_stac');
    rejectProperties(args);
    const opened = await services.openStac(args.string('url'), ctx.signal);
    const extent = spatialExtent(args, 'spatial_extent');
    const time = temporalExtent(args, 'temporal_extent');
    const wanted = args.get('bands') as string[] | null;
    // Band metadata comes from the first item: peek at it, then load with the full search.
    let first: Record<string, unknown> | undefined;
    for await (const item of opened.source.search({ limit: 1 }, ctx.signal)) {
      first = item.assets as Record<string, unknown>;
      break;
    }
    if (!first) throw new OpenEOError('NoDataAvailable', 'The STAC source has no items.');
    const names = wanted ?? Object.entries(first).filter(([, a]) => /tiff|geotiff/i.test(String((a as { type?: string }).type ?? ''))).map(([k]) => k);
    if (names.length === 0) throw new OpenEOError('NoDataAvailable', 'The STAC items have no GeoTIFF assets to load.');
    const bands = names.map((n) => {
      const asset = first![n] as Record<string, unknown> | undefined;
      if (!asset) throw new OpenEOError('ProcessParameterInvalid', `load_stac: the items have no asset '${n}'.`);
      return assetBand(n, asset);
    });
    return loadCube({ collection: opened.url, source: opened.source, extent, time, bands, signal: ctx.signal, limits: services.limits });
  },
};

export const loadProcesses: ProcessDefinition[] = [loadCollection, loadStac];
