/**
 * Which pixels of a grid have their centre inside another grid's extent, that extent being a rectangle in its own
 * CRS: what a load read before resample_spatial moved it onto a grid in another CRS. The rectangle's outline is
 * carried into the grid's pixel coordinates (densified, since it curves there) and filled row by row at the pixel
 * centres, as polygon rasterizers do.
 */
import { gridBounds, invertAffine } from './affine.ts';
import { makeTransform } from './crs.ts';
import type { Grid } from './types.ts';

/** Points per edge of the outline: its curvature across a chunk stays far below a pixel. */
const POINTS_PER_EDGE = 64;

/**
 * [start, end) pairs of flat pixel indices of `target` (row-major, sorted, disjoint) whose centres lie inside the
 * extent of `extent`; undefined when every pixel does. An outline that cannot be carried over (points outside the
 * target CRS's domain) keeps every pixel.
 */
export function clipSpans(target: Grid, extent: Grid): Int32Array | undefined {
  const outline = outlineInPixels(target, extent);
  if (!outline) return undefined;
  const { width, height } = target;
  const spans: number[] = [];
  const crossings: number[] = [];
  let everything = true;
  for (let row = 0; row < height; row++) {
    const v = row + 0.5;
    crossings.length = 0;
    for (let i = 0, n = outline.length / 2; i < n; i++) {
      const j = (i + 1) % n;
      const c1 = outline[2 * i];
      const r1 = outline[2 * i + 1];
      const c2 = outline[2 * j];
      const r2 = outline[2 * j + 1];
      // half-open in rows, so a vertex on the scan line counts once
      if (r1 <= v !== r2 <= v) crossings.push(c1 + ((v - r1) * (c2 - c1)) / (r2 - r1));
    }
    crossings.sort((a, b) => a - b);
    let covered = 0;
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      // columns whose centre col + 0.5 lies in [a, b)
      const from = Math.max(0, Math.ceil(crossings[k] - 0.5));
      const to = Math.min(width, Math.ceil(crossings[k + 1] - 0.5));
      if (from < to) {
        spans.push(row * width + from, row * width + to);
        covered += to - from;
      }
    }
    if (covered !== width) everything = false;
  }
  return everything ? undefined : Int32Array.from(spans);
}

/** The extent's outline as (col, row) pairs in the target's continuous pixel coordinates, or undefined. */
function outlineInPixels(target: Grid, extent: Grid): Float64Array | undefined {
  const [minX, minY, maxX, maxY] = gridBounds(extent);
  const corners = [minX, minY, minX, maxY, maxX, maxY, maxX, minY];
  const tr = makeTransform(extent.crs, target.crs);
  const inv = invertAffine(target.transform);
  const out = new Float64Array(2);
  const pts = new Float64Array(4 * POINTS_PER_EDGE * 2);
  let p = 0;
  for (let k = 0; k < 4; k++) {
    const ax = corners[2 * k];
    const ay = corners[2 * k + 1];
    const bx = corners[(2 * k + 2) % 8];
    const by = corners[(2 * k + 3) % 8];
    for (let i = 0; i < POINTS_PER_EDGE; i++) {
      const t = i / POINTS_PER_EDGE;
      tr(ax + (bx - ax) * t, ay + (by - ay) * t, out);
      if (!Number.isFinite(out[0]) || !Number.isFinite(out[1])) return undefined;
      pts[p++] = inv[0] * out[0] + inv[1] * out[1] + inv[2];
      pts[p++] = inv[3] * out[0] + inv[4] * out[1] + inv[5];
    }
  }
  return pts;
}
