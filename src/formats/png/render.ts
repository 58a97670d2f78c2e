/**
 * Values → colours → PNG. The value range maps onto the 256 table entries as matplotlib's Normalize + Colormap
 * do (below min → first colour, above max → last); nodata and NaN become fully transparent.
 */
import { OpenEOError } from '../../errors.ts';
import type { ChunkWindow } from '../raster-writer.ts';
import { colorTable } from './colormaps.ts';
import { encodeIndexedPng, encodePng } from './png-encode.ts';

export interface RenderOptions {
  /** Colour map name (Reds, Blues, Greys, viridis; `_r` reverses). Default viridis. */
  colormap?: string;
  /** Value range; defaults to the min/max of the valid values shown. */
  min?: number;
  max?: number;
  /** Value drawn transparent (NaN always is). */
  nodata?: number | null;
  /** Part of the image to render, in pixels of `values`. */
  window?: ChunkWindow;
}

/** Min and max of the finite valid values of a window, or undefined when there are none. */
export function validRange(values: ArrayLike<number>, stride: number, w: ChunkWindow, nodata: number | null | undefined): { min: number; max: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < w.height; r++) {
    const base = (w.y0 + r) * stride + w.x0;
    for (let i = base; i < base + w.width; i++) {
      const v = values[i];
      // ±Infinity (divide by zero, ln(0)) is drawn with the end colours; the range comes from the finite values
      if (v === nodata || !Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? { min, max } : undefined;
}

/** Entry of the colour table per pixel of the window (0..255), TRANSPARENT for nodata and NaN. */
const TRANSPARENT = 256;

function colorIndices(values: ArrayLike<number>, stride: number, w: ChunkWindow, options: RenderOptions): Uint16Array {
  const nodata = options.nodata ?? null;
  const auto = options.min === undefined || options.max === undefined ? validRange(values, stride, w, nodata) : undefined;
  const min = options.min ?? auto?.min ?? 0;
  const max = options.max ?? auto?.max ?? 1;
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new OpenEOError('ProcessParameterInvalid', `Value range [${min}, ${max}] must be finite.`);
  // matplotlib maps a degenerate range to the first colour.
  const scale = max > min ? 256 / (max - min) : 0;
  const out = new Uint16Array(w.width * w.height);
  let o = 0;
  for (let r = 0; r < w.height; r++) {
    const base = (w.y0 + r) * stride + w.x0;
    for (let i = base; i < base + w.width; i++, o++) {
      const v = values[i];
      if (v !== v || v === nodata) {
        out[o] = TRANSPARENT;
        continue;
      }
      const idx = Math.floor((v - min) * scale);
      out[o] = idx < 0 ? 0 : idx > 255 ? 255 : idx;
    }
  }
  return out;
}

function rgbaOf(indices: Uint16Array, table: Uint8Array): Uint8Array {
  const rgba = new Uint8Array(indices.length * 4);
  for (let p = 0, o = 0; p < indices.length; p++, o += 4) {
    const idx = indices[p];
    if (idx === TRANSPARENT) continue; // stays transparent black
    rgba[o] = table[idx * 3];
    rgba[o + 1] = table[idx * 3 + 1];
    rgba[o + 2] = table[idx * 3 + 2];
    rgba[o + 3] = 255;
  }
  return rgba;
}

/** RGBA bytes of a window of `values` (row-major, `stride` values per row). */
export function colorize(values: ArrayLike<number>, stride: number, w: ChunkWindow, options: RenderOptions): Uint8Array {
  const table = colorTable(options.colormap ?? 'viridis');
  return rgbaOf(colorIndices(values, stride, w, options), table);
}

/**
 * A PNG (8 bit) of `values` (`width` x `height`, row-major), or of `options.window` of them: a palette image of the
 * colours used (transparent first) when they fit in 256 entries, else RGBA. Both decode to the same pixels.
 */
export function renderPng(values: ArrayLike<number>, width: number, height: number, options: RenderOptions = {}): Uint8Array {
  if (values.length < width * height) throw new OpenEOError('Internal', `renderPng: ${values.length} values for ${width}x${height} pixels.`);
  const w = options.window ?? { x0: 0, y0: 0, width, height };
  if (w.x0 < 0 || w.y0 < 0 || w.width < 1 || w.height < 1 || w.x0 + w.width > width || w.y0 + w.height > height) {
    throw new OpenEOError('ProcessParameterInvalid', `PNG window ${JSON.stringify(w)} is outside the ${width}x${height} image.`);
  }
  const table = colorTable(options.colormap ?? 'viridis');
  const indices = colorIndices(values, width, w, options);
  const used = new Uint8Array(TRANSPARENT + 1);
  for (let p = 0; p < indices.length; p++) used[indices[p]] = 1;
  let entries = 0;
  for (let k = 0; k <= TRANSPARENT; k++) entries += used[k];
  if (entries > 256) return encodePng(rgbaOf(indices, table), w.width, w.height);
  const slot = new Uint8Array(TRANSPARENT + 1);
  const palette = new Uint8Array(entries * 3);
  let n = 0;
  if (used[TRANSPARENT]) slot[TRANSPARENT] = n++; // entry 0, so that tRNS is one byte
  for (let k = 0; k < TRANSPARENT; k++) {
    if (!used[k]) continue;
    palette.set(table.subarray(k * 3, k * 3 + 3), n * 3);
    slot[k] = n++;
  }
  const out = new Uint8Array(indices.length);
  for (let p = 0; p < indices.length; p++) out[p] = slot[indices[p]];
  return encodeIndexedPng(out, palette, used[TRANSPARENT] ? Uint8Array.of(0) : null, w.width, w.height);
}
