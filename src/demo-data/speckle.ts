/**
 * The 'speckle' texture of the likelihood band. In the real GFM product the ensemble likelihood of every observed
 * pixel is the mean of three algorithms' per-pixel likelihoods (SAR posterior probabilities and fuzzy memberships,
 * 0–100), so it varies from pixel to pixel even on dry land; the smooth default is 0 on most dry pixels and
 * compresses far better than real inputs, which makes decoding look cheaper than it is. Speckle keeps the flood
 * extent and the smooth likelihood's trend, and draws three per-pixel "algorithm" values around it.
 */

export type DemoTexture = 'smooth' | 'speckle';
export const DEMO_TEXTURES: readonly DemoTexture[] = ['smooth', 'speckle'];

const FLOODED = 1;
/** Likelihood of a dry pixel stays below this, of a flooded one at or above it (as the majority vote implies). */
const FLOOD_MIN = 50;

const byteTable = (f: (u: number) => number): Uint8Array => Uint8Array.from({ length: 256 }, (_, b) => Math.floor(f(b / 256)));
/** One algorithm's likelihood on a dry pixel, from a random byte: skewed towards 0, at most 35. */
const DRY = byteTable((u) => 36 * u * u);
/** How far one algorithm stays below a flooded pixel's smooth likelihood: skewed towards 0, at most 39. */
const SHORTFALL = byteTable((u) => 40 * u * u);
/** Raises a flooded pixel's smooth likelihood first, so that the mean shortfall (~13) leaves many near 100. */
const FLOOD_HEADROOM = 8;
/** A rare dry pixel where one algorithm sees water (smooth surfaces, shadow): 4 in 256 get this much more. */
const FALSE_ALARM = 25;

/** round(sum / 3) by table: the inner loop then has no division. */
const MEAN3 = Uint8Array.from({ length: 3 * 256 }, (_, sum) => Math.round(sum / 3));

/**
 * Replaces the smooth likelihood of the observed pixels of rows [rMin, rMax] (columns spans[2r]..spans[2r+1]) by
 * its speckled version; `words` holds one random 32-bit draw per pixel of the block (row-major, `width` wide).
 */
export function speckleLikelihood(
  extent: Uint8Array,
  likelihood: Uint8Array,
  spans: Int32Array,
  rMin: number,
  rMax: number,
  width: number,
  words: Uint32Array,
): void {
  for (let r = rMin; r <= rMax; r++) {
    const o = r * width;
    for (let i = o + spans[2 * r], end = o + spans[2 * r + 1]; i < end; i++) {
      const w = words[i];
      const b0 = w & 255;
      const b1 = (w >>> 8) & 255;
      const b2 = (w >>> 16) & 255;
      if (extent[i] === FLOODED) {
        const v = likelihood[i] + FLOOD_HEADROOM - MEAN3[SHORTFALL[b0] + SHORTFALL[b1] + SHORTFALL[b2]];
        likelihood[i] = v > 100 ? 100 : v < FLOOD_MIN ? FLOOD_MIN : v;
      } else {
        const v = likelihood[i] + MEAN3[DRY[b0] + DRY[b1] + DRY[b2]] + (w >>> 24 < 4 ? FALSE_ALARM : 0);
        likelihood[i] = v < FLOOD_MIN ? v : FLOOD_MIN - 1;
      }
    }
  }
}
