/**
 * PNG encoding of 8-bit RGBA images: signature, IHDR, one IDAT of zlib-compressed scanlines, IEND. Each
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

const residualCost = (row: Uint8Array): number => {
  let s = 0;
  for (let i = 0; i < row.length; i++) s += row[i] < 128 ? row[i] : 256 - row[i];
  return s;
};

/** Filtered scanlines (filter byte + bytes per row) of an RGBA image. */
export function filterScanlines(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const stride = width * 4;
  const out = new Uint8Array(height * (stride + 1));
  const sub = new Uint8Array(stride);
  const up = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = rgba.subarray(y * stride, (y + 1) * stride);
    for (let i = 0; i < stride; i++) sub[i] = (row[i] - (i >= 4 ? row[i - 4] : 0)) & 0xff;
    if (y > 0) for (let i = 0; i < stride; i++) up[i] = (row[i] - rgba[(y - 1) * stride + i]) & 0xff;
    const costs = [residualCost(row), residualCost(sub), y > 0 ? residualCost(up) : Infinity];
    const best = costs.indexOf(Math.min(...costs));
    const base = y * (stride + 1);
    out[base] = best;
    out.set(best === 0 ? row : best === 1 ? sub : up, base + 1);
  }
  return out;
}

export function encodePng(rgba: Uint8Array, width: number, height: number, level = 6): Uint8Array {
  if (rgba.length !== width * height * 4) throw new RangeError(`RGBA buffer of ${rgba.length} bytes does not match ${width}x${height}`);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits per sample, RGBA, deflate, adaptive filtering, no interlace
  const idat = deflateSync(filterScanlines(rgba, width, height), { level });
  const parts = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', new Uint8Array(idat.buffer, idat.byteOffset, idat.byteLength)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let pos = 0;
  for (const p of parts) (out.set(p, pos), (pos += p.length));
  return out;
}
