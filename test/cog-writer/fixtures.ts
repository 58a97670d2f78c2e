/** Deterministic synthetic rasters for the writer tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CogDType, type CogTypedArray, DTYPES } from '../../src/formats/cog/index.ts';

/** A value per pixel that exercises the type's range (negatives, large values, fractions). */
export function sample(dtype: CogDType, band: number, x: number, y: number): number {
  const v = (x * 7 + y * 13 + band * 101) % 251;
  switch (dtype) {
    case 'uint8':
      return v;
    case 'uint16':
      return v * 257 + ((x + y) % 3);
    case 'int16':
      return (v - 125) * 250 + (y % 7);
    case 'uint32':
      return v * 16_000_000 + x;
    case 'int32':
      return (v - 125) * 16_000_000 - y;
    case 'float32':
      return Math.fround((v - 125) * 0.37 + x / 1000);
    case 'float64':
      return (v - 125) * 1e-3 + y * 1e6;
  }
}

/** The whole band as GDAL would return it (row-major, native little-endian bytes). */
export function fullBand(dtype: CogDType, band: number, width: number, height: number): CogTypedArray {
  const out = new DTYPES[dtype].ctor(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = sample(dtype, band, x, y);
  return out;
}

/** Tile source over `sample`: exact-size edge tiles (exercises padding) unless `padded`. */
export function tileSource(dtype: CogDType, width: number, height: number, tileSize: number, padded = false) {
  return (band: number, tx: number, ty: number): CogTypedArray => {
    const w = padded ? tileSize : Math.min(tileSize, width - tx * tileSize);
    const h = padded ? tileSize : Math.min(tileSize, height - ty * tileSize);
    const out = new DTYPES[dtype].ctor(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) out[y * w + x] = sample(dtype, band, tx * tileSize + x, ty * tileSize + y);
    return out;
  };
}

export const bytesOf = (a: CogTypedArray): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cog-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const EQUI7_ASIA_PROJ4 =
  '+proj=aeqd +lat_0=47 +lon_0=94 +x_0=4340913.84808 +y_0=4812712.92347 +datum=WGS84 +units=m +no_defs';
