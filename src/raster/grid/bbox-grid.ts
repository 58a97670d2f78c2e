/**
 * Output grid of a bounding box, the way odc-stac computes it for `load(..., bbox=…, crs=…, resolution=…)`:
 * the bbox becomes a polygon in its CRS (EPSG:4326 by default), the polygon's vertices are transformed to the
 * target CRS, and the bounding box of the result is covered by whole pixels snapped to the anchor
 * (odc-geo `GeoBox.from_geopolygon` → `GeoBox.from_bbox`, tolerance 0.01 px).
 *
 * Fact worth knowing: odc-geo ≥ 0.1 does NOT densify the polygon in `to_crs` unless asked, so odc-stac projects
 * only the 4 corners. That is our default (`pointsPerEdge: 1`) because users compare pixels with odc-stac; pass
 * a larger value to densify (safer for large boxes whose projected edges bulge outwards).
 */
import { OpenEOError } from '../../errors.ts';
import { EPSG4326, makeTransform } from './crs.ts';
import { snapGrid } from './snap.ts';
import { EDGE_ANCHOR, type Anchor, type BBox, type Crs, type Grid } from './types.ts';

export interface GridForBboxOptions {
  /** CRS of the bbox; EPSG:4326 (lon/lat order) by default. */
  bboxCrs?: Crs;
  /** Pixel-edge anchor; odc-stac uses the items' anchor, which is [0, 0] (edges on multiples of res) for GFM. */
  anchor?: Anchor;
  /** Fraction of a pixel that may be ignored at each side (odc-geo default 0.01). */
  tol?: number;
  /** Points per bbox edge transformed (1 = corners only, like odc-stac). */
  pointsPerEdge?: number;
}

/** A number r means square pixels [r, -r] (north-up); a pair is [xres, yres] with signs. */
export type Resolution = number | readonly [number, number];

export function normalizeResolution(res: Resolution): [number, number] {
  const [rx, ry] = typeof res === 'number' ? [res, -res] : res;
  if (!(Number.isFinite(rx) && Number.isFinite(ry) && rx !== 0 && ry !== 0)) {
    throw new OpenEOError('ProcessParameterInvalid', `invalid resolution ${JSON.stringify(res)}`);
  }
  return [rx, ry];
}

export function gridForBbox(bbox: BBox, targetCrs: Crs, resolution: Resolution, options: GridForBboxOptions = {}): Grid {
  const [rx, ry] = normalizeResolution(resolution);
  const [minX, minY, maxX, maxY] = bbox;
  if (!(minX <= maxX && minY <= maxY) || !bbox.every(Number.isFinite)) {
    throw new OpenEOError('ProcessParameterInvalid', `invalid bounding box [${bbox.join(', ')}]`);
  }
  const b = transformBounds(bbox, options.bboxCrs ?? EPSG4326, targetCrs, options.pointsPerEdge ?? 1);
  if (!b) {
    throw new OpenEOError('ProcessParameterInvalid', `bounding box [${bbox.join(', ')}] cannot be projected to the target CRS`);
  }
  return gridCoveringBounds(b, targetCrs, [rx, ry], options.anchor === undefined ? EDGE_ANCHOR : options.anchor, options.tol ?? 0.01);
}

/** odc-geo `GeoBox.from_bbox(bbox, crs, resolution=…, anchor=…, tol=…)` for a bbox already in `crs`. */
export function gridCoveringBounds(b: BBox, crs: Crs, resolution: Resolution, anchor: Anchor = EDGE_ANCHOR, tol = 0.01): Grid {
  const [rx, ry] = normalizeResolution(resolution);
  const [x0, nx] = snapGrid(b[0], b[2], rx, anchor ? anchor[0] : null, tol);
  const [y0, ny] = snapGrid(b[1], b[3], ry, anchor ? anchor[1] : null, tol);
  return { crs, transform: [rx, 0, x0, 0, ry, y0], width: nx, height: ny };
}

/**
 * Bounds of a bbox's outline after transformation, from `pointsPerEdge` points per edge (starting at each corner).
 * Points that fail to transform are dropped; `undefined` when none survive.
 */
export function transformBounds(bbox: BBox, from: Crs, to: Crs, pointsPerEdge = 1): BBox | undefined {
  const [minX, minY, maxX, maxY] = bbox;
  const tr = makeTransform(from, to);
  const out = new Float64Array(2);
  const n = Math.max(1, Math.floor(pointsPerEdge));
  const corners: [number, number][] = [[minX, minY], [minX, maxY], [maxX, maxY], [maxX, minY]];
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let k = 0; k < 4; k++) {
    const [ax, ay] = corners[k];
    const [bx, by] = corners[(k + 1) % 4];
    for (let i = 0; i < n; i++) {
      const t = i / n;
      tr(ax + (bx - ax) * t, ay + (by - ay) * t, out);
      if (Number.isNaN(out[0]) || Number.isNaN(out[1])) continue;
      if (out[0] < x0) x0 = out[0];
      if (out[0] > x1) x1 = out[0];
      if (out[1] < y0) y0 = out[1];
      if (out[1] > y1) y1 = out[1];
    }
  }
  return x0 <= x1 && y0 <= y1 ? [x0, y0, x1, y1] : undefined;
}
