/** Turning STAC items into the `load` node of a cube: time steps, native grids, the output grid, band metadata. */
import { groupByDatetime, type ItemSource, type StacItem } from '../../catalog/index.ts';
import type { CubeMeta, DataCube, DType, LoadBand, LoadStep } from '../../datacube/types.ts';
import { cube } from '../../datacube/types.ts';
import { OpenEOError } from '../../errors.ts';
import { transformBounds } from '../../raster/grid/bbox-grid.ts';
import { EPSG4326, sameCrs } from '../../raster/grid/crs.ts';
import { itemGrid, outputGrid } from '../../raster/grid/item-grid.ts';
import type { Grid } from '../../raster/grid/types.ts';
import type { SpatialExtent } from './extents.ts';

const DTYPE_ORDER: DType[] = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'];

/** A type that holds values of all the given types (float64 once signed and unsigned 32-bit mix). */
export function widestType(types: DType[]): DType {
  if (types.length === 0) return 'float32';
  let best = types[0];
  for (const t of types) if (DTYPE_ORDER.indexOf(t) > DTYPE_ORDER.indexOf(best)) best = t;
  const signed = types.some((t) => t.startsWith('int'));
  if (signed && best === 'uint8') return 'int16';
  if (signed && best === 'uint16') return 'int32';
  if (signed && best === 'uint32') return 'float64';
  return best;
}

export const isDType = (s: string): s is DType => (DTYPE_ORDER as string[]).includes(s);

export interface LoadRequest {
  collection: string;
  source: ItemSource;
  extent?: SpatialExtent;
  /** [start, end) in ms. */
  time?: [number | null, number | null];
  bands: LoadBand[];
  /**
   * Set when `bands` was narrowed by pushdown: the data type and grid asset of the full band list, so that the cube
   * keeps the type and grid it would have had.
   */
  full?: { dtype: DType; gridAsset: string };
  signal: AbortSignal;
  /** Safety net against unbounded searches. */
  maxItems?: number;
  limits: { loadPixels: number; timeSteps: number };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Searches the items, groups them into time steps and derives the output grid (odc-stac rules). */
export async function loadCube(req: LoadRequest): Promise<DataCube> {
  let searchBbox: [number, number, number, number] | undefined;
  if (req.extent) {
    const b = sameCrs(req.extent.crs, EPSG4326) ? req.extent.bbox : transformBounds(req.extent.bbox, req.extent.crs, EPSG4326, 16);
    if (!b) throw new OpenEOError('ProcessParameterInvalid', 'The spatial extent cannot be transformed to longitude/latitude.');
    searchBbox = [b[0], b[1], b[2], b[3]];
  }
  const items: StacItem[] = [];
  for await (const item of req.source.search(
    { bbox: searchBbox, datetime: req.time ? [iso(req.time[0]), iso(req.time[1])] : undefined },
    req.signal,
  )) {
    items.push(item);
    if (req.maxItems && items.length > req.maxItems) {
      throw new OpenEOError('ProcessParameterInvalid', `The request matches more than ${req.maxItems} items; narrow the spatial or temporal extent.`);
    }
  }
  if (items.length === 0) {
    throw new OpenEOError('NoDataAvailable', `There is no data available for the given extents in collection '${req.collection}'.`);
  }
  const firstAsset = req.bands[0].asset;
  const withGrids = items.map((item) => {
    for (const b of req.bands) {
      if (!item.assets[b.asset]) {
        throw new OpenEOError('UpstreamInvalid', `Item '${item.id}' of collection '${req.collection}' has no asset '${b.asset}' (band '${b.name}').`);
      }
    }
    // Without pushdown the first band's asset gives the grid; an item lacking it would have failed the load.
    const gridAsset = req.full && item.assets[req.full.gridAsset] ? req.full.gridAsset : firstAsset;
    return { item, grid: itemGrid(item, gridAsset) };
  });
  const grid = outputGrid(
    withGrids.map((w) => w.grid),
    req.extent ? { bbox: req.extent.bbox, bboxCrs: req.extent.crs } : {},
  );
  if (!grid) throw new OpenEOError('UpstreamInvalid', `The items of collection '${req.collection}' have no usable grid (proj:* metadata).`);
  if (grid.width * grid.height > req.limits.loadPixels) {
    throw new OpenEOError(
      'ProcessParameterInvalid',
      `The spatial extent gives a grid of ${grid.width} x ${grid.height} pixels, more than the ${req.limits.loadPixels.toLocaleString('en')} one load may cover; narrow the spatial extent or resample to a coarser resolution.`,
    );
  }
  const gridOf = new Map(withGrids.map((w) => [w.item.id, w.grid]));
  const steps: LoadStep[] = groupByDatetime(items).map((step) => ({
    label: step.label,
    items: step.items.map((item) => ({
      id: item.id,
      grid: gridOf.get(item.id) as Grid,
      hrefs: Object.fromEntries(req.bands.map((b) => [b.name, item.assets[b.asset].href])),
    })),
  }));
  if (steps.length > req.limits.timeSteps) {
    throw new OpenEOError('ProcessParameterInvalid', `The request covers ${steps.length} time steps, more than the ${req.limits.timeSteps} allowed; narrow the temporal extent.`);
  }
  const meta: CubeMeta = {
    grid,
    x: 'x',
    y: 'y',
    time: { name: 't', labels: steps.map((s) => s.label) },
    bands: { name: 'bands', labels: req.bands.map((b) => b.name) },
    dtype: req.full?.dtype ?? widestType(req.bands.map((b) => b.dtype)),
  };
  return cube(meta, { op: 'load', collection: req.collection, grid, bands: req.bands, steps });
}
