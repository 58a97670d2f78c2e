/**
 * Native grids of STAC items (projection extension) and odc-stac's choice of the output grid when the user gives
 * no CRS / resolution: the most common (CRS, resolution, anchor) among the items' grids
 * (odc-stac `_most_common_gbox`), and the items' own grid when they all share one and nothing else is asked.
 */
import { OpenEOError } from '../../errors.ts';
import { gridBounds, invertAffine, isAxisAligned } from './affine.ts';
import { gridCoveringBounds, gridForBbox, transformBounds, type GridForBboxOptions, type Resolution } from './bbox-grid.ts';
import { crsFromAny, crsFromCode, crsFromEpsg, crsFromWkt } from './crs.ts';
import { snapScale, splitFloat } from './snap.ts';
import { EDGE_ANCHOR, type Affine, type Anchor, type BBox, type Crs, type Grid } from './types.ts';

/** The parts of a STAC item we read; `assets[k]` may override the item-level proj:* fields. */
export interface StacItemLike {
  id: string;
  properties: Record<string, unknown>;
  assets?: Record<string, Record<string, unknown> | undefined>;
}

/** Grid of an item (or of one of its assets) from proj:transform, proj:shape and proj:wkt2 / proj:code / proj:epsg. */
export function itemGrid(item: StacItemLike, assetKey?: string): Grid {
  const asset = assetKey ? item.assets?.[assetKey] : undefined;
  const get = (k: string): unknown => (asset && asset[k] !== undefined ? asset[k] : item.properties[k]);
  const where = `STAC item '${item.id}'${assetKey ? ` asset '${assetKey}'` : ''}`;
  const bad = (msg: string): never => {
    throw new OpenEOError('UpstreamInvalid', `${where}: ${msg}`);
  };
  const o = { code: 'UpstreamInvalid' as const, context: where };

  const shape = get('proj:shape');
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((v) => Number.isInteger(v) && v > 0)) {
    bad('proj:shape must be [rows, cols] of positive integers');
  }
  const t = get('proj:transform');
  if (!Array.isArray(t) || (t.length !== 6 && t.length !== 9) || !t.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    bad('proj:transform must have 6 or 9 finite numbers');
  }
  const tt = t as number[];
  if (tt.length === 9 && (tt[6] !== 0 || tt[7] !== 0 || tt[8] !== 1)) bad('proj:transform is not affine');
  const transform = tt.slice(0, 6) as unknown as Affine;
  if (transform[0] * transform[4] - transform[1] * transform[3] === 0) bad('proj:transform is singular');

  let crs: Crs;
  const wkt2 = get('proj:wkt2');
  const code = get('proj:code');
  const epsg = get('proj:epsg');
  if (typeof wkt2 === 'string' && wkt2.trim()) crs = crsFromWkt(wkt2, o);
  else if (typeof code === 'string' && code.trim()) crs = crsFromCode(code, o);
  else if (typeof epsg === 'number') crs = crsFromEpsg(epsg, o);
  else if (typeof epsg === 'string') crs = crsFromAny(epsg, o);
  else crs = bad('no CRS (proj:wkt2, proj:code or proj:epsg)');
  const [rows, cols] = shape as number[];
  return { crs, transform, width: cols, height: rows };
}

/**
 * Anchor of a grid as odc-stac derives it (`_gbox_anchor`): the fractional pixel position of the CRS origin in
 * the grid, snapped to 0 / simple fractions within 1e-3. For the usual grid whose edges are multiples of the
 * resolution this is [0, 0]. Note odc-stac's formula mirrors the fraction on axes with a positive resolution
 * (x edges at 5 + 20k give anchor 0.75, i.e. edges at 15 + 20k); we keep that so output grids stay identical.
 */
export function gridAnchor(g: Grid, tol = 1e-3): Anchor {
  const inv = invertAffine(g.transform);
  const frac = (px: number): number => {
    let [, x] = splitFloat(px);
    if (x < 0) x += 1;
    x = snapScale(Math.abs(x) < tol ? 0 : x, tol);
    return x >= 1 ? 0 : x;
  };
  return [frac(inv[2]), frac(inv[5])];
}

export interface NativeParams {
  crs: Crs;
  resolution: [number, number];
  anchor: Anchor;
  /** Set when all grids are identical: odc-stac then loads exactly that grid if nothing else is requested. */
  grid?: Grid;
}

const gridKey = (g: Grid) => `${g.crs.proj4}|${g.transform.join(',')}|${g.width}x${g.height}`;

/** odc-stac `_most_common_gbox`: majority (crs, resolution, anchor), falling back to (crs, resolution) + EDGE. */
export function nativeParams(grids: readonly Grid[], thresh = 0.1): NativeParams | undefined {
  if (grids.length === 0) return undefined;
  for (const g of grids) {
    if (!isAxisAligned(g.transform)) throw new OpenEOError('FeatureUnsupported', 'rotated item grids are not supported');
  }
  if (new Set(grids.map(gridKey)).size === 1) {
    const g = grids[0];
    return { crs: g.crs, resolution: [g.transform[0], g.transform[4]], anchor: gridAnchor(g), grid: g };
  }
  // Counter.most_common keeps first-seen order among ties; a Map iterates in insertion order, so we match it.
  const count = <T>(keyOf: (g: Grid) => string, make: (g: Grid) => T) => {
    const hist = new Map<string, { n: number; v: T }>();
    for (const g of grids) {
      const k = keyOf(g);
      const h = hist.get(k);
      if (h) h.n++;
      else hist.set(k, { n: 1, v: make(g) });
    }
    let best: { n: number; v: T } | undefined;
    for (const h of hist.values()) if (!best || h.n > best.n) best = h;
    return best!;
  };
  const crsKey = (g: Grid) => (g.crs.epsg !== undefined ? `EPSG:${g.crs.epsg}` : g.crs.proj4);
  const full = count(
    (g) => `${crsKey(g)}|${g.transform[0]},${g.transform[4]}|${gridAnchor(g)}`,
    (g): NativeParams => ({ crs: g.crs, resolution: [g.transform[0], g.transform[4]], anchor: gridAnchor(g) }),
  );
  if (full.n / grids.length > thresh) return full.v;
  const loose = count(
    (g) => `${crsKey(g)}|${g.transform[0]},${g.transform[4]}`,
    (g): NativeParams => ({ crs: g.crs, resolution: [g.transform[0], g.transform[4]], anchor: EDGE_ANCHOR }),
  );
  return loose.v;
}

export interface OutputGridRequest {
  /** Spatial extent, in EPSG:4326 unless `bboxCrs` says otherwise. */
  bbox?: BBox;
  bboxCrs?: Crs;
  crs?: Crs;
  resolution?: Resolution;
  anchor?: Anchor;
  pointsPerEdge?: number;
}

/**
 * Output grid for a load, following odc-stac `output_geobox`: missing CRS / resolution / anchor come from the
 * items' grids; with no bbox either, identical item grids are used as they are, otherwise the union of the items'
 * footprints (transformed to the CRS) is snapped. (odc-stac uses the items' `geometry` for that union; we use
 * their grids' outlines, which agree for items whose geometry is the raster footprint, as on EODC.)
 */
export function outputGrid(itemGrids: readonly Grid[], req: OutputGridRequest = {}): Grid | undefined {
  const native = req.crs && req.resolution !== undefined ? undefined : nativeParams(itemGrids);
  const crs = req.crs ?? native?.crs;
  const resolution = req.resolution ?? native?.resolution;
  if (!crs || resolution === undefined) return undefined;
  const nothingAsked = !req.bbox && !req.crs && req.resolution === undefined && req.anchor === undefined;
  if (nothingAsked && native?.grid) return native.grid;
  // Like odc-stac: the items' anchor applies whenever CRS or resolution was taken from them, even with a new CRS.
  const anchor = req.anchor !== undefined ? req.anchor : (native?.anchor ?? EDGE_ANCHOR);
  if (req.bbox) {
    const o: GridForBboxOptions = { anchor, pointsPerEdge: req.pointsPerEdge };
    if (req.bboxCrs) o.bboxCrs = req.bboxCrs;
    return gridForBbox(req.bbox, crs, resolution, o);
  }
  let u: [number, number, number, number] | undefined;
  for (const g of itemGrids) {
    const b = transformBounds(gridBounds(g), g.crs, crs, req.pointsPerEdge ?? 16);
    if (!b) continue;
    u = u ? [Math.min(u[0], b[0]), Math.min(u[1], b[1]), Math.max(u[2], b[2]), Math.max(u[3], b[3])] : [...b];
  }
  return u && gridCoveringBounds(u, crs, resolution, anchor);
}

