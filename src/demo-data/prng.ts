/** Deterministic randomness for the demo data: a seeded stream (mulberry32) and a stateless lattice hash. */

export type Rng = () => number;

const MULBERRY_STEP = 0x6d2b79f5;

/** mulberry32's output for the state `a`: a 32-bit unsigned integer. */
function mulberryMix(a: number): number {
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** mulberry32: small, fast, good enough for synthetic scenes; returns floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + MULBERRY_STEP) >>> 0;
    return mulberryMix(a) / 4294967296;
  };
}

/**
 * The first `n` draws of mulberry32(seed) as raw 32-bit integers (each draw times 2^32), for per-pixel noise:
 * one call per block rather than one per pixel, and four random bytes per draw.
 */
export function mulberry32Words(seed: number, out: Uint32Array, n = out.length): void {
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + MULBERRY_STEP) >>> 0;
    out[i] = mulberryMix(a);
  }
}

/** Uniform float in [lo, hi). */
export const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();

/** Stateless hash of a lattice point to [0, 1): the same (ix, iy, seed) gives the same value in every tile. */
export function hash01(ix: number, iy: number, seed: number): number {
  let h = Math.imul(ix | 0, 0x27d4eb2d) ^ Math.imul(iy | 0, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Derives an independent 32-bit seed for a named sub-stream (so adding a draw somewhere shifts nothing else). */
export function subSeed(seed: number, ...keys: number[]): number {
  let h = seed | 0;
  for (const k of keys) h = Math.imul(h ^ Math.imul(k | 0, 0x9e3779b1), 0x85ebca6b) ^ (h >>> 13);
  return (h ^ (h >>> 16)) >>> 0;
}
