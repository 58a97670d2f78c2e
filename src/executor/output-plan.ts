/**
 * What a save_result asks for, in a form that can be sent to worker threads and other machines: the cube plan, the
 * output grid, the variables to write and the format with its options.
 */
import { spatialApplies } from '../datacube/chunk-eval.ts';
import type { CubeNode, DType } from '../datacube/types.ts';
import { OpenEOError } from '../errors.ts';
import type { SaveRequest } from '../processes/cube/index.ts';
import type { Grid } from '../raster/grid/types.ts';
import { isDType } from '../processes/cube/load.ts';
import { subGrid } from '../raster/grid/affine.ts';

export interface OutputVariable {
  name: string;
  /** Index into the cube's bands (0 when it has none). */
  band: number;
  dtype: DType;
  /** The value written where the cube has no data; null → NaN for floats, 0 for integers (not declared). */
  nodata: number | null;
}

export interface OutputPlan {
  node: CubeNode;
  grid: Grid;
  variables: OutputVariable[];
  /** Time labels when the cube keeps its temporal dimension. */
  time?: string[];
  /** The name of the time dimension (the files' time coordinate). */
  timeName?: string;
  format: string;
  options: Record<string, unknown>;
  chunk: { width: number; height: number };
}

/** Default no-data per output type: the type's maximum for unsigned integers, the minimum for signed, NaN for floats. */
export function defaultNodata(dtype: DType): number {
  switch (dtype) {
    case 'uint8':
      return 255;
    case 'uint16':
      return 65535;
    case 'uint32':
      return 4294967295;
    case 'int8':
      return -128;
    case 'int16':
      return -32768;
    case 'int32':
      return -2147483648;
    default:
      return NaN;
  }
}

const invalidOption = (name: string, reason: string) =>
  new OpenEOError('ProcessParameterInvalid', `save_result: option '${name}' is invalid: ${reason}`);

export const DEFAULT_CHUNK = 2048;

/** The options the format writer sees: those the executor itself handles are taken out. */
export function writerOptions(plan: OutputPlan): Record<string, unknown> {
  const { dtype: _d, nodata: _n, chunk_size: _c, window: _w, ...rest } = plan.options;
  return rest;
}

/**
 * A pixel window in numpy slice notation over (rows, columns), e.g. `[:5000, :5000]` or `[1000:3000, 200:]`;
 * bounds are clamped to the grid.
 */
export function parseWindow(v: unknown, width: number, height: number): { col: number; row: number; width: number; height: number } {
  const m = typeof v === 'string' ? /^\s*\[?\s*(\d*)\s*:\s*(\d*)\s*,\s*(\d*)\s*:\s*(\d*)\s*\]?\s*$/.exec(v) : null;
  if (!m) throw invalidOption('window', "expected numpy slices over rows and columns such as '[:5000, :5000]' or '[1000:3000, 200:]'.");
  const [r0, r1, c0, c1] = m.slice(1).map((x, i) => (x === '' ? (i % 2 === 0 ? 0 : i < 2 ? height : width) : Number(x)));
  const row = Math.min(r0, height);
  const col = Math.min(c0, width);
  const h = Math.min(r1, height) - row;
  const w = Math.min(c1, width) - col;
  if (h <= 0 || w <= 0) throw invalidOption('window', 'the window is empty.');
  return { col, row, width: w, height: h };
}

/** Band labels that are integers (apply_dimension's 0..n-1) are no valid variable names in netCDF or Zarr. */
const variableName = (label: string): string => (/^\d/.test(label) ? `band_${label}` : label);

export function outputPlan(save: SaveRequest): OutputPlan {
  const { meta, node } = save.cube;
  const o = save.options;
  let dtype: DType = meta.dtype;
  if (o.dtype !== undefined && o.dtype !== null) {
    if (typeof o.dtype !== 'string' || !isDType(o.dtype)) throw invalidOption('dtype', 'expected one of uint8, int8, uint16, int16, uint32, int32, float32, float64.');
    dtype = o.dtype;
  }
  let nodata: number | null = defaultNodata(dtype);
  if ('nodata' in o) {
    if (o.nodata !== null && typeof o.nodata !== 'number') throw invalidOption('nodata', 'expected a number or null.');
    nodata = o.nodata as number | null;
  }
  const chunkSize = o.chunk_size ?? DEFAULT_CHUNK;
  const chunks = Array.isArray(chunkSize) ? chunkSize : [chunkSize, chunkSize];
  if (chunks.length !== 2 || !chunks.every((c) => Number.isInteger(c) && (c as number) >= 64 && (c as number) <= 8192)) {
    throw invalidOption('chunk_size', 'expected an integer (or [width, height]) between 64 and 8192.');
  }
  const labels = meta.bands?.labels ?? [String(o.variable ?? 'data')];
  const win = o.window === undefined || o.window === null ? undefined : parseWindow(o.window, meta.grid.width, meta.grid.height);
  const planNode: CubeNode = win ? { op: 'crop', input: node, col: win.col, row: win.row } : node;
  const grid = win ? subGrid(meta.grid, win.col, win.row, win.width, win.height) : meta.grid;
  return {
    node: planNode,
    grid,
    variables: labels.map((label, band) => ({ name: variableName(label), band, dtype, nodata })),
    time: meta.time?.labels,
    timeName: meta.time?.name,
    format: save.format,
    options: o,
    chunk: stripChunk({ width: chunks[0] as number, height: chunks[1] as number }, grid, spatialApplies(planNode)),
  };
}

/** Pixels of the grid that apply_dimension along both x and y may compute in one piece: one default chunk's (a few hundred MB of buffers). */
export const WHOLE_GRID_PIXELS = 1 << 22;

/**
 * The chunk shape when apply_dimension runs along x or y (see chunkWindows): along x a unit of work is a strip of
 * whole rows, so the chunks get fewer rows (at least 64) for a strip to hold about as many pixels as one chunk of the
 * requested shape; along y, likewise fewer columns. Along both, the whole grid is one unit of work, within a budget.
 */
function stripChunk(chunk: { width: number; height: number }, grid: Grid, along: { x: number; y: number }): { width: number; height: number } {
  const area = chunk.width * chunk.height;
  if (along.x > 0 && along.y > 0) {
    const width = Math.max(grid.width, along.x);
    const height = Math.max(grid.height, along.y);
    if (width * height > WHOLE_GRID_PIXELS) {
      throw new OpenEOError(
        'ProcessGraphComplexity',
        `apply_dimension along both x and y needs the whole grid at once: ${width} x ${height} pixels, more than the ${WHOLE_GRID_PIXELS.toLocaleString('en')} allowed. Please use a smaller spatial extent (or a coarser resolution).`,
      );
    }
    return chunk;
  }
  if (along.x > 0) return { width: chunk.width, height: Math.min(chunk.height, Math.max(64, Math.floor(area / grid.width))) };
  if (along.y > 0) return { width: Math.min(chunk.width, Math.max(64, Math.floor(area / grid.height))), height: chunk.height };
  return chunk;
}
