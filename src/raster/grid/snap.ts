/**
 * Pixel snapping with the exact rules of odc-geo (the library under odc-stac), so our output grids match what
 * users get from `odc.stac.load`:
 * - a 1-D extent [x0, x1] is covered by whole pixels whose edges sit at `anchor*|res| + k*|res|`;
 * - values within `tol` pixels of an edge count as on it (odc-geo `maybe_int`), so a bbox that is off by a
 *   rounding error does not grow by a pixel; `GeoBox.from_bbox` uses tol = 0.01 px;
 * - at least one pixel; for a negative resolution the returned offset is the upper end (north-up rasters).
 */

/** Whole and fractional part, fraction in [-0.5, 0.5] (odc-geo `split_float`). */
export function splitFloat(x: number): [whole: number, frac: number] {
  if (!Number.isFinite(x)) return [x, 0];
  let frac = x % 1; // same sign as x, like C fmod
  let whole = x - frac;
  if (frac > 0.5) {
    frac -= 1;
    whole += 1;
  } else if (frac < -0.5) {
    frac += 1;
    whole -= 1;
  }
  return [whole, frac];
}

/** `x` rounded to the nearest integer when within `tol` of it, else unchanged. */
export function maybeInt(x: number, tol: number): number {
  const [whole, frac] = splitFloat(x);
  return Math.abs(frac) < tol ? whole : x;
}

/** Snap a scale to an integer or to 1/n when within `tol` (odc-geo `snap_scale`). */
export function snapScale(s: number, tol = 1e-6): number {
  if (Math.abs(s) >= 1 - tol) return maybeInt(s, tol);
  if (Math.abs(s) < tol) return s;
  const inv = 1 / s;
  const snapped = maybeInt(inv, tol);
  return snapped === inv ? s : 1 / snapped;
}

/**
 * Cover [x0, x1] with pixels of size `res` (sign = direction). Returns the world coordinate of the first pixel
 * edge (left for res > 0, top for res < 0) and the pixel count.
 * `anchor` is the pixel fraction at which edges sit relative to 0 (0 = edges on multiples of |res|, 0.5 = centres
 * there); `null` turns snapping off (the grid starts exactly at x0 / x1).
 */
export function snapGrid(x0: number, x1: number, res: number, anchor: number | null = 0, tol = 1e-6): [number, number] {
  if (!(x1 >= x0)) throw new RangeError(`snapGrid: need x0 <= x1, got ${x0}, ${x1}`);
  if (!(res !== 0 && Number.isFinite(res))) throw new RangeError(`snapGrid: invalid resolution ${res}`);
  const r = Math.abs(res);
  if (anchor === null) {
    const n = Math.max(1, Math.ceil(maybeInt((x1 - x0) / r, tol)));
    return [res > 0 ? x0 : x1, n];
  }
  if (!(anchor >= 0 && anchor < 1)) throw new RangeError(`snapGrid: anchor must be in [0, 1), got ${anchor}`);
  const off = anchor * r;
  const i0 = Math.floor(maybeInt((x0 - off) / r, tol));
  const i1 = Math.ceil(maybeInt((x1 - off) / r, tol));
  const n = Math.max(1, i1 - i0);
  return [res > 0 ? i0 * r + off : (i0 + n) * r + off, n];
}
