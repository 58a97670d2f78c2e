/** Parsing and checking of spatial and temporal extents as openEO processes accept them. */
import { crsFromAny, EPSG4326 } from '../../raster/grid/crs.ts';
import type { BBox, Crs } from '../../raster/grid/types.ts';
import type { ProcessArgs } from '../../process-graph/index.ts';
import { processException } from '../../process-graph/errors.ts';

export interface SpatialExtent {
  bbox: BBox;
  crs: Crs;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function coordinates(geom: unknown, out: number[][]): void {
  if (Array.isArray(geom)) {
    if (geom.length >= 2 && typeof geom[0] === 'number' && typeof geom[1] === 'number') out.push(geom as number[]);
    else for (const g of geom) coordinates(g, out);
  }
}

/** The bounding box of a GeoJSON object (Polygon, MultiPolygon, Feature, FeatureCollection, …) in EPSG:4326. */
function geojsonBbox(args: ProcessArgs, name: string, v: Record<string, unknown>): BBox {
  const pts: number[][] = [];
  const visit = (g: unknown): void => {
    if (!isObject(g)) return;
    if (g.type === 'FeatureCollection' && Array.isArray(g.features)) g.features.forEach(visit);
    else if (g.type === 'Feature') visit(g.geometry);
    else if (g.type === 'GeometryCollection' && Array.isArray(g.geometries)) g.geometries.forEach(visit);
    else coordinates(g.coordinates, pts);
  };
  visit(v);
  if (pts.length === 0 || pts.some((p) => !Number.isFinite(p[0]) || !Number.isFinite(p[1]))) {
    args.invalid(name, 'the GeoJSON has no valid coordinates.');
  }
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return checkBbox(args, name, [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], EPSG4326);
}

function checkBbox(args: ProcessArgs, name: string, b: BBox, crs: Crs): BBox {
  if (!b.every(Number.isFinite)) args.invalid(name, 'the extent must consist of finite numbers.');
  if (b[0] > b[2]) args.invalid(name, `west (${b[0]}) is greater than east (${b[2]}).`);
  if (b[1] > b[3]) args.invalid(name, `south (${b[1]}) is greater than north (${b[3]}).`);
  if (crs.epsg === 4326 && (b[1] < -90 || b[3] > 90 || b[0] < -180 || b[2] > 180)) {
    args.invalid(name, 'longitudes must lie in [-180, 180] and latitudes in [-90, 90] for EPSG:4326.');
  }
  return b;
}

/** `{west, south, east, north, crs?}` or GeoJSON → bbox + CRS; null → undefined (no spatial restriction). */
export function spatialExtent(args: ProcessArgs, name: string): SpatialExtent | undefined {
  const v = args.get(name);
  if (v === null || v === undefined) return undefined;
  if (!isObject(v)) return args.invalid(name, 'expected a bounding box object or GeoJSON.');
  if (typeof v.type === 'string') return { bbox: geojsonBbox(args, name, v), crs: EPSG4326 };
  const keys = ['west', 'south', 'east', 'north'] as const;
  for (const k of keys) if (typeof v[k] !== 'number') args.invalid(name, `'${k}' must be a number.`);
  let crs: Crs = EPSG4326;
  if (v.crs !== undefined && v.crs !== null) {
    if (typeof v.crs !== 'number' && typeof v.crs !== 'string') args.invalid(name, "'crs' must be an EPSG code or a WKT2 string.");
    crs = crsFromAny(v.crs as number | string, { context: `${args.processId}: ${name}.crs` });
  }
  const b: BBox = [v.west as number, v.south as number, v.east as number, v.north as number];
  return { bbox: checkBbox(args, name, b, crs), crs };
}

const INSTANT = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds of an RFC 3339 date or date-time (dates are midnight UTC); throws naming the parameter. */
export function instant(args: ProcessArgs, name: string, v: string): number {
  if (!INSTANT.test(v)) args.invalid(name, `'${v}' is not an RFC 3339 date or date-time.`);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : /[Zz]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) args.invalid(name, `'${v}' is not a valid date.`);
  const year = new Date(t).getUTCFullYear();
  if (year < 1900 || year > 2200) args.invalid(name, `'${v}' is outside the supported years 1900–2200.`);
  return t;
}

/** The processes' own exception for an interval whose end is not after its start. */
export const temporalExtentEmpty = (processId: string, interval: (string | null)[]) =>
  processException(processId, 'TemporalExtentEmpty', `The temporal extent ${JSON.stringify(interval)} is empty: its end must be later than its start.`);

/** `[start, end]` with either open (null); the end is exclusive. */
export function temporalExtent(args: ProcessArgs, name: string): [number | null, number | null] | undefined {
  const v = args.get(name);
  if (v === null || v === undefined) return undefined;
  if (!Array.isArray(v) || v.length !== 2) return args.invalid(name, 'expected an array of two dates (start, end).');
  const [s, e] = v.map((x, i) => {
    if (x === null) return null;
    if (typeof x !== 'string') return args.invalid(name, `element ${i} must be a date string or null.`);
    return instant(args, name, x);
  });
  if (s === null && e === null) args.invalid(name, 'start and end cannot both be null.');
  if (s !== null && e !== null && e <= s) throw temporalExtentEmpty(args.processId, v as string[]);
  return [s, e];
}
