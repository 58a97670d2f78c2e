/**
 * Smooth value noise over map coordinates, so that neighbouring tiles and crops see one continuous field.
 * A block precomputes its lattice corners and per-column offsets; the inner loop is a bilinear blend of four
 * cached values, with no allocation or hashing per pixel.
 */
import { hash01 } from './prng.ts';

export interface NoiseOctave {
  /** Lattice spacing in metres (feature size). */
  spacing: number;
  amplitude: number;
  seed: number;
}

/** A block of pixels: top-left pixel's outer corner (x0, y0) in metres, pixel size, width x height. */
export interface BlockGrid {
  x0: number;
  y0: number;
  res: number;
  width: number;
  height: number;
}

const smooth = (t: number): number => t * t * (3 - 2 * t);

/** Adds `octave` at every pixel centre of `grid` into `out` (row-major, width x height). */
export function addValueNoise(out: Float32Array, grid: BlockGrid, octave: NoiseOctave): void {
  const { x0, y0, res, width, height } = grid;
  const { spacing, amplitude, seed } = octave;
  const ix0 = Math.floor((x0 + res / 2) / spacing);
  const ix1 = Math.floor((x0 + (width - 0.5) * res) / spacing) + 1;
  const iy0 = Math.floor((y0 - (height - 0.5) * res) / spacing);
  const iy1 = Math.floor((y0 - res / 2) / spacing) + 1;
  const nx = ix1 - ix0 + 1;
  const lattice = new Float32Array(nx * (iy1 - iy0 + 1));
  for (let iy = iy0; iy <= iy1; iy++)
    for (let ix = ix0; ix <= ix1; ix++) lattice[(iy - iy0) * nx + (ix - ix0)] = hash01(ix, iy, seed);
  const colIndex = new Int32Array(width);
  const colFrac = new Float32Array(width);
  for (let c = 0; c < width; c++) {
    const g = (x0 + (c + 0.5) * res) / spacing;
    const i = Math.floor(g);
    colIndex[c] = i - ix0;
    colFrac[c] = smooth(g - i);
  }
  for (let r = 0; r < height; r++) {
    const g = (y0 - (r + 0.5) * res) / spacing;
    const i = Math.floor(g);
    const fy = smooth(g - i);
    const row0 = (i - iy0) * nx;
    const row1 = row0 + nx;
    const o = r * width;
    for (let c = 0; c < width; c++) {
      const k = colIndex[c];
      const fx = colFrac[c];
      const a = lattice[row0 + k] + (lattice[row0 + k + 1] - lattice[row0 + k]) * fx;
      const b = lattice[row1 + k] + (lattice[row1 + k + 1] - lattice[row1 + k]) * fx;
      out[o + c] += amplitude * (a + (b - a) * fy);
    }
  }
}
