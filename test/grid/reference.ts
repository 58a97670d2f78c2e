/** Brute-force references for the tests: one exact transform per pixel, which production code never does. */
import { invertAffine, makeTransform, type Grid } from './helpers.ts';

/** Exact continuous source pixel coordinates of every destination pixel centre, row-major [u0, v0, u1, v1, …]. */
export function exactSourceCoords(dst: Grid, src: Grid): Float64Array {
  const tr = makeTransform(dst.crs, src.crs);
  const inv = invertAffine(src.transform);
  const [a, b, c, d, e, f] = dst.transform;
  const out = new Float64Array(dst.width * dst.height * 2);
  const p = new Float64Array(2);
  for (let j = 0; j < dst.height; j++) {
    for (let i = 0; i < dst.width; i++) {
      tr(a * (i + 0.5) + b * (j + 0.5) + c, d * (i + 0.5) + e * (j + 0.5) + f, p);
      const k = (j * dst.width + i) * 2;
      out[k] = inv[0] * p[0] + inv[1] * p[1] + inv[2];
      out[k + 1] = inv[3] * p[0] + inv[4] * p[1] + inv[5];
    }
  }
  return out;
}

/**
 * Largest distance (in source pixels) between the exact source position of a destination pixel centre and the
 * source pixel the index map picked; 0 when the exact point is inside the picked pixel. Pixels mapped to -1 must
 * be exactly outside (or within `tol` of the raster's border).
 */
export function maxIndexError(index: Int32Array, exact: Float64Array, src: Grid, tol: number): number {
  let worst = 0;
  for (let k = 0; k < index.length; k++) {
    const u = exact[2 * k];
    const v = exact[2 * k + 1];
    const s = index[k];
    if (s < 0) {
      const inside = u >= tol && u < src.width - tol && v >= tol && v < src.height - tol;
      if (inside) worst = Math.max(worst, Infinity);
      continue;
    }
    const sx = s % src.width;
    const sy = Math.floor(s / src.width);
    const du = u < sx ? sx - u : u > sx + 1 ? u - sx - 1 : 0;
    const dv = v < sy ? sy - v : v > sy + 1 ? v - sy - 1 : 0;
    worst = Math.max(worst, du, dv);
  }
  return worst;
}
