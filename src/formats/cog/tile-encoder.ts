/** Turns one tile's samples into the bytes stored in the file: optional predictor, then compression. */
import { deflateSync } from 'node:zlib';
import { compress as zstdCompress } from '@bokuweb/zstd-wasm';
import { ensureZstd } from '../zstd.ts';
import { type CogDType, type CogTypedArray, DTYPES, asBytes } from './dtypes.ts';

export type CogCompression = 'zstd' | 'deflate' | 'none';
/** TIFF Predictor tag: 1 none, 2 horizontal differencing (integers), 3 floating point. */
export type CogPredictor = 1 | 2 | 3;

/** TIFF Compression tag values (50000 is the ZSTD code libtiff and GDAL use). */
export const COMPRESSION_TAG: Record<CogCompression, number> = { none: 1, deflate: 8, zstd: 50000 };

export type ByteCompressor = (bytes: Uint8Array) => Uint8Array;

export async function createCompressor(compression: CogCompression, level?: number): Promise<ByteCompressor> {
  switch (compression) {
    case 'none':
      // A copy: callers' tile buffers are reused while encoded bytes wait to be flushed.
      return (bytes) => bytes.slice();
    case 'deflate': {
      const options = { level: level ?? 6 };
      return (bytes) => {
        const out = deflateSync(bytes, options);
        return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      };
    }
    case 'zstd': {
      await ensureZstd();
      // zstd's own default; GDAL's 9 is ~5x slower here for files only a few percent smaller.
      const lvl = level ?? 3;
      return (bytes) => zstdCompress(bytes, lvl);
    }
  }
}

/** Horizontal differencing in place along each row of `rowLength` samples, `stride` samples apart. */
function horizontalDiff(a: CogTypedArray, rows: number, rowLength: number, stride: number): void {
  for (let r = 0; r < rows; r++) {
    const start = r * rowLength;
    for (let i = start + rowLength - 1; i >= start + stride; i--) a[i] = a[i] - a[i - stride];
  }
}

/** TIFF floating point predictor: per row, split samples into byte planes (most significant first), then diff. */
function floatingPointDiff(src: Uint8Array, rows: number, rowSamples: number, bytes: number, stride: number): Uint8Array {
  const out = new Uint8Array(src.length);
  const rowBytes = rowSamples * bytes;
  for (let r = 0; r < rows; r++) {
    const base = r * rowBytes;
    for (let k = 0; k < bytes; k++) {
      const plane = base + (bytes - 1 - k) * rowSamples;
      for (let i = 0, j = base + k; i < rowSamples; i++, j += bytes) out[plane + i] = src[j];
    }
    for (let i = base + rowBytes - 1; i >= base + stride; i--) out[i] = (out[i] - out[i - stride]) & 0xff;
  }
  return out;
}

export interface TileLayout {
  dtype: CogDType;
  tileSize: number;
  /** Samples per pixel inside this tile (bands for pixel interleave, 1 for band interleave). */
  samplesPerPixel: number;
  predictor: CogPredictor;
}

/** Encodes a full tileSize x tileSize tile (samples interleaved per pixel); never modifies `samples`. */
export function encodeTile(samples: CogTypedArray, layout: TileLayout, compress: ByteCompressor): Uint8Array {
  const { tileSize, samplesPerPixel: spp, predictor } = layout;
  if (predictor === 1) return compress(asBytes(samples));
  if (predictor === 2) {
    const copy = new DTYPES[layout.dtype].ctor(samples.length);
    copy.set(samples);
    horizontalDiff(copy, tileSize, tileSize * spp, spp);
    return compress(asBytes(copy));
  }
  const bytes = DTYPES[layout.dtype].bytes;
  return compress(floatingPointDiff(asBytes(samples), tileSize, tileSize * spp, bytes, spp));
}
