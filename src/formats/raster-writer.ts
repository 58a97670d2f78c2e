/**
 * The contract between the chunked executor and the raster format writers, plus the few facts every writer
 * derives from it (sample types, pixel-centre coordinates, time as numbers, CRS attributes). Writers keep no
 * per-chunk state between calls because chunks may be written by different processes, in any order, and again
 * after a crash: everything a call needs is in its arguments and in the store.
 */
import { OpenEOError } from '../errors.ts';

export type DType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export interface GridSpec {
  crs: { wkt: string; proj4?: string; epsg?: number };
  /** rasterio order a,b,c,d,e,f: x = c + a*col + b*row; y = f + d*col + e*row. */
  transform: [number, number, number, number, number, number];
  width: number;
  height: number;
}

export interface VariableSpec {
  name: string;
  dtype: DType;
  nodata: number | null;
  description?: string;
}

export interface RasterMeta {
  grid: GridSpec;
  chunk: { width: number; height: number };
  variables: VariableSpec[];
  /**
   * ISO instants, or the integers 0..n-1 when apply_dimension gave the dimension a new length (see `isIndexAxis`);
   * when present arrays are (t, y, x).
   */
  /** `name`: of the time dimension in the files (default `t`; rename_dimension or apply_dimension may name it). */
  time?: { labels: string[]; name?: string };
  attributes?: Record<string, unknown>;
}

/** Always one whole output chunk (edge chunks smaller); x0/y0 are multiples of the chunk size. */
export interface ChunkWindow {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

export interface WrittenAsset {
  /** Relative to the writer's prefix. */
  path: string;
  type: string;
  roles: string[];
  title?: string;
  [stacField: string]: unknown;
}

/** Stateless per chunk so chunks can be written by different processes: begin() once, writeChunk() any order/any process, finish() once after all chunks. */
export interface RasterFormatWriter {
  begin(meta: RasterMeta, signal: AbortSignal): Promise<void>;
  /** `data` per variable: (t,)h,w row-major samples of the variable's dtype. */
  writeChunk(meta: RasterMeta, window: ChunkWindow, data: Record<string, ArrayBufferView>, signal: AbortSignal): Promise<void>;
  finish(meta: RasterMeta, signal: AbortSignal): Promise<WrittenAsset[]>;
}

export type SampleArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
type SampleCtor = { new (n: number): SampleArray; new (b: ArrayBufferLike, o: number, n: number): SampleArray; BYTES_PER_ELEMENT: number };

export const DTYPE_INFO: Record<DType, { bytes: number; ctor: SampleCtor; integer: boolean; min: number; max: number }> = {
  uint8: { bytes: 1, ctor: Uint8Array, integer: true, min: 0, max: 255 },
  int8: { bytes: 1, ctor: Int8Array, integer: true, min: -128, max: 127 },
  uint16: { bytes: 2, ctor: Uint16Array, integer: true, min: 0, max: 65535 },
  int16: { bytes: 2, ctor: Int16Array, integer: true, min: -32768, max: 32767 },
  uint32: { bytes: 4, ctor: Uint32Array, integer: true, min: 0, max: 4294967295 },
  int32: { bytes: 4, ctor: Int32Array, integer: true, min: -2147483648, max: 2147483647 },
  float32: { bytes: 4, ctor: Float32Array, integer: false, min: -3.4028234663852886e38, max: 3.4028234663852886e38 },
  float64: { bytes: 8, ctor: Float64Array, integer: false, min: -Number.MAX_VALUE, max: Number.MAX_VALUE },
};

const invalid = (message: string) => new OpenEOError('ProcessParameterInvalid', message);

/** Checks the facts every writer relies on; throws ProcessParameterInvalid naming the first problem. */
/** The name of the time dimension (and its coordinate) in the files. */
export const timeName = (meta: RasterMeta): string => meta.time?.name ?? 't';

export function validateMeta(meta: RasterMeta): void {
  const { grid, chunk, variables } = meta;
  for (const [k, v] of [['grid.width', grid.width], ['grid.height', grid.height], ['chunk.width', chunk.width], ['chunk.height', chunk.height]] as const) {
    if (!Number.isInteger(v) || v < 1) throw invalid(`Raster ${k} must be a positive integer, got ${v}.`);
  }
  if (grid.transform.length !== 6 || !grid.transform.every(Number.isFinite)) throw invalid('Raster transform must be 6 finite numbers.');
  if (grid.transform[1] !== 0 || grid.transform[3] !== 0) {
    // 1-D x/y coordinate variables (Zarr, netCDF/CF) cannot describe a rotated grid.
    throw invalid('Rotated or sheared grids (transform b or d not 0) cannot be written with 1-D x/y coordinates.');
  }
  if (grid.transform[0] === 0 || grid.transform[4] === 0) throw invalid('Raster transform pixel size must not be 0.');
  if (variables.length === 0) throw invalid('A raster needs at least one variable.');
  const tName = timeName(meta);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tName) || ['x', 'y', 'spatial_ref', 'crs'].includes(tName)) {
    throw invalid(`The time dimension cannot be called ${JSON.stringify(tName)} in a file: a name of letters, digits and _ other than x, y, spatial_ref and crs.`);
  }
  const reserved = new Set(['x', 'y', 't', tName, 'spatial_ref', 'crs']);
  const seen = new Set<string>();
  for (const v of variables) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(v.name)) throw invalid(`Variable name ${JSON.stringify(v.name)} must start with a letter or _ and contain only letters, digits, _ . -.`);
    if (reserved.has(v.name)) throw invalid(`Variable name ${JSON.stringify(v.name)} is reserved for a coordinate or the CRS.`);
    if (seen.has(v.name)) throw invalid(`Variable name ${JSON.stringify(v.name)} is used twice.`);
    seen.add(v.name);
    const info = DTYPE_INFO[v.dtype];
    if (!info) throw invalid(`Unsupported data type ${JSON.stringify(v.dtype)} of variable ${v.name}.`);
    if (v.nodata !== null) {
      const ok = info.integer ? Number.isInteger(v.nodata) && v.nodata >= info.min && v.nodata <= info.max : !Number.isFinite(v.nodata) || Math.abs(v.nodata) <= info.max;
      if (!ok) throw invalid(`Nodata ${v.nodata} of variable ${v.name} is not representable as ${v.dtype}.`);
    }
  }
  if (meta.time) {
    if (meta.time.labels.length === 0) throw invalid('A time dimension needs at least one label.');
    if (!isIndexAxis(meta.time.labels)) timeSeconds(meta.time.labels);
  }
}

/** Checks that a window is one whole output chunk of `meta`, so no two writers ever touch the same object. */
export function validateWindow(meta: RasterMeta, w: ChunkWindow): void {
  const { chunk, grid } = meta;
  const ok =
    w.x0 % chunk.width === 0 && w.y0 % chunk.height === 0 && w.x0 >= 0 && w.y0 >= 0 &&
    w.width === Math.min(chunk.width, grid.width - w.x0) && w.height === Math.min(chunk.height, grid.height - w.y0) && w.width > 0 && w.height > 0;
  if (!ok) throw new OpenEOError('Internal', `Window ${JSON.stringify(w)} is not a whole output chunk of ${grid.width}x${grid.height} px in ${chunk.width}x${chunk.height} chunks.`);
}

/** The samples of one variable in a chunk as its typed array, checking the length the executor promised. */
export function chunkSamples(meta: RasterMeta, v: VariableSpec, w: ChunkWindow, data: Record<string, ArrayBufferView>): SampleArray {
  const view = data[v.name];
  if (!view) throw new OpenEOError('Internal', `Chunk ${w.x0},${w.y0} has no data for variable ${v.name}.`);
  const { ctor, bytes } = DTYPE_INFO[v.dtype];
  const expected = (meta.time?.labels.length ?? 1) * w.width * w.height;
  if (view.byteLength !== expected * bytes) {
    throw new OpenEOError('Internal', `Chunk ${w.x0},${w.y0} of ${v.name} has ${view.byteLength} bytes, expected ${expected * bytes} (${v.dtype}).`);
  }
  if (view instanceof ctor) return view as SampleArray;
  if (view.byteOffset % bytes === 0) return new ctor(view.buffer, view.byteOffset, expected);
  const copy = new Uint8Array(view.byteLength);
  copy.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return new ctor(copy.buffer, 0, expected);
}

/** Pixel-centre coordinates along x (axis 'x') or y (axis 'y'). */
export function pixelCentres(grid: GridSpec, axis: 'x' | 'y'): Float64Array {
  const [a, , c, , e, f] = grid.transform;
  const n = axis === 'x' ? grid.width : grid.height;
  const [origin, step] = axis === 'x' ? [c, a] : [f, e];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = origin + step * (i + 0.5);
  return out;
}

/**
 * True for the labels 0, 1, … n-1 that apply_dimension gives a dimension whose length it changed: the coordinate is
 * then written as those integers, without time units.
 */
export const isIndexAxis = (labels: readonly string[]): boolean => labels.every((l, i) => l === String(i));

/** Seconds since 1970-01-01T00:00:00Z of each ISO instant (fractions kept). */
export function timeSeconds(labels: string[]): number[] {
  return labels.map((label) => {
    // Date-only labels parse as UTC, date-times without a zone as local time: openEO means UTC for both.
    const iso = label.includes('T') && !/(Z|[+-]\d{2}(:?\d{2})?)$/i.test(label) ? `${label}Z` : label;
    const ms = Date.parse(iso);
    if (!Number.isFinite(ms)) throw invalid(`Time label ${JSON.stringify(label)} is not an ISO 8601 instant.`);
    return ms / 1000;
  });
}

export const TIME_UNITS = 'seconds since 1970-01-01';

/** GDAL's geotransform order (c a b f d e) as the space-separated string GDAL and rioxarray write. */
export function gdalGeoTransform(grid: GridSpec): string {
  const [a, b, c, d, e, f] = grid.transform;
  return [c, a, b, f, d, e].map((v) => String(v)).join(' ');
}

function isGeographic(wkt: string): boolean {
  return /^\s*(GEOGCS|GEOGCRS|GEODCRS|GEOGRAPHICCRS)\[/i.test(wkt);
}

/** CF grid-mapping attributes understood by xarray/rioxarray (crs_wkt) and GDAL (spatial_ref, GeoTransform). */
export function gridMappingAttributes(grid: GridSpec): Record<string, string | number> {
  const attrs: Record<string, string | number> = { crs_wkt: grid.crs.wkt, spatial_ref: grid.crs.wkt, GeoTransform: gdalGeoTransform(grid) };
  if (isGeographic(grid.crs.wkt)) attrs.grid_mapping_name = 'latitude_longitude';
  if (grid.crs.proj4) attrs.proj4 = grid.crs.proj4;
  if (grid.crs.epsg !== undefined) attrs.epsg_code = `EPSG:${grid.crs.epsg}`;
  return attrs;
}

/** CF attributes of the x and y coordinate variables. */
export function axisAttributes(grid: GridSpec, axis: 'x' | 'y'): Record<string, string> {
  if (isGeographic(grid.crs.wkt)) {
    return axis === 'x'
      ? { standard_name: 'longitude', long_name: 'longitude', units: 'degrees_east', axis: 'X' }
      : { standard_name: 'latitude', long_name: 'latitude', units: 'degrees_north', axis: 'Y' };
  }
  return axis === 'x'
    ? { standard_name: 'projection_x_coordinate', long_name: 'x coordinate of projection', units: 'm', axis: 'X' }
    : { standard_name: 'projection_y_coordinate', long_name: 'y coordinate of projection', units: 'm', axis: 'Y' };
}

/** Chunk windows of a grid in row-major order. */
export function* chunkWindows(meta: RasterMeta): Generator<ChunkWindow> {
  const { grid, chunk } = meta;
  for (let y0 = 0; y0 < grid.height; y0 += chunk.height) {
    for (let x0 = 0; x0 < grid.width; x0 += chunk.width) {
      yield { x0, y0, width: Math.min(chunk.width, grid.width - x0), height: Math.min(chunk.height, grid.height - y0) };
    }
  }
}

