/**
 * Integer pixel relations between grids that share a CRS and a resolution ("compatible" grids: their pixel
 * lattices differ by a whole-pixel translation), and chunking of a grid into windows.
 */
import { isAxisAligned, subGrid } from './affine.ts';
import { sameCrs } from './crs.ts';
import type { Grid, Window } from './types.ts';

/**
 * Whole-pixel offset of `sub`'s pixel (0,0) in `parent`'s pixel grid, or undefined when the lattices are not
 * compatible. Like odc-geo `bounding_box_in_pixel_domain`: scales equal (relative 1e-9) and an offset within
 * `tol` pixels of an integer (odc-geo uses 1e-8; the mosaic planner passes a looser value).
 */
export function pixelOffset(sub: Grid, parent: Grid, tol = 1e-8): [number, number] | undefined {
  if (!sameCrs(sub.crs, parent.crs)) return undefined;
  const s = sub.transform;
  const p = parent.transform;
  if (!isAxisAligned(s) || !isAxisAligned(p)) return undefined;
  if (Math.abs(s[0] - p[0]) > 1e-9 * Math.abs(p[0]) || Math.abs(s[4] - p[4]) > 1e-9 * Math.abs(p[4])) return undefined;
  const dx = (s[2] - p[2]) / p[0];
  const dy = (s[5] - p[5]) / p[4];
  const rx = Math.round(dx);
  const ry = Math.round(dy);
  if (Math.abs(dx - rx) >= tol || Math.abs(dy - ry) >= tol) return undefined;
  return [rx + 0, ry + 0]; // + 0 turns -0 into 0
}

/** Window of `sub` inside `parent`'s pixel grid (not clipped: may extend outside the parent). */
export function windowOf(sub: Grid, parent: Grid, tol = 1e-8): Window {
  const off = pixelOffset(sub, parent, tol);
  if (!off) throw new RangeError('windowOf: grids do not share a CRS, resolution and pixel lattice');
  return { col: off[0], row: off[1], width: sub.width, height: sub.height };
}

export function intersectWindows(a: Window, b: Window): Window | undefined {
  const col = Math.max(a.col, b.col);
  const row = Math.max(a.row, b.row);
  const width = Math.min(a.col + a.width, b.col + b.width) - col;
  const height = Math.min(a.row + a.height, b.row + b.height) - row;
  return width > 0 && height > 0 ? { col, row, width, height } : undefined;
}

/** Part of `w` inside a [0, width) x [0, height) raster. */
export function clipWindow(w: Window, width: number, height: number): Window | undefined {
  return intersectWindows(w, { col: 0, row: 0, width, height });
}

/** Intersection of two compatible grids, on `a`'s lattice; undefined when they do not overlap. */
export function intersectGrids(a: Grid, b: Grid, tol = 1e-8): Grid | undefined {
  const off = pixelOffset(b, a, tol);
  if (!off) throw new RangeError('intersectGrids: grids do not share a CRS, resolution and pixel lattice');
  const w = intersectWindows({ col: 0, row: 0, width: a.width, height: a.height }, { col: off[0], row: off[1], width: b.width, height: b.height });
  return w && subGrid(a, w.col, w.row, w.width, w.height);
}

/**
 * Split a width x height raster into chunks of at most cw x ch, row-major. Chunk boundaries fall on columns
 * ≡ originCol (mod cw) and rows ≡ originRow (mod ch); with the default origin (0, 0) chunk (i, j) is exactly
 * Zarr chunk (j, i) of an array with chunk shape [ch, cw].
 */
export function chunkWindows(width: number, height: number, cw: number, ch: number, originCol = 0, originRow = 0): Window[] {
  if (!(Number.isInteger(cw) && Number.isInteger(ch) && cw > 0 && ch > 0)) throw new RangeError(`invalid chunk shape ${cw}x${ch}`);
  const starts = (size: number, step: number, origin: number): number[] => {
    const out = [0];
    let s = ((origin % step) + step) % step;
    if (s === 0) s = step;
    for (; s < size; s += step) out.push(s);
    return out;
  };
  const cols = starts(width, cw, originCol);
  const rows = starts(height, ch, originRow);
  const out: Window[] = [];
  for (let j = 0; j < rows.length; j++) {
    const r1 = j + 1 < rows.length ? rows[j + 1] : height;
    for (let i = 0; i < cols.length; i++) {
      const c1 = i + 1 < cols.length ? cols[i + 1] : width;
      out.push({ col: cols[i], row: rows[j], width: c1 - cols[i], height: r1 - rows[j] });
    }
  }
  return out;
}

/**
 * Where the block lattice of `blockGrid` (blocks of bw x bh pixels from its pixel (0,0), e.g. 512-px COG tiles)
 * crosses `grid`: the first column and row of `grid` on a block boundary, in [0, bw) x [0, bh). [0, 0] means
 * chunks that are multiples of the block size align with the blocks. Undefined when the lattices differ.
 */
export function blockLatticeOrigin(grid: Grid, blockGrid: Grid, bw: number, bh: number): [number, number] | undefined {
  const off = pixelOffset(grid, blockGrid);
  if (!off) return undefined;
  const mod = (v: number, m: number) => ((v % m) + m) % m;
  return [mod(-off[0], bw), mod(-off[1], bh)];
}
