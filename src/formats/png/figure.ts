/**
 * A figure for demos and reports: the coloured map framed, tick labels in the native CRS on the left and bottom
 * axes, a title, and a colour bar with its value range on the right; white background, nodata shown white.
 */
import { OpenEOError } from '../../errors.ts';
import type { GridSpec } from '../raster-writer.ts';
import { colorTable } from './colormaps.ts';
import { drawText, GLYPH_HEIGHT, textWidth } from './font5x7.ts';
import { encodePng } from './png-encode.ts';
import { colorize, validRange } from './render.ts';

export interface FigureOptions {
  colormap?: string;
  min?: number;
  max?: number;
  nodata?: number | null;
  title?: string;
  /** Geotransform (rasterio order) of the `values` grid, for the tick labels; without it, pixel indices. */
  transform?: GridSpec['transform'];
  /** Integer magnification of the map (default: enough to make its longest side at least 400 px). */
  scale?: number;
}

const FONT = 2;
const TEXT_H = GLYPH_HEIGHT * FONT;
const BLACK: [number, number, number] = [0, 0, 0];
const PAD = 8;
const TICK = 5;
const BAR_W = 18;

/** About five round tick values (1, 2 or 5 times a power of ten apart) inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
  const span = b - a;
  if (!(span > 0)) return [a];
  const raw = span / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = [1, 2, 5, 10].find((k) => k * pow >= raw)!;
  // Multiples of a fractional step computed as integer / power of ten stay exact decimals (0.6, not 0.6000000000000001).
  const inv = pow < 1 ? Math.round(1 / pow) : 0;
  const at = (k: number) => (inv ? (k * m) / inv : k * m * pow);
  const ticks: number[] = [];
  // `+ 0` turns a -0 start into 0.
  for (let k = Math.ceil(a / (m * pow) - 1e-9) + 0; at(k) <= b + m * pow * 1e-9; k++) ticks.push(at(k));
  return ticks;
}

/** Shortest faithful label of a tick value at this step size. */
export function tickLabel(v: number, step: number): string {
  const decimals = step >= 1 || step === 0 ? 0 : Math.min(10, Math.ceil(-Math.log10(step) - 1e-9));
  return (Math.abs(v) < step * 1e-9 ? 0 : v).toFixed(decimals);
}

function fillRect(c: Uint8Array, cw: number, x: number, y: number, w: number, h: number, rgb: [number, number, number]) {
  for (let yy = y; yy < y + h; yy++) {
    for (let xx = x; xx < x + w; xx++) {
      const o = (yy * cw + xx) * 4;
      c[o] = rgb[0];
      c[o + 1] = rgb[1];
      c[o + 2] = rgb[2];
      c[o + 3] = 255;
    }
  }
}

/** Renders a figure of `values` (width x height, row-major) as PNG bytes. */
export function renderFigure(values: ArrayLike<number>, width: number, height: number, options: FigureOptions = {}): Uint8Array {
  if (values.length < width * height) throw new OpenEOError('Internal', `renderFigure: ${values.length} values for ${width}x${height} pixels.`);
  const whole = { x0: 0, y0: 0, width, height };
  const auto = validRange(values, width, whole, options.nodata);
  const min = options.min ?? auto?.min ?? 0;
  const max = options.max ?? auto?.max ?? 1;
  const colormap = options.colormap ?? 'viridis';
  const map = colorize(values, width, whole, { colormap, min, max, nodata: options.nodata });
  const s = options.scale ?? Math.max(1, Math.floor(400 / Math.max(width, height)));
  const mapW = width * s;
  const mapH = height * s;
  const [a, , c, , e, f] = options.transform ?? [1, 0, 0, 0, 1, 0];

  const xTicks = niceTicks(c, c + a * width);
  const yTicks = niceTicks(f, f + e * height);
  const step = (t: number[]) => (t.length > 1 ? Math.abs(t[1] - t[0]) : 1);
  const yLabels = yTicks.map((v) => tickLabel(v, step(yTicks)));
  const barTicks = niceTicks(min, max, 4);
  const barLabels = barTicks.map((v) => tickLabel(v, step(barTicks)));

  const left = PAD + Math.max(0, ...yLabels.map((l) => textWidth(l, FONT))) + TICK + 4;
  const top = PAD + (options.title ? TEXT_H + PAD : 0);
  const barX = left + mapW + 2 * PAD;
  const canvasW = barX + BAR_W + TICK + 4 + Math.max(0, ...barLabels.map((l) => textWidth(l, FONT))) + PAD;
  const canvasH = top + mapH + TICK + 4 + TEXT_H + PAD;
  const canvas = new Uint8Array(canvasW * canvasH * 4).fill(255);

  for (let y = 0; y < mapH; y++) {
    for (let x = 0; x < mapW; x++) {
      const src = (Math.floor(y / s) * width + Math.floor(x / s)) * 4;
      if (map[src + 3] === 0) continue; // nodata: background
      canvas.set(map.subarray(src, src + 4), ((top + y) * canvasW + left + x) * 4);
    }
  }
  // Frame around the map.
  fillRect(canvas, canvasW, left - 1, top - 1, mapW + 2, 1, BLACK);
  fillRect(canvas, canvasW, left - 1, top + mapH, mapW + 2, 1, BLACK);
  fillRect(canvas, canvasW, left - 1, top - 1, 1, mapH + 2, BLACK);
  fillRect(canvas, canvasW, left + mapW, top - 1, 1, mapH + 2, BLACK);

  xTicks.forEach((v) => {
    const px = left + Math.round(((v - c) / a) * s);
    if (px < left - 1 || px > left + mapW) return;
    fillRect(canvas, canvasW, px, top + mapH + 1, 1, TICK, BLACK);
    const label = tickLabel(v, step(xTicks));
    const lx = Math.min(Math.max(0, px - Math.floor(textWidth(label, FONT) / 2)), canvasW - textWidth(label, FONT));
    drawText(canvas, canvasW, lx, top + mapH + TICK + 4, label, FONT, BLACK);
  });
  yTicks.forEach((v, i) => {
    const py = top + Math.round(((v - f) / e) * s);
    if (py < top - 1 || py > top + mapH) return;
    fillRect(canvas, canvasW, left - 1 - TICK, py, TICK, 1, BLACK);
    drawText(canvas, canvasW, left - 1 - TICK - 3 - textWidth(yLabels[i], FONT), py - Math.floor(TEXT_H / 2), yLabels[i], FONT, BLACK);
  });

  // Colour bar: maximum at the top.
  const table = colorTable(colormap);
  for (let y = 0; y < mapH; y++) {
    const idx = mapH > 1 ? Math.round((1 - y / (mapH - 1)) * 255) : 255;
    fillRect(canvas, canvasW, barX, top + y, BAR_W, 1, [table[idx * 3], table[idx * 3 + 1], table[idx * 3 + 2]]);
  }
  barTicks.forEach((v, i) => {
    const frac = max > min ? (v - min) / (max - min) : 0;
    const py = top + Math.round((1 - frac) * (mapH - 1));
    fillRect(canvas, canvasW, barX + BAR_W, py, TICK, 1, BLACK);
    drawText(canvas, canvasW, barX + BAR_W + TICK + 3, py - Math.floor(TEXT_H / 2), barLabels[i], FONT, BLACK);
  });
  if (options.title) drawText(canvas, canvasW, Math.max(PAD, Math.floor((canvasW - textWidth(options.title, FONT)) / 2)), PAD, options.title, FONT, BLACK);
  return encodePng(canvas, canvasW, canvasH);
}
