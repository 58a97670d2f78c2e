/**
 * COG byte layout: header, GDAL's structural-metadata ghost area, every IFD (full resolution first, then
 * overviews by decreasing size), then tile data (smallest overview first, full resolution last). This is the
 * order GDAL's `validate_cloud_optimized_geotiff` checks and the one that lets readers get all headers in one
 * request.
 */
import { type CogDType, DTYPES } from './dtypes.ts';
import { type CogCrs, type GeoTransform, geoKeyEntries, transformEntries } from './geokeys.ts';
import { COMPRESSION_TAG, type CogCompression, type CogPredictor } from './tile-encoder.ts';
import { type IfdEntry, TiffType, encodeHeader, encodeIfd, ifdByteSize } from './tiff-ifd.ts';

export interface LayoutOptions {
  dtype: CogDType;
  bands: number;
  tileSize: number;
  compression: CogCompression;
  predictor: CogPredictor;
  interleave: 'pixel' | 'band';
  nodata?: number;
  crs?: CogCrs;
  geoTransform?: GeoTransform;
  /** Per band, its description (GDAL shows it as the band's name); none: no descriptions. */
  bandDescriptions?: readonly string[];
}

export interface LevelData {
  width: number;
  height: number;
  /** Segments in the order their tile indices follow (one, or one per band for band interleave). */
  segments: readonly { size: number; offsets: readonly number[]; byteCounts: readonly number[] }[];
}

export interface PlannedLayout {
  /** Header + ghost area + all IFDs, to be followed by the segments in `segmentOrder`. */
  head: Uint8Array;
  segmentOrder: { level: number; segment: number }[];
  totalBytes: number;
  bigTiff: boolean;
}

const GHOST_BODY = 'LAYOUT=IFDS_BEFORE_DATA\nBLOCK_ORDER=ROW_MAJOR\nKNOWN_INCOMPATIBLE_EDITION=NO\n';
const GHOST = `GDAL_STRUCTURAL_METADATA_SIZE=${String(GHOST_BODY.length).padStart(6, '0')} bytes\n${GHOST_BODY}`;
const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  SamplesPerPixel: 277,
  PlanarConfiguration: 284,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  ExtraSamples: 338,
  SampleFormat: 339,
  GdalMetadata: 42112,
  GdalNodata: 42113,
} as const;

const xmlText = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** GDAL's metadata tag holding the band descriptions (what `gdalinfo` prints as Description, rasterio as descriptions). */
function gdalMetadata(descriptions: readonly string[]): string {
  const items = descriptions.map((d, i) => `  <Item name="DESCRIPTION" sample="${i}" role="description">${xmlText(d)}</Item>\n`);
  return `<GDALMetadata>\n${items.join('')}</GDALMetadata>\n`;
}

/** GDAL's textual nodata convention. */
export const formatNodata = (v: number): string =>
  Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);

function levelEntries(
  o: LayoutOptions,
  level: number,
  width: number,
  height: number,
  offsets: number[],
  counts: number[],
  bigTiff: boolean,
): IfdEntry[] {
  const info = DTYPES[o.dtype];
  const perBand = (v: number) => new Array<number>(o.bands).fill(v);
  const entries: IfdEntry[] = [
    { tag: TAG.NewSubfileType, type: TiffType.LONG, values: [level === 0 ? 0 : 1] },
    { tag: TAG.ImageWidth, type: TiffType.LONG, values: [width] },
    { tag: TAG.ImageLength, type: TiffType.LONG, values: [height] },
    { tag: TAG.BitsPerSample, type: TiffType.SHORT, values: perBand(info.bytes * 8) },
    { tag: TAG.Compression, type: TiffType.SHORT, values: [COMPRESSION_TAG[o.compression]] },
    { tag: TAG.Photometric, type: TiffType.SHORT, values: [1] },
    { tag: TAG.SamplesPerPixel, type: TiffType.SHORT, values: [o.bands] },
    { tag: TAG.PlanarConfiguration, type: TiffType.SHORT, values: [o.interleave === 'pixel' ? 1 : 2] },
    { tag: TAG.TileWidth, type: TiffType.LONG, values: [o.tileSize] },
    { tag: TAG.TileLength, type: TiffType.LONG, values: [o.tileSize] },
    { tag: TAG.TileOffsets, type: bigTiff ? TiffType.LONG8 : TiffType.LONG, values: offsets },
    { tag: TAG.TileByteCounts, type: bigTiff ? TiffType.LONG8 : TiffType.LONG, values: counts },
    { tag: TAG.SampleFormat, type: TiffType.SHORT, values: perBand(info.sampleFormat) },
  ];
  if (o.predictor !== 1) entries.push({ tag: TAG.Predictor, type: TiffType.SHORT, values: [o.predictor] });
  if (o.bands > 1) entries.push({ tag: TAG.ExtraSamples, type: TiffType.SHORT, values: new Array(o.bands - 1).fill(0) });
  if (o.nodata !== undefined) entries.push({ tag: TAG.GdalNodata, type: TiffType.ASCII, values: formatNodata(o.nodata) });
  if (level === 0) {
    if (o.bandDescriptions?.length) entries.push({ tag: TAG.GdalMetadata, type: TiffType.ASCII, values: gdalMetadata(o.bandDescriptions) });
    if (o.crs) entries.push(...geoKeyEntries(o.crs));
    if (o.geoTransform) entries.push(...transformEntries(o.geoTransform));
  }
  return entries;
}

function plan(o: LayoutOptions, levels: readonly LevelData[], bigTiff: boolean): PlannedLayout {
  const headerSize = bigTiff ? 16 : 8;
  const ghostEnd = headerSize + GHOST.length;
  const firstIfd = ghostEnd + (ghostEnd & 1);
  const tileCount = (l: LevelData) => l.segments.reduce((n, s) => n + s.offsets.length, 0);
  const sizes = levels.map((l, i) => {
    const zeros = new Array<number>(tileCount(l)).fill(0);
    return ifdByteSize(levelEntries(o, i, l.width, l.height, zeros, zeros, bigTiff), bigTiff);
  });
  const ifdOffsets: number[] = [];
  let pos = firstIfd;
  for (const s of sizes) {
    ifdOffsets.push(pos);
    pos += s + (s & 1);
  }
  const dataStart = pos;
  const segmentOrder: { level: number; segment: number }[] = [];
  const bases = levels.map((l) => new Array<number>(l.segments.length).fill(0));
  for (let li = levels.length - 1; li >= 0; li--) {
    levels[li].segments.forEach((seg, si) => {
      bases[li][si] = pos;
      segmentOrder.push({ level: li, segment: si });
      pos += seg.size;
    });
  }
  const head = new Uint8Array(dataStart);
  head.set(encodeHeader(firstIfd, bigTiff), 0);
  for (let i = 0; i < GHOST.length; i++) head[headerSize + i] = GHOST.charCodeAt(i);
  levels.forEach((l, li) => {
    const offsets: number[] = [];
    const counts: number[] = [];
    l.segments.forEach((seg, si) => {
      for (let t = 0; t < seg.offsets.length; t++) {
        offsets.push(bases[li][si] + seg.offsets[t]);
        counts.push(seg.byteCounts[t]);
      }
    });
    const next = li + 1 < levels.length ? ifdOffsets[li + 1] : 0;
    const ifd = encodeIfd(levelEntries(o, li, l.width, l.height, offsets, counts, bigTiff), ifdOffsets[li], next, bigTiff);
    head.set(ifd, ifdOffsets[li]);
  });
  return { head, segmentOrder, totalBytes: pos, bigTiff };
}

const CLASSIC_LIMIT = 2 ** 32;

/** Plans the file; `bigTiff: 'auto'` switches to BigTIFF only when classic 32-bit offsets cannot address it. */
export function planLayout(o: LayoutOptions, levels: readonly LevelData[], bigTiff: boolean | 'auto'): PlannedLayout {
  if (bigTiff !== 'auto') return plan(o, levels, bigTiff);
  const classic = plan(o, levels, false);
  return classic.totalBytes < CLASSIC_LIMIT ? classic : plan(o, levels, true);
}
