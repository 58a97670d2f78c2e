/** STAC fields of a raster result: footprint in EPSG:4326, time range, projection. */
import { gridBounds } from '../raster/grid/affine.ts';
import { transformBounds } from '../raster/grid/bbox-grid.ts';
import { EPSG4326 } from '../raster/grid/crs.ts';
import type { StoredResults } from '../results/layout.ts';
import { isIndexAxis } from '../formats/raster-writer.ts';
import type { OutputPlan } from './output-plan.ts';

export function resultMetadata(plan: OutputPlan): Omit<StoredResults, 'assets'> {
  const g = plan.grid;
  const b = transformBounds(gridBounds(g), g.crs, EPSG4326, 16);
  const bbox = b ? [b[0], b[1], b[2], b[3]] : undefined;
  const geometry = b
    ? { type: 'Polygon', coordinates: [[[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]], [b[0], b[1]]]] }
    : null;
  const properties: Record<string, unknown> = {
    'proj:shape': [g.height, g.width],
    'proj:transform': [...g.transform, 0, 0, 1],
    ...(g.crs.epsg ? { 'proj:code': `EPSG:${g.crs.epsg}` } : { 'proj:code': null, ...(g.crs.wkt ? { 'proj:wkt2': g.crs.wkt } : {}) }),
  };
  if (plan.time && plan.time.length > 0 && !isIndexAxis(plan.time)) {
    properties.start_datetime = plan.time[0];
    properties.end_datetime = plan.time[plan.time.length - 1];
    properties.datetime = null;
  }
  return {
    bbox,
    geometry,
    properties,
    stac_extensions: ['https://stac-extensions.github.io/projection/v2.0.0/schema.json', 'https://stac-extensions.github.io/raster/v1.1.0/schema.json'],
  };
}
