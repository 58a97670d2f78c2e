/** STAC fields of a raster result: footprint in EPSG:4326, time of the data, projection. */
import type { CubeNode } from '../datacube/types.ts';
import { gridBounds } from '../raster/grid/affine.ts';
import { transformBounds } from '../raster/grid/bbox-grid.ts';
import { EPSG4326 } from '../raster/grid/crs.ts';
import type { Crs } from '../raster/grid/types.ts';
import { crsToWkt2 } from '../raster/grid/wkt2.ts';
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
    ...(g.crs.epsg ? { 'proj:code': `EPSG:${g.crs.epsg}` } : { 'proj:code': null, ...wkt2Field(g.crs) }),
    ...dataTime(plan),
  };
  return {
    bbox,
    geometry,
    properties,
  };
}

/** `proj:wkt2` must be WKT2: a CRS we cannot write as such goes without (its proj:shape/transform still stand). */
function wkt2Field(crs: Crs): Record<string, string> {
  const wkt2 = crsToWkt2(crs);
  return wkt2 ? { 'proj:wkt2': wkt2 } : {};
}

/**
 * STAC's `datetime` is the time of the data, not of the processing (that is `created`/`updated`): the first and
 * last labels of a result that keeps its time dimension, else the span of the time steps its loads read (a
 * reduction over time covers them all). Nothing when neither is known.
 */
export function dataTime(plan: Pick<OutputPlan, 'node' | 'time'>): Record<string, string | null> {
  const labels = plan.time && plan.time.length > 0 && !isIndexAxis(plan.time) ? plan.time : loadedInstants(plan.node);
  return timeSpan(labels);
}

/** `datetime` for one instant; `datetime: null` with `start_datetime`/`end_datetime` for a span. */
export function timeSpan(labels: string[]): Record<string, string | null> {
  const ms = labels.map((l) => Date.parse(l)).filter((t) => Number.isFinite(t));
  if (ms.length === 0) return {};
  const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
  const [first, last] = [Math.min(...ms), Math.max(...ms)];
  if (first === last) return { datetime: iso(first) };
  return { datetime: null, start_datetime: iso(first), end_datetime: iso(last) };
}

/** The time steps of every load below `node`: what the plan reads. */
function loadedInstants(node: CubeNode): string[] {
  switch (node.op) {
    case 'load':
      return node.steps.map((s) => s.label);
    case 'select': {
      // filter_temporal on a load keeps some of its steps; deeper down the indices refer to computed labels
      const { input, times } = node;
      return times && input.op === 'load' ? times.map((i) => input.steps[i].label) : loadedInstants(input);
    }
    case 'merge':
      return [...loadedInstants(node.a), ...loadedInstants(node.b)];
    case 'mask':
      return [...loadedInstants(node.input), ...loadedInstants(node.mask)];
    default:
      return loadedInstants(node.input);
  }
}
