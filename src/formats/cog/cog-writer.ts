/**
 * Streaming Cloud-Optimized GeoTIFF writer. Tiles are pushed full resolution, row of tiles by row of tiles;
 * each is encoded at once into a temporary segment file, overviews are sampled on the fly, and `finish` writes
 * headers + IFDs followed by the segments in COG order. Memory stays at a few tile rows whatever the image size.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OpenEOError } from '../../errors.ts';
import { planLayout } from './cog-layout.ts';
import { type CogDType, type CogTypedArray, DTYPES, asBytes, isCogDType, matchesDType } from './dtypes.ts';
import { type CogCrs, type GeoTransform, geoKeyEntries, transformEntries } from './geokeys.ts';
import { type LevelSize, OverviewPyramid, pyramidSizes } from './overview-pyramid.ts';
import {
  type ByteCompressor,
  type CogCompression,
  type CogPredictor,
  type TileLayout,
  createCompressor,
  encodeTile,
} from './tile-encoder.ts';
import { TileSegment } from './tile-segment.ts';

export interface CogOptions {
  width: number;
  height: number;
  /** Number of bands (default 1). */
  bands?: number;
  dtype: CogDType;
  /** Tile edge in pixels, a multiple of 16 (default 512). */
  tileSize?: number;
  /** Default 'zstd'. */
  compression?: CogCompression;
  /** Codec level (zstd default 3, deflate default 6). */
  level?: number;
  /** 1 none (default), 2 horizontal differencing, 3 floating point (float types only). */
  predictor?: CogPredictor;
  /** 'pixel' = PlanarConfiguration 1 (default), 'band' = PlanarConfiguration 2. */
  interleave?: 'pixel' | 'band';
  nodata?: number;
  crs?: CogCrs;
  /** GDAL order: [x0, pixelWidth, 0, y0, 0, -pixelHeight]. */
  geoTransform?: GeoTransform;
  /** Per band, its description (GDAL's band name; the variable it holds). */
  bandDescriptions?: readonly string[];
  /** true (default): halve until the smallest level fits in one tile; a number caps the overview count; false: none. */
  overviews?: boolean | number;
  /** 'auto' (default): BigTIFF only when the file would not fit 32-bit offsets. */
  bigTiff?: boolean | 'auto';
  /** Where temporary tile segments go (default: the OS temp dir; `writeCog` uses the target's folder). */
  tempDir?: string;
}

export interface CogWriteResult {
  bytes: number;
  bigTiff: boolean;
  /** Full resolution first, then each overview. */
  levels: LevelSize[];
}

type Resolved = Required<Omit<CogOptions, 'nodata' | 'crs' | 'geoTransform' | 'bandDescriptions' | 'tempDir'>> &
  Pick<CogOptions, 'nodata' | 'crs' | 'geoTransform' | 'bandDescriptions'>;

const invalid = (msg: string) => new OpenEOError('ProcessParameterInvalid', `GeoTIFF writer: ${msg}`);

function resolve(o: CogOptions): Resolved {
  const r: Resolved = {
    bands: 1,
    tileSize: 512,
    compression: 'zstd',
    level: o.compression === 'deflate' ? 6 : 3,
    predictor: 1,
    interleave: 'pixel',
    overviews: true,
    bigTiff: 'auto',
    ...Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'tempDir')),
  } as Resolved;
  const posInt = (v: number) => Number.isInteger(v) && v > 0;
  if (!posInt(r.width) || !posInt(r.height)) throw invalid('width and height must be positive integers');
  if (!posInt(r.bands) || r.bands > 65535) throw invalid('invalid band count');
  if (r.bandDescriptions && r.bandDescriptions.length !== r.bands) throw invalid(`${r.bandDescriptions.length} band descriptions for ${r.bands} bands`);
  if (!isCogDType(r.dtype)) throw invalid(`unsupported data type ${String(r.dtype)}`);
  if (!posInt(r.tileSize) || r.tileSize % 16 !== 0) throw invalid('tileSize must be a positive multiple of 16');
  if (!['zstd', 'deflate', 'none'].includes(r.compression)) throw invalid(`unsupported compression ${r.compression}`);
  if (![1, 2, 3].includes(r.predictor)) throw invalid('predictor must be 1, 2 or 3');
  if (r.predictor === 3 && DTYPES[r.dtype].sampleFormat !== 3) throw invalid('predictor 3 needs a float type');
  // Fail before any tile is encoded rather than when the headers are assembled.
  if (r.crs) geoKeyEntries(r.crs);
  if (r.geoTransform) transformEntries(r.geoTransform);
  return r;
}

const isConstant = (a: CogTypedArray): boolean => {
  const v = a[0];
  if (v !== v) {
    for (let i = 1; i < a.length; i++) if (a[i] === a[i]) return false;
    return true;
  }
  for (let i = 1; i < a.length; i++) if (a[i] !== v) return false;
  return true;
};

export class CogWriter {
  readonly levels: LevelSize[];
  readonly tilesAcross: number;
  readonly tilesDown: number;
  private next = 0;
  /** segments[level][0] for pixel interleave, segments[level][band] for band interleave. */
  private readonly segments: TileSegment[][];
  private readonly pyramid: OverviewPyramid;
  /** Pixel-interleaved full-resolution tile being assembled band by band. */
  private readonly pixelTile: CogTypedArray;
  /** Constant tiles (e.g. all nodata) compress to the same bytes: encode each value once. */
  private readonly constantTiles = new Map<number, { samples: Uint8Array; encoded: Uint8Array }>();
  private closed = false;

  private constructor(
    private readonly o: Resolved,
    private readonly dir: string,
    private readonly compress: ByteCompressor,
    segments: TileSegment[][],
  ) {
    const T = o.tileSize;
    const maxLevels = o.overviews === true ? Infinity : o.overviews === false ? 0 : o.overviews;
    this.levels = pyramidSizes(o.width, o.height, T, maxLevels);
    this.tilesAcross = Math.ceil(o.width / T);
    this.tilesDown = Math.ceil(o.height / T);
    this.segments = segments;
    this.pyramid = new OverviewPyramid(this.levels, T, o.bands, o.dtype, o.nodata ?? 0);
    this.pixelTile = new DTYPES[o.dtype].ctor(o.interleave === 'pixel' && o.bands > 1 ? T * T * o.bands : 0);
  }

  static async create(options: CogOptions): Promise<CogWriter> {
    const o = resolve(options);
    const compress = await createCompressor(o.compression, o.level);
    const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'cog-'));
    const maxLevels = o.overviews === true ? Infinity : o.overviews === false ? 0 : o.overviews;
    const levelCount = pyramidSizes(o.width, o.height, o.tileSize, maxLevels).length;
    const perLevel = o.interleave === 'band' ? o.bands : 1;
    const segments: TileSegment[][] = [];
    try {
      for (let l = 0; l < levelCount; l++) {
        const row: TileSegment[] = [];
        segments.push(row);
        for (let s = 0; s < perLevel; s++) row.push(await TileSegment.create(join(dir, `L${l}-S${s}.bin`)));
      }
    } catch (e) {
      await Promise.all(segments.flat().map((s) => s.discard()));
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    return new CogWriter(o, dir, compress, segments);
  }

  /** Index of the next expected tile: rows of tiles top to bottom, columns left to right, bands innermost. */
  get nextTile(): { band: number; tx: number; ty: number } | undefined {
    const { bands } = this.o;
    if (this.next >= this.tilesAcross * this.tilesDown * bands) return undefined;
    return {
      band: this.next % bands,
      tx: Math.floor(this.next / bands) % this.tilesAcross,
      ty: Math.floor(this.next / (bands * this.tilesAcross)),
    };
  }

  /**
   * Adds one full-resolution tile of one band. `data` has tileSize x tileSize samples (row-major; what lies beyond
   * the image edge is stored but never read) or exactly the edge tile's width x height samples. `data` is not
   * kept once the returned promise resolves, so callers may reuse one buffer for every tile.
   */
  async writeTile(band: number, tx: number, ty: number, data: CogTypedArray): Promise<void> {
    const expected = this.nextTile;
    if (this.closed || !expected) throw new OpenEOError('Internal', 'GeoTIFF writer: all tiles already written');
    if (expected.band !== band || expected.tx !== tx || expected.ty !== ty)
      throw new OpenEOError('Internal', `GeoTIFF writer: expected tile (${expected.band},${expected.tx},${expected.ty})`);
    if (!matchesDType(data, this.o.dtype)) throw new OpenEOError('Internal', `GeoTIFF writer: tile is not ${this.o.dtype}`);
    const tile = this.padTile(data, tx, ty);
    this.pyramid.addTile(band, tx, ty, tile);
    this.next++;
    if (this.o.interleave === 'band') await this.emit(0, band, tile);
    else if (this.o.bands === 1) await this.emit(0, 0, tile);
    else {
      const n = this.o.bands;
      const out = this.pixelTile;
      for (let i = 0, j = band; i < tile.length; i++, j += n) out[j] = tile[i];
      if (band === n - 1) await this.emit(0, 0, out);
    }
    if (tx === this.tilesAcross - 1 && band === this.o.bands - 1) {
      for (const row of this.pyramid.completeRow(ty)) {
        for (let otx = 0; otx < row.tiles[0].length; otx++) {
          if (this.o.interleave === 'band') {
            for (let b = 0; b < this.o.bands; b++) await this.emit(row.level, b, row.tiles[b][otx]);
          } else {
            await this.emit(row.level, 0, this.interleave(row.tiles.map((t) => t[otx])));
          }
        }
      }
    }
  }

  private padTile(data: CogTypedArray, tx: number, ty: number): CogTypedArray {
    const T = this.o.tileSize;
    if (data.length === T * T) return data;
    const w = Math.min(T, this.o.width - tx * T);
    const h = Math.min(T, this.o.height - ty * T);
    if (data.length !== w * h)
      throw new OpenEOError('Internal', `GeoTIFF writer: tile (${tx},${ty}) has ${data.length} samples`);
    const out = new DTYPES[this.o.dtype].ctor(T * T);
    out.fill(this.o.nodata ?? 0);
    for (let r = 0; r < h; r++) out.set(data.subarray(r * w, r * w + w), r * T);
    return out;
  }

  private interleave(perBand: CogTypedArray[]): CogTypedArray {
    const n = perBand.length;
    if (n === 1) return perBand[0];
    const len = perBand[0].length;
    const out = new DTYPES[this.o.dtype].ctor(len * n);
    for (let b = 0; b < n; b++) {
      const src = perBand[b];
      for (let i = 0, j = b; i < len; i++, j += n) out[j] = src[i];
    }
    return out;
  }

  private async emit(level: number, segment: number, samples: CogTypedArray): Promise<void> {
    const layout = {
      dtype: this.o.dtype,
      tileSize: this.o.tileSize,
      samplesPerPixel: this.o.interleave === 'pixel' ? this.o.bands : 1,
      predictor: this.o.predictor,
    };
    const bytes = this.encodeOrReuse(samples, layout);
    await this.segments[level][segment].append(bytes);
  }

  /**
   * Constant tiles (e.g. all nodata) are common and compress to the same bytes: the first one of each value is
   * scanned and encoded, later ones are recognised with a native memcmp against its samples.
   */
  private encodeOrReuse(samples: CogTypedArray, layout: TileLayout): Uint8Array {
    const v = samples[0];
    if (Object.is(v, -0)) return encodeTile(samples, layout, this.compress);
    const cached = this.constantTiles.get(v);
    if (cached) {
      const same = cached.samples.length === samples.byteLength && Buffer.compare(asBytes(samples), cached.samples) === 0;
      return same ? cached.encoded : encodeTile(samples, layout, this.compress);
    }
    const encoded = encodeTile(samples, layout, this.compress);
    if (isConstant(samples)) this.constantTiles.set(v, { samples: asBytes(samples).slice(), encoded });
    return encoded;
  }

  /** Writes the finished COG to `sink` (ended afterwards) and removes the temporary files. */
  async finish(sink: Writable, signal?: AbortSignal): Promise<CogWriteResult> {
    if (this.nextTile) throw new OpenEOError('Internal', 'GeoTIFF writer: finish() before all tiles were written');
    this.closed = true;
    try {
      for (const s of this.segments.flat()) await s.close();
      const layout = planLayout(
        this.o,
        this.segments.map((segs, l) => ({ ...this.levels[l], segments: segs })),
        this.o.bigTiff,
      );
      const segments = this.segments;
      async function* bytes() {
        yield layout.head;
        for (const { level, segment } of layout.segmentOrder) {
          yield* createReadStream(segments[level][segment].path, { highWaterMark: 1 << 20 });
        }
      }
      await pipeline(bytes, sink, signal ? { signal } : {});
      return { bytes: layout.totalBytes, bigTiff: layout.bigTiff, levels: this.levels };
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  /** Drops everything written so far. */
  async abort(): Promise<void> {
    this.closed = true;
    await Promise.all(this.segments.flat().map((s) => s.discard()));
    await rm(this.dir, { recursive: true, force: true });
  }
}
