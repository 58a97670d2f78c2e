import type { Affine, BBox, Grid } from './types.ts';

/** Inverse of an affine transform (world → pixel). Throws on a singular matrix, which no real raster has. */
export function invertAffine(t: Affine): Affine {
  const [a, b, c, d, e, f] = t;
  const det = a * e - b * d;
  if (det === 0 || !Number.isFinite(det)) throw new RangeError(`singular affine transform [${t.join(', ')}]`);
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** Composition `p ∘ q` (apply q first), as `Affine.__mul__` in the affine package. */
export function composeAffine(p: Affine, q: Affine): Affine {
  const [a, b, c, d, e, f] = p;
  const [A, B, C, D, E, F] = q;
  return [a * A + b * D, a * B + b * E, a * C + b * F + c, d * A + e * D, d * B + e * E, d * C + e * F + f];
}

/** World coordinates of continuous pixel coordinates (col, row); use col + 0.5 for a pixel centre. */
export function pixelToWorld(t: Affine, col: number, row: number): [number, number] {
  return [t[0] * col + t[1] * row + t[2], t[3] * col + t[4] * row + t[5]];
}

/** Continuous pixel coordinates of a world point; floor() of them is the pixel containing the point. */
export function worldToPixel(t: Affine, x: number, y: number): [number, number] {
  const inv = invertAffine(t);
  return [inv[0] * x + inv[1] * y + inv[2], inv[3] * x + inv[4] * y + inv[5]];
}

/** True when the transform has no rotation or shear (odc-geo `is_affine_st`, same tolerance). */
export function isAxisAligned(t: Affine, tol = 1e-10): boolean {
  return Math.abs(t[1]) < tol && Math.abs(t[3]) < tol;
}

/** Pixel size as [xres, yres] with signs (north-up rasters have yres < 0). Axis-aligned grids only. */
export function resolutionOf(t: Affine): [number, number] {
  return [t[0], t[4]];
}

/** Bounding box of a grid in its own CRS. */
export function gridBounds(g: Grid): BBox {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [col, row] of [[0, 0], [g.width, 0], [0, g.height], [g.width, g.height]] as const) {
    const [x, y] = pixelToWorld(g.transform, col, row);
    xs.push(x);
    ys.push(y);
  }
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** The grid of the pixel window starting at (col, row) with the given shape, on the same lattice. */
export function subGrid(g: Grid, col: number, row: number, width: number, height: number): Grid {
  const [a, b, c, d, e, f] = g.transform;
  return { crs: g.crs, transform: [a, b, a * col + b * row + c, d, e, d * col + e * row + f], width, height };
}
