/**
 * Local item filtering for static catalogs, with the semantics a STAC API search has: footprints must intersect
 * (exactly, not only by bbox: neighbouring Equi7 tiles have overlapping bboxes, and a false hit would add an empty
 * time step), and the time interval is half-open like openEO's `temporal_extent`.
 */
import { OpenEOError } from '../errors.ts';
import type { Bbox, DatetimeInterval, Geometry, ItemQuery, StacItem } from './types.ts';

type Pt = number[];
interface Shape {
  /** Closed rings of polygons (outer and holes; holes only matter for containment). */
  polygons: Pt[][][];
  /** Paths whose segments count (rings included). */
  paths: Pt[][];
  points: Pt[];
}

function toShape(g: Geometry): Shape {
  switch (g.type) {
    case 'Point':
      return { polygons: [], paths: [], points: [g.coordinates] };
    case 'MultiPoint':
      return { polygons: [], paths: [], points: g.coordinates };
    case 'LineString':
      return { polygons: [], paths: [g.coordinates], points: g.coordinates };
    case 'MultiLineString':
      return { polygons: [], paths: g.coordinates, points: g.coordinates.flat() };
    case 'Polygon':
      return { polygons: [g.coordinates], paths: g.coordinates, points: g.coordinates.flat() };
    case 'MultiPolygon':
      return { polygons: g.coordinates, paths: g.coordinates.flat(), points: g.coordinates.flat(2) };
  }
}

/** A lon/lat bbox as a polygon, split in two when it crosses the antimeridian. */
export function bboxToGeometry(b: Bbox | number[]): Geometry {
  const [w, s, e, n] = b.length === 6 ? [b[0], b[1], b[3], b[4]] : b;
  const rect = (x0: number, x1: number) => [[[x0, s], [x1, s], [x1, n], [x0, n], [x0, s]]];
  if (w > e) return { type: 'MultiPolygon', coordinates: [rect(w, 180), rect(-180, e)] };
  return { type: 'Polygon', coordinates: rect(w, e) };
}

function orient(a: Pt, b: Pt, c: Pt): number {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

function onSegment(a: Pt, b: Pt, p: Pt): boolean {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

function segmentsIntersect(p1: Pt, p2: Pt, q1: Pt, q2: Pt): boolean {
  const o1 = orient(p1, p2, q1), o2 = orient(p1, p2, q2), o3 = orient(q1, q2, p1), o4 = orient(q1, q2, p2);
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && onSegment(p1, p2, q1)) || (o2 === 0 && onSegment(p1, p2, q2)) ||
    (o3 === 0 && onSegment(q1, q2, p1)) || (o4 === 0 && onSegment(q1, q2, p2));
}

function inRing(p: Pt, ring: Pt[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i], b = ring[j];
    if ((a[1] > p[1]) !== (b[1] > p[1]) && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside;
}

const inPolygon = (p: Pt, rings: Pt[][]) => inRing(p, rings[0]) && !rings.slice(1).some((h) => inRing(p, h));

function pathsCross(a: Pt[][], b: Pt[][]): boolean {
  for (const pa of a) for (let i = 1; i < pa.length; i++) for (const pb of b) for (let j = 1; j < pb.length; j++) {
    if (segmentsIntersect(pa[i - 1], pa[i], pb[j - 1], pb[j])) return true;
  }
  return false;
}

/** Whether two lon/lat geometries share at least one point (planar test in lon/lat, as STAC APIs do). */
export function geometriesIntersect(a: Geometry, b: Geometry): boolean {
  const sa = toShape(a), sb = toShape(b);
  if (pathsCross(sa.paths, sb.paths)) return true;
  if (sa.points.some((p) => sb.polygons.some((poly) => inPolygon(p, poly)))) return true;
  if (sb.points.some((p) => sa.polygons.some((poly) => inPolygon(p, poly)))) return true;
  return sa.points.some((p) => sb.points.some((q) => p[0] === q[0] && p[1] === q[1]));
}

/** Milliseconds since the epoch of an RFC 3339 date or date-time; throws naming `what` otherwise. */
export function parseInstant(value: string, what: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new OpenEOError('UpstreamInvalid', `${what} has an invalid date-time '${value}'.`);
  return t;
}

/** The [start, end] instants an item covers (equal for a single `datetime`). */
export function itemTimeRange(item: StacItem): [number, number] {
  const p = item.properties ?? ({} as StacItem['properties']);
  if (typeof p.datetime === 'string') {
    const t = parseInstant(p.datetime, `Item '${item.id}'`);
    return [t, t];
  }
  if (typeof p.start_datetime === 'string' && typeof p.end_datetime === 'string') {
    return [parseInstant(p.start_datetime, `Item '${item.id}'`), parseInstant(p.end_datetime, `Item '${item.id}'`)];
  }
  throw new OpenEOError('UpstreamInvalid', `Item '${item.id}' has neither 'datetime' nor 'start_datetime'/'end_datetime'.`);
}

/** Half-open [start, end): an item matches when its time range overlaps it; null bounds are open. */
export function matchesInterval(item: StacItem, interval: DatetimeInterval): boolean {
  const [s, e] = itemTimeRange(item);
  const start = interval[0] === null ? -Infinity : parseInstant(interval[0], 'The temporal extent');
  const end = interval[1] === null ? Infinity : parseInstant(interval[1], 'The temporal extent');
  return e >= start && s < end;
}

function itemGeometry(item: StacItem): Geometry | undefined {
  if (item.geometry) return item.geometry;
  if (Array.isArray(item.bbox) && (item.bbox.length === 4 || item.bbox.length === 6)) return bboxToGeometry(item.bbox);
  return undefined;
}

/** Whether an item satisfies the spatial and temporal parts of a query (items without a footprint always do). */
export function matchesQuery(item: StacItem, q: ItemQuery): boolean {
  if (q.datetime && !matchesInterval(item, q.datetime)) return false;
  const area = q.intersects ?? (q.bbox ? bboxToGeometry(q.bbox) : undefined);
  if (!area) return true;
  const g = itemGeometry(item);
  return g === undefined || geometriesIntersect(g, area);
}

/** The lon/lat bbox of a geometry (no antimeridian handling: such geometries are split by convention). */
export function geometryBbox(g: Geometry): Bbox {
  const pts = toShape(g).points;
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const p of pts) {
    w = Math.min(w, p[0]); e = Math.max(e, p[0]);
    s = Math.min(s, p[1]); n = Math.max(n, p[1]);
  }
  return [w, s, e, n];
}
