/**
 * Nearest-neighbour overviews (factors 2, 4, 8, …) built while full-resolution tiles stream in, row of tiles by
 * row of tiles. Each level keeps only one strip (one row of its own tiles) per band, so memory stays at about
 * width x tileSize samples per band whatever the image height.
 */
import { type CogDType, type CogTypedArray, DTYPES } from './dtypes.ts';

export interface LevelSize {
  width: number;
  height: number;
}

/** Sizes of the full image (index 0) and of each overview, halving until the last fits in one tile. */
export function pyramidSizes(width: number, height: number, tileSize: number, maxLevels = Infinity): LevelSize[] {
  const sizes: LevelSize[] = [{ width, height }];
  for (let l = 1; l <= maxLevels; l++) {
    const prev = sizes[l - 1];
    if (prev.width <= tileSize && prev.height <= tileSize) break;
    const f = 2 ** l;
    sizes.push({ width: Math.ceil(width / f), height: Math.ceil(height / f) });
  }
  return sizes;
}

interface Strip {
  level: number;
  factor: number;
  size: LevelSize;
  tilesAcross: number;
  stripWidth: number;
  /** Tile row of this level that the strip currently holds. */
  tileRow: number;
  bands: CogTypedArray[];
}

/** A finished overview tile row: `tiles[band][tx]` are tileSize x tileSize arrays. */
export interface OverviewTileRow {
  level: number;
  tileRow: number;
  tiles: CogTypedArray[][];
}

export class OverviewPyramid {
  private readonly strips: Strip[];

  constructor(
    private readonly sizes: readonly LevelSize[],
    private readonly tileSize: number,
    private readonly bandCount: number,
    private readonly dtype: CogDType,
    private readonly fill: number,
  ) {
    this.strips = sizes.slice(1).map((size, i) => {
      const tilesAcross = Math.ceil(size.width / tileSize);
      const stripWidth = tilesAcross * tileSize;
      const bands = Array.from({ length: bandCount }, () => {
        const a = new DTYPES[dtype].ctor(stripWidth * tileSize);
        a.fill(fill);
        return a;
      });
      return { level: i + 1, factor: 2 ** (i + 1), size, tilesAcross, stripWidth, tileRow: 0, bands };
    });
  }

  /** Samples the full-resolution tile (tileSize x tileSize, row-major) into every level's current strip. */
  addTile(band: number, tx: number, ty: number, tile: CogTypedArray): void {
    const T = this.tileSize;
    const { width, height } = this.sizes[0];
    const rowEnd = Math.min((ty + 1) * T, height);
    const colEnd = Math.min((tx + 1) * T, width);
    for (const s of this.strips) {
      const f = s.factor;
      const dst = s.bands[band];
      const rowStart = Math.ceil((ty * T) / f) * f;
      const colStart = Math.ceil((tx * T) / f) * f;
      const stripRow0 = s.tileRow * T;
      for (let gr = rowStart; gr < rowEnd; gr += f) {
        const srcRow = (gr - ty * T) * T - tx * T;
        let d = (gr / f - stripRow0) * s.stripWidth + colStart / f;
        for (let gc = colStart; gc < colEnd; gc += f) dst[d++] = tile[srcRow + gc];
      }
    }
  }

  /**
   * Called after full-resolution tile row `ty` is complete (all columns, all bands): returns the overview tile
   * rows that can no longer change, smallest factor first, and resets their strips.
   */
  completeRow(ty: number): OverviewTileRow[] {
    const T = this.tileSize;
    const done: OverviewTileRow[] = [];
    const fullRowsDone = Math.min((ty + 1) * T, this.sizes[0].height);
    for (const s of this.strips) {
      // Rows of this level whose source rows are all in: the strip is final once its last row is covered.
      const stripLastRow = Math.min((s.tileRow + 1) * T, s.size.height) - 1;
      if (s.tileRow * T >= s.size.height || stripLastRow * s.factor >= fullRowsDone) continue;
      const tiles = s.bands.map((strip) => {
        const row: CogTypedArray[] = [];
        for (let tx = 0; tx < s.tilesAcross; tx++) {
          const tile = new DTYPES[this.dtype].ctor(T * T);
          for (let r = 0; r < T; r++) {
            const start = r * s.stripWidth + tx * T;
            tile.set(strip.subarray(start, start + T), r * T);
          }
          row.push(tile);
        }
        strip.fill(this.fill);
        return row;
      });
      done.push({ level: s.level, tileRow: s.tileRow, tiles });
      s.tileRow++;
    }
    return done;
  }
}
