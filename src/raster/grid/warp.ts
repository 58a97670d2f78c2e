/**
 * Nearest-neighbour warp index maps through an approximate transformer.
 *
 * For every destination pixel we need the source pixel whose area contains the destination pixel's centre (what
 * GDAL's nearest resampling, and so odc-stac/rasterio, picks). Exact proj4 transforms are computed on a coarse
 * lattice of control points (every `step` pixels); each lattice cell is checked at its centre and edge midpoints
 * against bilinear interpolation of its corners and split in four until the error is below `tolerance` source
 * pixels. Pixels are then filled row by row by interpolation, so the number of proj4 calls grows with the
 * curvature of the mapping, not with the pixel count.
 */
import { invertAffine } from './affine.ts';
import { makeTransform, sameCrs } from './crs.ts';
import type { Grid, Window } from './types.ts';

export interface WarpOptions {
  /** Maximum interpolation error in source pixels (default 1/8). */
  tolerance?: number;
  /** Initial control-point spacing in destination pixels (default 32). */
  step?: number;
  /** Reused output buffer of at least dst.width * dst.height entries. */
  out?: Int32Array;
  signal?: AbortSignal;
}

export interface WarpResult {
  /** Per destination pixel (row-major): row * src.width + col in the source grid, or -1 outside it. */
  index: Int32Array;
  /** Smallest source window holding every referenced pixel; undefined when none is. */
  window?: Window;
  /** Exact (proj4) transforms used, for tests and profiling. */
  exactTransforms: number;
}

// Same nudge as GDAL's nearest kernel: a centre landing exactly on a source edge picks the pixel after it.
const EDGE_EPS = 1e-10;

export function warpIndexMap(dst: Grid, src: Grid, opts: WarpOptions = {}): WarpResult {
  const W = dst.width;
  const H = dst.height;
  const tol = opts.tolerance ?? 0.125;
  const step = Math.max(1, Math.floor(opts.step ?? 32));
  const index = opts.out ? opts.out.subarray(0, W * H) : new Int32Array(W * H);
  if (index.length < W * H) throw new RangeError('warpIndexMap: output buffer too small');
  if (W === 0 || H === 0) return { index, exactTransforms: 0 };
  const sw = src.width;
  const sh = src.height;
  const [da, db, dc, dd, de, df] = dst.transform;
  const [ia, ib, ic, id, ie, iF] = invertAffine(src.transform);
  const tr = sameCrs(dst.crs, src.crs) ? undefined : makeTransform(dst.crs, src.crs);
  const pt = new Float64Array(2);
  const uv = new Float64Array(2);
  let exactTransforms = 0;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;

  /** Exact source pixel coordinates of destination pixel (i, j)'s centre, into uv. */
  const exact = (i: number, j: number): void => {
    const x = da * (i + 0.5) + db * (j + 0.5) + dc;
    const y = dd * (i + 0.5) + de * (j + 0.5) + df;
    let sx = x;
    let sy = y;
    if (tr) {
      tr(x, y, pt);
      exactTransforms++;
      sx = pt[0];
      sy = pt[1];
    }
    uv[0] = ia * sx + ib * sy + ic;
    uv[1] = id * sx + ie * sy + iF;
  };

  const put = (k: number, u: number, v: number): void => {
    const sx = Math.floor(u + EDGE_EPS);
    const sy = Math.floor(v + EDGE_EPS);
    if (sx >= 0 && sx < sw && sy >= 0 && sy < sh) {
      index[k] = sy * sw + sx;
      if (sx < minX) minX = sx;
      if (sx > maxX) maxX = sx;
      if (sy < minY) minY = sy;
      if (sy > maxY) maxY = sy;
    } else {
      index[k] = -1;
    }
  };

  // Leaf cells own columns [i0, i1) and rows [j0, j1), plus the last column / row of the raster.
  const fill = (i0: number, j0: number, i1: number, j1: number, c: Float64Array): void => {
    const iEnd = i1 === W - 1 ? i1 : i1 - 1;
    const jEnd = j1 === H - 1 ? j1 : j1 - 1;
    const di = i1 - i0;
    const dj = j1 - j0;
    for (let j = j0; j <= jEnd; j++) {
      const t = dj === 0 ? 0 : (j - j0) / dj;
      const uL = c[0] + (c[4] - c[0]) * t;
      const vL = c[1] + (c[5] - c[1]) * t;
      const uR = c[2] + (c[6] - c[2]) * t;
      const vR = c[3] + (c[7] - c[3]) * t;
      const du = di === 0 ? 0 : (uR - uL) / di;
      const dv = di === 0 ? 0 : (vR - vL) / di;
      const row = j * W;
      for (let i = i0; i <= iEnd; i++) put(row + i, uL + du * (i - i0), vL + dv * (i - i0));
    }
  };

  // c = [u00, v00, u10, v10, u01, v01, u11, v11] for corners (i0,j0), (i1,j0), (i0,j1), (i1,j1).
  const refine = (i0: number, j0: number, i1: number, j1: number, c: Float64Array): void => {
    const splitI = i1 - i0 >= 2;
    const splitJ = j1 - j0 >= 2;
    const cornersFinite = c.every(Number.isFinite);
    if (!splitI && !splitJ) {
      if (cornersFinite) return fill(i0, j0, i1, j1, c);
      // Every pixel of a minimal cell is a corner: use the exact values, no interpolation through NaN.
      const own = (i: number, j: number) => (i < i1 || i1 === W - 1) && (j < j1 || j1 === H - 1);
      if (own(i0, j0)) put(j0 * W + i0, c[0], c[1]);
      if (i1 !== i0 && own(i1, j0)) put(j0 * W + i1, c[2], c[3]);
      if (j1 !== j0 && own(i0, j1)) put(j1 * W + i0, c[4], c[5]);
      if (i1 !== i0 && j1 !== j0 && own(i1, j1)) put(j1 * W + i1, c[6], c[7]);
      return;
    }
    const im = splitI ? (i0 + i1) >> 1 : i0;
    const jm = splitJ ? (j0 + j1) >> 1 : j0;
    // Exact values at the check points: top, bottom, left, right edge midpoints and the centre.
    const m = new Float64Array(10);
    let err = 0;
    let anyFinite = cornersFinite;
    const check = (k: number, i: number, j: number) => {
      exact(i, j);
      m[k] = uv[0];
      m[k + 1] = uv[1];
      const s = i1 === i0 ? 0 : (i - i0) / (i1 - i0);
      const t = j1 === j0 ? 0 : (j - j0) / (j1 - j0);
      for (let q = 0; q < 2; q++) {
        const top = c[q] + (c[2 + q] - c[q]) * s;
        const bottom = c[4 + q] + (c[6 + q] - c[4 + q]) * s;
        const e = Math.abs(top + (bottom - top) * t - uv[q]);
        err = Number.isNaN(e) ? Infinity : Math.max(err, e);
      }
      if (Number.isFinite(uv[0]) && Number.isFinite(uv[1])) anyFinite = true;
    };
    if (splitI) {
      check(0, im, j0);
      check(2, im, j1);
    }
    if (splitJ) {
      check(4, i0, jm);
      check(6, i1, jm);
    }
    if (splitI && splitJ) check(8, im, jm);
    if (err <= tol) return fill(i0, j0, i1, j1, c);
    if (!anyFinite) {
      // Nothing here maps into the source CRS at all (outside the projection's domain).
      for (let j = j0; j <= (j1 === H - 1 ? j1 : j1 - 1); j++) index.fill(-1, j * W + i0, j * W + (i1 === W - 1 ? i1 + 1 : i1));
      return;
    }
    const sub = (a0: number, b0: number, a1: number, b1: number, q: number[]) =>
      refine(a0, b0, a1, b1, Float64Array.from(q));
    const [u00, v00, u10, v10, u01, v01, u11, v11] = c;
    if (splitI && splitJ) {
      sub(i0, j0, im, jm, [u00, v00, m[0], m[1], m[4], m[5], m[8], m[9]]);
      sub(im, j0, i1, jm, [m[0], m[1], u10, v10, m[8], m[9], m[6], m[7]]);
      sub(i0, jm, im, j1, [m[4], m[5], m[8], m[9], u01, v01, m[2], m[3]]);
      sub(im, jm, i1, j1, [m[8], m[9], m[6], m[7], m[2], m[3], u11, v11]);
    } else if (splitI) {
      sub(i0, j0, im, j1, [u00, v00, m[0], m[1], u01, v01, m[2], m[3]]);
      sub(im, j0, i1, j1, [m[0], m[1], u10, v10, m[2], m[3], u11, v11]);
    } else {
      sub(i0, j0, i1, jm, [u00, v00, u10, v10, m[4], m[5], m[6], m[7]]);
      sub(i0, jm, i1, j1, [m[4], m[5], m[6], m[7], u01, v01, u11, v11]);
    }
  };

  const nodes = (n: number): number[] => {
    const out: number[] = [];
    for (let k = 0; k < n - 1; k += step) out.push(k);
    out.push(n - 1);
    return out;
  };
  const ni = nodes(W);
  const nj = nodes(H);
  // Exact values on the coarse lattice, shared by neighbouring cells.
  const lattice = new Float64Array(ni.length * nj.length * 2);
  for (let b = 0; b < nj.length; b++) {
    for (let a = 0; a < ni.length; a++) {
      exact(ni[a], nj[b]);
      lattice[(b * ni.length + a) * 2] = uv[0];
      lattice[(b * ni.length + a) * 2 + 1] = uv[1];
    }
  }
  const at = (a: number, b: number, q: number) => lattice[(b * ni.length + a) * 2 + q];
  const cellsI = Math.max(1, ni.length - 1);
  const cellsJ = Math.max(1, nj.length - 1);
  for (let b = 0; b < cellsJ; b++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const b1 = Math.min(b + 1, nj.length - 1);
    for (let a = 0; a < cellsI; a++) {
      const a1 = Math.min(a + 1, ni.length - 1);
      const c = Float64Array.of(
        at(a, b, 0), at(a, b, 1), at(a1, b, 0), at(a1, b, 1),
        at(a, b1, 0), at(a, b1, 1), at(a1, b1, 0), at(a1, b1, 1),
      );
      refine(ni[a], nj[b], ni[a1], nj[b1], c);
    }
  }
  const window = maxX >= minX ? { col: minX, row: minY, width: maxX - minX + 1, height: maxY - minY + 1 } : undefined;
  return { index, window, exactTransforms };
}

/** Re-express source indices (into a raster `srcWidth` wide) relative to `win`, in place; -1 stays -1. */
export function rebaseIndex(index: Int32Array, srcWidth: number, win: Window): Int32Array {
  for (let k = 0; k < index.length; k++) {
    const s = index[k];
    if (s < 0) continue;
    const row = Math.floor(s / srcWidth) - win.row;
    const col = (s % srcWidth) - win.col;
    index[k] = col >= 0 && col < win.width && row >= 0 && row < win.height ? row * win.width + col : -1;
  }
  return index;
}
