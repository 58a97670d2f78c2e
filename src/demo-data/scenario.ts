/**
 * What a demo collection contains: which crops of which Equi7 T3 tiles, when each acquisition happened, which
 * swath it saw, and the flood scene. Everything is drawn from the seed, so a plan is fully reproducible.
 */
import proj4 from 'proj4';
import { EQUI7_ASIA_PROJ4, PIXEL_M, T3_PIXELS, parseT3Tile } from './equi7.ts';
import { type FloodModel, type Swath, makeFloodModel, swathCoverage } from './flood-model.ts';
import { mulberry32, subSeed, uniform } from './prng.ts';

export type DemoSize = 'small' | 'medium' | 'large';

/** The EODC GFM tutorial's area of interest (lon/lat): the medium size covers its native grid. */
export const TUTORIAL_AOI: readonly [number, number, number, number] = [67.398376, 26.197341, 69.0271, 27.591066];

/** A window of a T3 tile; the COG's own grid is (x0, y0) top-left, 20 m pixels, cols x rows. */
export interface CropWindow {
  tile: string;
  x0: number;
  y0: number;
  cols: number;
  rows: number;
}

export interface Acquisition {
  index: number;
  /** 0 for the first acquisition, 1 for the last: drives the recession. */
  tau: number;
  /** ISO 8601, whole seconds, UTC. */
  datetime: string;
  swath: Swath;
  acquisitionSeed: number;
  /** The crops this pass saw (each becomes one item). */
  crops: CropWindow[];
}

export interface DemoPlan {
  size: DemoSize;
  crops: CropWindow[];
  acquisitions: Acquisition[];
  flood: FloodModel;
}

const BLOCK = 512;
const TILES4 = ['E015N027T3', 'E018N027T3', 'E015N030T3', 'E018N030T3'];
const STEPS: Record<DemoSize, number> = { small: 8, medium: 20, large: 85 };

function window(tile: string, col0: number, row0: number, cols: number, rows: number): CropWindow {
  const t = parseT3Tile(tile);
  return { tile, x0: t.x0 + col0 * PIXEL_M, y0: t.y0 - row0 * PIXEL_M, cols, rows };
}

/** Crops of `tiles` covering the AOI's footprint, widened to the tiles' own 512-px block grid. */
export function aoiCrops(aoi: readonly number[], tiles: readonly string[]): CropWindow[] {
  const conv = proj4('EPSG:4326', EQUI7_ASIA_PROJ4);
  const [w, s, e, n] = aoi;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i <= 64; i++) {
    const f = i / 64;
    for (const p of [
      [w + (e - w) * f, s],
      [w + (e - w) * f, n],
      [w, s + (n - s) * f],
      [e, s + (n - s) * f],
    ]) {
      const [x, y] = conv.forward(p);
      xs.push(x);
      ys.push(y);
    }
  }
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const crops: CropWindow[] = [];
  for (const name of tiles) {
    const t = parseT3Tile(name);
    const c0 = Math.floor((minX - t.x0) / PIXEL_M / BLOCK) * BLOCK;
    const c1 = Math.min(T3_PIXELS, Math.ceil((maxX - t.x0) / PIXEL_M / BLOCK) * BLOCK);
    const r0 = Math.floor((t.y0 - maxY) / PIXEL_M / BLOCK) * BLOCK;
    const r1 = Math.min(T3_PIXELS, Math.ceil((t.y0 - minY) / PIXEL_M / BLOCK) * BLOCK);
    const col0 = Math.max(0, c0);
    const row0 = Math.max(0, r0);
    if (c1 > col0 && r1 > row0) crops.push(window(name, col0, row0, c1 - col0, r1 - row0));
  }
  return crops;
}

export function cropsFor(size: DemoSize): CropWindow[] {
  switch (size) {
    case 'small':
      // Two 2000-px crops that meet at the tile boundary, inside the tutorial AOI.
      return [window('E015N027T3', T3_PIXELS - 2000, 0, 2000, 2000), window('E018N027T3', 0, 0, 2000, 2000)];
    case 'medium':
      return aoiCrops(TUTORIAL_AOI, TILES4);
    case 'large':
      return TILES4.map((t) => window(t, 0, 0, T3_PIXELS, T3_PIXELS));
  }
}

const gridOf = (c: CropWindow) => ({ x0: c.x0, y0: c.y0, res: PIXEL_M, width: c.cols, height: c.rows });

/** Per-item nodata must land in 60–90 %: a crop is either untouched or covered 12–38 % (margin for the test). */
const coverageOk = (f: number) => f === 0 || (f >= 0.12 && f <= 0.38);

/**
 * Aims a swath at a random crop (so narrow crops get passes too) and keeps the first draw where every crop is
 * either missed or covered within range, and at least two crops are seen.
 */
function drawSwath(rng: () => number, crops: CropWindow[]): { swath: Swath; crops: CropWindow[] } {
  const needed = Math.min(2, crops.length);
  let best: { swath: Swath; crops: CropWindow[] } | undefined;
  for (let attempt = 0; attempt < 5000; attempt++) {
    const target = crops[Math.floor(rng() * crops.length)];
    const width = target.cols * PIXEL_M;
    const angle = uniform(rng, -0.25, 0.25);
    const swath: Swath = {
      cx: target.x0 + width * uniform(rng, 0, 1),
      cy: target.y0 - (target.rows * PIXEL_M) / 2,
      cos: Math.cos(angle),
      sin: Math.sin(angle),
      halfWidth: width * uniform(rng, 0.05, 0.2),
    };
    const cover = crops.map((c) => swathCoverage(swath, gridOf(c)));
    const seen = crops.filter((_, i) => cover[i] >= 0.12 && cover[i] <= 0.38);
    if (cover.every(coverageOk) && seen.length >= needed) return { swath, crops: seen };
    if (seen.length > 0 && (!best || seen.length > best.crops.length)) best = { swath, crops: seen };
  }
  if (!best) throw new Error('demo data: no swath found for an acquisition');
  return best;
}

export function planDemo(size: DemoSize, seed: number): DemoPlan {
  const crops = cropsFor(size);
  const rng = mulberry32(subSeed(seed, 0));
  const area = {
    x0: Math.min(...crops.map((c) => c.x0)),
    x1: Math.max(...crops.map((c) => c.x0 + c.cols * PIXEL_M)),
    y0: Math.min(...crops.map((c) => c.y0 - c.rows * PIXEL_M)),
    y1: Math.max(...crops.map((c) => c.y0)),
  };
  const flood = makeFloodModel(rng, subSeed(seed, 1), area);
  const steps = STEPS[size];
  const month0 = Date.UTC(2023, 7, 1);
  const slot = (31 * 86_400_000) / steps;
  const acquisitions: Acquisition[] = [];
  for (let i = 0; i < steps; i++) {
    const t = Math.floor((month0 + (i + 0.1 + 0.8 * rng()) * slot) / 1000) * 1000;
    const { swath, crops: seen } = drawSwath(rng, crops);
    acquisitions.push({
      index: i,
      tau: steps > 1 ? i / (steps - 1) : 0,
      datetime: new Date(t).toISOString().replace('.000Z', 'Z'),
      swath,
      acquisitionSeed: subSeed(seed, 2, i),
      crops: seen,
    });
  }
  return { size, crops, acquisitions, flood };
}
