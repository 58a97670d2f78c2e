/**
 * PNG encoding of 8-bit RGBA and palette images: signature, IHDR, (PLTE, tRNS,) one IDAT of zlib-compressed
 * scanlines, IEND. Each
 * scanline gets the filter (None, Sub or Up) with the smallest sum of absolute residuals, the usual heuristic
 * that makes flat colour areas compress well.
 */
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)) >>> 0);
  return out;
}

/** |r| of a residual byte read as signed (a table: the branch on the sign mispredicts on image data). */
const COST = Uint8Array.from({ length: 256 }, (_, r) => (r < 128 ? r : 256 - r));

/**
 * Filtered scanlines (filter byte + bytes per row) of an image of `bpp` bytes per pixel (4: RGBA, 1: palette). One
 * pass per row sums the residuals of the three filters, a second writes the cheapest one: no intermediate rows.
 */
export function filterScanlines(rgba: Uint8Array, width: number, height: number, bpp = 4): Uint8Array {
  const stride = width * bpp;
  const out = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const prev = row - stride;
    let none = 0;
    let sub = 0;
    let up = y > 0 ? 0 : Infinity;
    for (let i = 0; i < Math.min(bpp, stride); i++) {
      const x = rgba[row + i];
      none += COST[x];
      sub += COST[x];
    }
    for (let i = bpp; i < stride; i++) {
      const x = rgba[row + i];
      none += COST[x];
      sub += COST[(x - rgba[row + i - bpp]) & 0xff];
    }
    if (y > 0) for (let i = 0; i < stride; i++) up += COST[(rgba[row + i] - rgba[prev + i]) & 0xff];
    const best = up < none && up < sub ? 2 : sub < none ? 1 : 0;
    const o = y * (stride + 1) + 1;
    out[o - 1] = best;
    if (best === 0) out.set(rgba.subarray(row, row + stride), o);
    else if (best === 1) {
      for (let i = 0; i < stride; i++) out[o + i] = (rgba[row + i] - (i >= bpp ? rgba[row + i - bpp] : 0)) & 0xff;
    } else {
      for (let i = 0; i < stride; i++) out[o + i] = (rgba[row + i] - rgba[prev + i]) & 0xff;
    }
  }
  return out;
}

export function encodePng(rgba: Uint8Array, width: number, height: number, level = 6): Uint8Array {
  if (rgba.length !== width * height * 4) throw new RangeError(`RGBA buffer of ${rgba.length} bytes does not match ${width}x${height}`);
  return assemble(width, height, 6, filterScanlines(rgba, width, height, 4), level, []);
}

/**
 * A palette PNG: one byte per pixel indexing `palette` (RGB triples, at most 256), with `alpha` giving the opacity
 * of the first entries (tRNS; the others are opaque). A quarter of the RGBA bytes to compress. Scanlines are not
 * filtered, as the PNG specification recommends for palette images: differences of palette indices carry no
 * meaning, and choosing a filter per row cost as much as the compression.
 */
export function encodeIndexedPng(indices: Uint8Array, palette: Uint8Array, alpha: Uint8Array | null, width: number, height: number, level = 6): Uint8Array {
  if (indices.length !== width * height) throw new RangeError(`Index buffer of ${indices.length} bytes does not match ${width}x${height}`);
  if (palette.length % 3 !== 0 || palette.length < 3 || palette.length > 768) throw new RangeError(`Palette of ${palette.length} bytes is not 1 to 256 RGB entries`);
  const extra = [chunk('PLTE', palette), ...(alpha && alpha.length > 0 ? [chunk('tRNS', alpha)] : [])];
  return assemble(width, height, 3, unfilteredScanlines(indices, width, height), level, extra);
}

/** Scanlines with filter type None: a zero byte before each row. */
function unfilteredScanlines(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) out.set(bytes.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return out;
}

function assemble(width: number, height: number, colorType: 3 | 6, filtered: Uint8Array, level: number, extra: Uint8Array[]): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, colorType, 0, 0, 0], 8); // 8 bits per sample or index, deflate, adaptive filtering, no interlace
  const idat = deflateSync(filtered, { level });
  const parts = [SIGNATURE, chunk('IHDR', ihdr), ...extra, chunk('IDAT', new Uint8Array(idat.buffer, idat.byteOffset, idat.byteLength)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let pos = 0;
  for (const p of parts) (out.set(p, pos), (pos += p.length));
  return out;
}
