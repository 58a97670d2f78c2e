/**
 * 256-entry colour tables built from each map's defining control points, interpolated linearly at evenly
 * spaced positions the way matplotlib's `LinearSegmentedColormap.from_list` does (and truncated to bytes as its
 * `bytes=True` does), so "Reds" etc. match what flood scientists see in matplotlib. The sequential maps are
 * ColorBrewer's 9-class schemes. viridis is defined by a smooth curve in a perceptual colour space, which
 * linear interpolation between a few sRGB points misses by up to 17 levels; a published degree-6 polynomial fit
 * per channel (Matt Zucker's, CC0) stays within 4 levels of matplotlib's table.
 */
import { OpenEOError } from '../../errors.ts';

const CONTROL_POINTS: Record<string, string[]> = {
  reds: ['fff5f0', 'fee0d2', 'fcbba1', 'fc9272', 'fb6a4a', 'ef3b2c', 'cb181d', 'a50f15', '67000d'],
  blues: ['f7fbff', 'deebf7', 'c6dbef', '9ecae1', '6baed6', '4292c6', '2171b5', '08519c', '08306b'],
  greys: ['ffffff', 'f0f0f0', 'd9d9d9', 'bdbdbd', '969696', '737373', '525252', '252525', '000000'],
};

/** Coefficients of t^0 … t^6 for r, g, b. */
const POLYNOMIALS: Record<string, number[][]> = {
  viridis: [
    [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
    [0.1050930431085774, 1.404613529898575, 1.384590162594685],
    [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
    [-4.634230498983486, -5.799100973351585, -19.33244095627987],
    [6.228269936347081, 14.17993336680509, 56.69055260068105],
    [4.776384997670288, -13.74514537774601, -65.35303263337234],
    [-5.435455855934631, 4.645852612178535, 26.3124352495832],
  ],
};

export const COLORMAP_NAMES = ['Reds', 'Blues', 'Greys', 'viridis'] as const;
export type ColormapName = (typeof COLORMAP_NAMES)[number];

/** RGB table: 256 entries x 3 bytes. */
export type ColorTable = Uint8Array;

function channel(hex: string, c: number): number {
  return parseInt(hex.slice(2 * c, 2 * c + 2), 16) / 255;
}

/** Builds the table of a map given by evenly spaced control colours (hex RRGGBB). */
export function tableFromControlPoints(hexes: string[], n = 256): ColorTable {
  const table = new Uint8Array(n * 3);
  const k = hexes.length - 1;
  for (let i = 0; i < n; i++) {
    const x = i / (n - 1);
    const seg = Math.min(k - 1, Math.floor(x * k));
    const t = (x - seg / k) / (1 / k);
    for (let c = 0; c < 3; c++) {
      const a = channel(hexes[seg], c);
      const b = channel(hexes[seg + 1], c);
      const v = Math.min(1, Math.max(0, a + t * (b - a)));
      table[i * 3 + c] = Math.trunc(v * 255);
    }
  }
  return table;
}

function tableFromPolynomial(coefficients: number[][], n = 256): ColorTable {
  const table = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const x = i / (n - 1);
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let k = coefficients.length - 1; k >= 0; k--) v = v * x + coefficients[k][c];
      table[i * 3 + c] = Math.trunc(Math.min(1, Math.max(0, v)) * 255);
    }
  }
  return table;
}

function reverseTable(t: ColorTable): ColorTable {
  const out = new Uint8Array(t.length);
  const n = t.length / 3;
  for (let i = 0; i < n; i++) out.set(t.subarray((n - 1 - i) * 3, (n - i) * 3), i * 3);
  return out;
}

/** The table of a named map, case-insensitively; a `_r` suffix reverses it as in matplotlib. */
export function colorTable(name: string): ColorTable {
  const lower = name.toLowerCase();
  const reversed = lower.endsWith('_r');
  const base = reversed ? lower.slice(0, -2) : lower;
  const points = CONTROL_POINTS[base];
  const polynomial = POLYNOMIALS[base];
  if (polynomial) return reversed ? reverseTable(tableFromPolynomial(polynomial)) : tableFromPolynomial(polynomial);
  if (!points) {
    throw new OpenEOError('ProcessParameterInvalid', `Unknown colour map ${JSON.stringify(name)}: use one of ${COLORMAP_NAMES.join(', ')} (optionally with _r).`);
  }
  return tableFromControlPoints(reversed ? [...points].reverse() : points);
}
