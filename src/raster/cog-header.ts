/**
 * Parses a (Cloud-Optimized) GeoTIFF header with geotiff.js over any ByteSource and keeps only what block reads
 * need, as plain numbers and arrays (no geotiff.js objects are retained). The first `headerBytes` of the file are
 * fetched once and serve all IFD and tag reads inside them, so a COG header costs one request.
 */
import GeoTIFF from 'geotiff';
import { OpenEOError } from '../errors.ts';
import { type ByteSource, upstreamInvalid } from './byte-source.ts';
import { type RasterDataType, bytesPerSample, dataTypeFromTiff } from './data-types.ts';

export interface CogInfo {
  href: string;
  width: number;
  height: number;
  /** Block size; for striped files the strip (full width x RowsPerStrip). */
  tileWidth: number;
  tileHeight: number;
  tilesAcross: number;
  tilesDown: number;
  tiled: boolean;
  samplesPerPixel: number;
  /** PlanarConfiguration 2: each band has its own blocks. */
  planar: boolean;
  dataType: RasterDataType;
  bytesPerSample: number;
  compression: number;
  predictor: number;
  littleEndian: boolean;
  /** GDAL_NODATA, if set (may be NaN). */
  nodata: number | undefined;
  /** Per block, band-major for planar files. A byte count of 0 marks a sparse (never written) block. */
  tileOffsets: Float64Array;
  tileByteCounts: Float64Array;
  /** GDAL order [x0, dx, rx, y0, ry, dy], when the file has one. */
  geoTransform: number[] | undefined;
}

type Slice = { offset: number; length: number };

/** The minimal BaseSource shape geotiff.js calls, with the header prefetch in front. */
function geotiffSourceAdapter(source: ByteSource, headerBytes: number, signal?: AbortSignal) {
  let head: Promise<Uint8Array> | undefined;
  const getHead = () => (head ??= source.read([{ offset: 0, length: headerBytes }], signal).then((r) => r[0]));
  const toBuffer = (a: Uint8Array): ArrayBuffer => a.slice().buffer as ArrayBuffer;
  return {
    fileSize: null,
    async fetch(slices: Slice[], sig?: AbortSignal): Promise<ArrayBuffer[]> {
      const h = await getHead();
      const out: ArrayBuffer[] = new Array(slices.length);
      const rest: number[] = [];
      slices.forEach((s, i) => {
        // a short head means the file ends there: serve what exists, geotiff.js reports what is missing
        if (s.offset + s.length <= headerBytes || h.length < headerBytes) {
          out[i] = toBuffer(h.subarray(Math.min(s.offset, h.length), Math.min(s.offset + s.length, h.length)));
        } else rest.push(i);
      });
      if (rest.length) {
        const data = await source.read(
          rest.map((i) => slices[i]),
          sig ?? signal,
        );
        rest.forEach((i, k) => (out[i] = toBuffer(data[k])));
      }
      return out;
    },
    async close() {},
  };
}

const num = (v: unknown): number | undefined => {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return num((v as ArrayLike<unknown>)[0]);
  return undefined;
};

function toFloat64(v: unknown, what: string, href: string): Float64Array {
  if (!v || typeof (v as ArrayLike<unknown>).length !== 'number') throw upstreamInvalid(href, `missing ${what}`);
  const a = v as ArrayLike<number | bigint>;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Number(a[i]);
  return out;
}

export async function readCogHeader(source: ByteSource, headerBytes = 65536, signal?: AbortSignal): Promise<CogInfo> {
  const href = source.id;
  try {
    const adapter = geotiffSourceAdapter(source, headerBytes, signal);
    // fromSource is typed for geotiff's own BaseSource class; the adapter implements the part it calls
    const tiff = await GeoTIFF.fromSource(adapter as never, undefined, signal);
    const image = await tiff.getImage(0);
    const fd = image.fileDirectory;
    const get = (tag: string): unknown => (fd.hasTag(tag as never) ? fd.loadValue(tag as never) : undefined);

    const width = num(await get('ImageWidth'));
    const height = num(await get('ImageLength'));
    if (!width || !height) throw upstreamInvalid(href, 'TIFF without image size');
    const spp = num(await get('SamplesPerPixel')) ?? 1;
    const bits = num(await get('BitsPerSample')) ?? 1;
    const sampleFormat = num(await get('SampleFormat')) ?? 1;
    const dataType = dataTypeFromTiff(sampleFormat, bits);
    if (!dataType) throw upstreamInvalid(href, `unsupported sample type (SampleFormat ${sampleFormat}, ${bits} bits)`);
    const tiled = fd.hasTag('TileWidth' as never);
    const tileWidth = tiled ? num(await get('TileWidth'))! : width;
    const tileHeight = tiled ? num(await get('TileLength'))! : Math.min(num(await get('RowsPerStrip')) ?? height, height);
    if (!(tileWidth > 0 && tileHeight > 0)) throw upstreamInvalid(href, 'invalid block size');
    const planar = (num(await get('PlanarConfiguration')) ?? 1) === 2;
    const tileOffsets = toFloat64(await get(tiled ? 'TileOffsets' : 'StripOffsets'), 'block offsets', href);
    const tileByteCounts = toFloat64(await get(tiled ? 'TileByteCounts' : 'StripByteCounts'), 'block sizes', href);
    const tilesAcross = Math.ceil(width / tileWidth);
    const tilesDown = Math.ceil(height / tileHeight);
    const expected = tilesAcross * tilesDown * (planar ? spp : 1);
    if (tileOffsets.length < expected || tileByteCounts.length < expected) {
      throw upstreamInvalid(href, `${expected} blocks expected but the offsets list ${tileOffsets.length}`);
    }
    const nodataText = fd.hasTag('GDAL_NODATA' as never) ? String(await get('GDAL_NODATA')) : undefined;
    const nodata = nodataText === undefined ? undefined : Number.parseFloat(nodataText.replace(/\0/g, '').trim());
    return {
      href,
      width,
      height,
      tileWidth,
      tileHeight,
      tilesAcross,
      tilesDown,
      tiled,
      samplesPerPixel: spp,
      planar: planar && spp > 1,
      dataType,
      bytesPerSample: bytesPerSample(dataType),
      compression: num(await get('Compression')) ?? 1,
      predictor: num(await get('Predictor')) ?? 1,
      littleEndian: tiff.littleEndian,
      nodata,
      tileOffsets,
      tileByteCounts,
      geoTransform: geoTransformOf((await get('ModelTransformation')) as number[], (await get('ModelTiepoint')) as number[], (await get('ModelPixelScale')) as number[]),
    };
  } catch (e) {
    if (e instanceof OpenEOError || signal?.aborted) throw signal?.aborted ? signal.reason : e;
    throw upstreamInvalid(href, `not a readable GeoTIFF (${(e as Error)?.message ?? e})`, e);
  }
}

function geoTransformOf(mt?: number[], tp?: number[], scale?: number[]): number[] | undefined {
  if (mt && mt.length >= 8) return [mt[3], mt[0], mt[1], mt[7], mt[4], mt[5]];
  if (tp && tp.length >= 6 && scale && scale.length >= 2) {
    return [tp[3] - tp[0] * scale[0], scale[0], 0, tp[4] + tp[1] * scale[1], 0, -scale[1]];
  }
  return undefined;
}

/** Rough memory of a parsed header, for the header cache budget. */
export function cogInfoBytes(info: CogInfo): number {
  return 1024 + info.tileOffsets.byteLength + info.tileByteCounts.byteLength;
}
