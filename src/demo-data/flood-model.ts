/**
 * The synthetic GFM scene: a static "flood-prone" field (value noise plus a few large ellipses that shrink over
 * the month) thresholded by a level that rises with time, so patches stay put and recede; a small per-acquisition
 * noise term makes edges differ between passes. Each acquisition only sees a straight swath.
 */
import { type Rng, mulberry32Words, subSeed, uniform } from './prng.ts';
import { type DemoTexture, speckleLikelihood } from './speckle.ts';
import { type BlockGrid, type NoiseOctave, addValueNoise } from './value-noise.ts';

export const NODATA = 255;
/** Field sampling step in pixels (see renderBlock). */
const COARSE = 4;

export interface Swath {
  cx: number;
  cy: number;
  cos: number;
  sin: number;
  /** Valid where |(x - cx)·cos + (y - cy)·sin| <= halfWidth. */
  halfWidth: number;
}

export interface FloodEllipse {
  cx: number;
  cy: number;
  ax: number;
  ay: number;
  cos: number;
  sin: number;
  amplitude: number;
}

export interface FloodModel {
  octaves: NoiseOctave[];
  ellipses: FloodEllipse[];
  /** Fraction by which the ellipses' axes shrink between the first and last acquisition. */
  shrink: number;
  thresholdStart: number;
  thresholdEnd: number;
  seed: number;
}

export interface Extent {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function makeFloodModel(rng: Rng, seed: number, area: Extent): FloodModel {
  const side = Math.min(area.x1 - area.x0, area.y1 - area.y0);
  const ellipses: FloodEllipse[] = [];
  for (let i = 0; i < 5; i++) {
    const angle = uniform(rng, 0, Math.PI);
    ellipses.push({
      cx: uniform(rng, area.x0, area.x1),
      cy: uniform(rng, area.y0, area.y1),
      ax: side * uniform(rng, 0.12, 0.3),
      ay: side * uniform(rng, 0.05, 0.15),
      cos: Math.cos(angle),
      sin: Math.sin(angle),
      amplitude: uniform(rng, 0.25, 0.4),
    });
  }
  const octave = (spacing: number, amplitude: number, k: number) => ({ spacing, amplitude, seed: subSeed(seed, 1, k) });
  return {
    octaves: [octave(12_000, 0.5, 0), octave(4_000, 0.28, 1), octave(1_200, 0.15, 2), octave(300, 0.07, 3)],
    ellipses,
    shrink: uniform(rng, 0.45, 0.65),
    thresholdStart: 0.66,
    thresholdEnd: 0.74,
    seed,
  };
}

/** Columns [c0, c1) of a row whose pixel centres at height y fall inside the swath. */
export function swathSpan(s: Swath, x0: number, res: number, width: number, y: number): [number, number] {
  const base = (y - s.cy) * s.sin;
  const xa = s.cx + (-s.halfWidth - base) / s.cos;
  const xb = s.cx + (s.halfWidth - base) / s.cos;
  const c0 = Math.max(0, Math.ceil((xa - x0) / res - 0.5));
  const c1 = Math.min(width, Math.floor((xb - x0) / res - 0.5) + 1);
  return c1 > c0 ? [c0, c1] : [0, 0];
}

/** Fraction of a grid's pixels inside the swath (exact, one span per row). */
export function swathCoverage(s: Swath, g: BlockGrid): number {
  let n = 0;
  for (let r = 0; r < g.height; r++) {
    const [c0, c1] = swathSpan(s, g.x0, g.res, g.width, g.y0 - (r + 0.5) * g.res);
    n += c1 - c0;
  }
  return n / (g.width * g.height);
}

export interface BlockBuffers {
  extent: Uint8Array;
  likelihood: Uint8Array;
  field: Float32Array;
  spans: Int32Array;
  coarse: Float32Array;
  /** One random 32-bit draw per pixel, for the speckle texture. */
  noise: Uint32Array;
}

export const blockBuffers = (pixels: number, rows: number): BlockBuffers => ({
  extent: new Uint8Array(pixels),
  likelihood: new Uint8Array(pixels),
  field: new Float32Array(pixels),
  spans: new Int32Array(rows * 2),
  coarse: new Float32Array((Math.ceil(pixels / rows / COARSE) + 2) * (Math.ceil(rows / COARSE) + 2)),
  noise: new Uint32Array(pixels),
});

/** Bilinear upsampling by COARSE: fine pixel (r, c) sits at coarse coordinate (r / COARSE, c / COARSE). */
function upsample(src: Float32Array, srcWidth: number, dst: Float32Array, width: number, height: number): void {
  for (let r = 0; r < height; r++) {
    const gy = r / COARSE;
    const iy = Math.floor(gy);
    const fy = gy - iy;
    const a0 = iy * srcWidth;
    const b0 = a0 + srcWidth;
    const o = r * width;
    for (let c = 0; c < width; c++) {
      const ix = (c / COARSE) | 0;
      const fx = c / COARSE - ix;
      const top = src[a0 + ix] + (src[a0 + ix + 1] - src[a0 + ix]) * fx;
      const bottom = src[b0 + ix] + (src[b0 + ix + 1] - src[b0 + ix]) * fx;
      dst[o + c] = top + (bottom - top) * fy;
    }
  }
}

/**
 * Renders both GFM bands of one block for the acquisition at time fraction `tau` (0 first, 1 last), with the
 * likelihood band smooth or speckled (see speckle.ts; the extent band is the same for both).
 * Returns false when the block lies wholly outside the swath (both bands are then all nodata).
 */
export function renderBlock(
  m: FloodModel,
  swath: Swath,
  tau: number,
  acquisitionSeed: number,
  g: BlockGrid,
  buf: BlockBuffers,
  texture: DemoTexture = 'smooth',
): boolean {
  const { width, height, x0, y0, res } = g;
  const { extent, likelihood, field, spans } = buf;
  extent.fill(NODATA);
  likelihood.fill(NODATA);
  // The field is only computed over the bounding box of the swath's pixels in this block.
  let rMin = height;
  let rMax = -1;
  let cMin = width;
  let cMax = 0;
  for (let r = 0; r < height; r++) {
    const [c0, c1] = swathSpan(swath, x0, res, width, y0 - (r + 0.5) * res);
    spans[2 * r] = c0;
    spans[2 * r + 1] = c1;
    if (c1 > c0) {
      if (r < rMin) rMin = r;
      rMax = r;
      if (c0 < cMin) cMin = c0;
      if (c1 > cMax) cMax = c1;
    }
  }
  if (rMax < 0) return false;
  const sub: BlockGrid = { x0: x0 + cMin * res, y0: y0 - rMin * res, res, width: cMax - cMin, height: rMax - rMin + 1 };
  // Every term is smooth at 80 m, so the field is evaluated every COARSE pixels and interpolated bilinearly:
  // one blend per pixel instead of one per noise octave.
  const coarse: BlockGrid = {
    x0: sub.x0 + 0.5 * res - 0.5 * COARSE * res,
    y0: sub.y0 - 0.5 * res + 0.5 * COARSE * res,
    res: COARSE * res,
    width: Math.floor((sub.width - 1) / COARSE) + 2,
    height: Math.floor((sub.height - 1) / COARSE) + 2,
  };
  const small = buf.coarse.subarray(0, coarse.width * coarse.height);
  small.fill(0);
  for (const o of m.octaves) addValueNoise(small, coarse, o);
  addValueNoise(small, coarse, { spacing: 2_500, amplitude: 0.08, seed: acquisitionSeed });
  addEllipses(m, tau, coarse, small);
  upsample(small, coarse.width, field, sub.width, sub.height);
  const threshold = m.thresholdStart + (m.thresholdEnd - m.thresholdStart) * tau + 0.04;
  for (let r = rMin; r <= rMax; r++) {
    const o = r * width;
    const shift = (r - rMin) * sub.width - cMin - o;
    for (let i = o + spans[2 * r], end = o + spans[2 * r + 1]; i < end; i++) {
      const f = field[i + shift] - threshold;
      if (f > 0) {
        extent[i] = 1;
        likelihood[i] = Math.min(100, 50 + Math.floor(f * 400));
      } else {
        extent[i] = 0;
        likelihood[i] = f > -0.04 ? Math.floor((f + 0.04) * 700) : 0;
      }
    }
  }
  if (texture === 'speckle') {
    // Seeded by the acquisition and the block's map position, so a block's noise does not depend on its crop.
    mulberry32Words(subSeed(acquisitionSeed, Math.round(x0 / res), Math.round(y0 / res)), buf.noise, (rMax + 1) * width);
    speckleLikelihood(extent, likelihood, spans, rMin, rMax, width, buf.noise);
  }
  return true;
}

function addEllipses(m: FloodModel, tau: number, g: BlockGrid, field: Float32Array): void {
  const scale = 1 - m.shrink * tau;
  const bx1 = g.x0 + g.width * g.res;
  const by0 = g.y0 - g.height * g.res;
  for (const e of m.ellipses) {
    const ax = e.ax * scale;
    const ay = e.ay * scale;
    const reach = Math.max(ax, ay);
    if (e.cx + reach < g.x0 || e.cx - reach > bx1 || e.cy + reach < by0 || e.cy - reach > g.y0) continue;
    const iax2 = 1 / (ax * ax);
    const iay2 = 1 / (ay * ay);
    for (let r = 0; r < g.height; r++) {
      const dy = g.y0 - (r + 0.5) * g.res - e.cy;
      const o = r * g.width;
      for (let c = 0; c < g.width; c++) {
        const dx = g.x0 + (c + 0.5) * g.res - e.cx;
        const u = dx * e.cos + dy * e.sin;
        const v = dy * e.cos - dx * e.sin;
        const d2 = u * u * iax2 + v * v * iay2;
        if (d2 < 1) field[o + c] += e.amplitude * (1 - d2);
      }
    }
  }
}
