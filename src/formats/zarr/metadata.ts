/**
 * The metadata documents of a result store, as a pure function of the raster description, so that begin() and
 * finish() (possibly in different processes) produce identical bytes. Two conventions at once: xarray/CF
 * (`_ARRAY_DIMENSIONS` or v3 `dimension_names`, coordinate arrays, `grid_mapping` → `spatial_ref` with
 * `crs_wkt`/`GeoTransform`, CF time units) and GDAL's Zarr driver (a `_CRS` attribute on each data array; GDAL
 * derives the geotransform from the regularly spaced 1-D `x`/`y` arrays).
 */
import { axisAttributes, DTYPE_INFO, type DType, gridMappingAttributes, type RasterMeta, timeName } from '../raster-writer.ts';
import type { ChunkEncoder } from './codecs.ts';

export type ZarrDType = DType | 'int64';

export interface ZarrArray {
  name: string;
  dtype: ZarrDType;
  shape: number[];
  chunks: number[];
  dims: string[];
  /** null only where the variable has no nodata: then readers must not mask anything. */
  fill: number | null;
  attrs: Record<string, unknown>;
}

export interface ZarrLayout {
  format: 2 | 3;
  /** Time steps per chunk along t. */
  timeChunk: number;
  encoder: ChunkEncoder;
}

const V2_DTYPE: Record<ZarrDType, string> = {
  uint8: '|u1', int8: '|i1', uint16: '<u2', int16: '<i2', uint32: '<u4', int32: '<i4', int64: '<i8', float32: '<f4', float64: '<f8',
};

export const bytesOf = (d: ZarrDType): number => (d === 'int64' ? 8 : DTYPE_INFO[d].bytes);

/** JSON has no NaN or infinities; both Zarr versions spell them as strings. */
function fillJson(v: number | null): number | string | null {
  if (v === null) return null;
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

export const GRID_MAPPING = 'spatial_ref';

/** Every array of the store: the CRS variable, coordinates, then one per data variable. */
export function zarrArrays(meta: RasterMeta, layout: ZarrLayout, timeUnits: string): ZarrArray[] {
  const { grid, chunk } = meta;
  const arrays: ZarrArray[] = [
    { name: GRID_MAPPING, dtype: 'int32', shape: [], chunks: [], dims: [], fill: null, attrs: gridMappingAttributes(grid) },
    { name: 'x', dtype: 'float64', shape: [grid.width], chunks: [grid.width], dims: ['x'], fill: null, attrs: axisAttributes(grid, 'x') },
    { name: 'y', dtype: 'float64', shape: [grid.height], chunks: [grid.height], dims: ['y'], fill: null, attrs: axisAttributes(grid, 'y') },
  ];
  const nt = meta.time?.labels.length;
  if (nt !== undefined) {
    // no units: the labels are the indices apply_dimension gave the dimension
    const attrs = timeUnits ? { standard_name: 'time', long_name: 'time', axis: 'T', units: timeUnits, calendar: 'proleptic_gregorian' } : { long_name: 'index' };
    arrays.push({ name: timeName(meta), dtype: 'int64', shape: [nt], chunks: [nt], dims: [timeName(meta)], fill: null, attrs });
  }
  const gdalCrs: Record<string, unknown> = { wkt: grid.crs.wkt };
  if (grid.crs.epsg !== undefined) gdalCrs.url = `http://www.opengis.net/def/crs/EPSG/0/${grid.crs.epsg}`;
  for (const v of meta.variables) {
    // `coordinates` makes xarray load spatial_ref as a coordinate, as rioxarray writes it, not a data variable.
    const attrs: Record<string, unknown> = { grid_mapping: GRID_MAPPING, coordinates: GRID_MAPPING, _CRS: gdalCrs };
    if (v.description) attrs.long_name = v.description;
    const spatialShape = [grid.height, grid.width];
    const spatialChunks = [chunk.height, chunk.width];
    arrays.push({
      name: v.name,
      dtype: v.dtype,
      shape: nt === undefined ? spatialShape : [nt, ...spatialShape],
      chunks: nt === undefined ? spatialChunks : [Math.min(layout.timeChunk, nt), ...spatialChunks],
      dims: nt === undefined ? ['y', 'x'] : [timeName(meta), 'y', 'x'],
      fill: v.nodata,
      attrs,
    });
  }
  return arrays;
}

function v2Docs(a: ZarrArray, layout: ZarrLayout): [string, unknown][] {
  const zarray = {
    zarr_format: 2,
    shape: a.shape,
    chunks: a.chunks,
    dtype: V2_DTYPE[a.dtype],
    compressor: a.shape.length === 0 ? null : layout.encoder.v2Compressor(bytesOf(a.dtype)),
    fill_value: fillJson(a.fill),
    order: 'C',
    filters: null,
    dimension_separator: '.',
  };
  return [[`${a.name}/.zarray`, zarray], [`${a.name}/.zattrs`, { _ARRAY_DIMENSIONS: a.dims, ...a.attrs }]];
}

function v3Doc(a: ZarrArray, layout: ZarrLayout): [string, unknown] {
  const attrs = a.fill === null ? a.attrs : { ...a.attrs, _FillValue: fillJson(a.fill) };
  const bytesCodec = bytesOf(a.dtype) > 1 ? { name: 'bytes', configuration: { endian: 'little' } } : { name: 'bytes' };
  const doc = {
    zarr_format: 3,
    node_type: 'array',
    shape: a.shape,
    data_type: a.dtype,
    chunk_grid: { name: 'regular', configuration: { chunk_shape: a.chunks } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    // v3 requires a fill value; `_FillValue` in the attributes is what tells xarray to mask.
    fill_value: fillJson(a.fill ?? 0),
    codecs: [bytesCodec, ...(a.shape.length === 0 ? [] : layout.encoder.v3Codecs(bytesOf(a.dtype)))],
    attributes: attrs,
    dimension_names: a.dims,
  };
  return [`${a.name}/zarr.json`, doc];
}

/** Store-relative key → JSON document, the group's first. */
export function metadataDocuments(meta: RasterMeta, layout: ZarrLayout, arrays: ZarrArray[]): [string, unknown][] {
  const rootAttrs = { Conventions: 'CF-1.8', ...meta.attributes };
  if (layout.format === 2) {
    return [['.zgroup', { zarr_format: 2 }], ['.zattrs', rootAttrs], ...arrays.flatMap((a) => v2Docs(a, layout))];
  }
  return [['zarr.json', { zarr_format: 3, node_type: 'group', attributes: rootAttrs }], ...arrays.map((a) => v3Doc(a, layout))];
}

/**
 * The consolidated form: v2 `.zmetadata` (read by xarray's `consolidated=True` and GDAL); v3 inline
 * `consolidated_metadata` in the root `zarr.json` as zarr-python 3 writes it.
 */
export function consolidatedDocument(layout: ZarrLayout, docs: [string, unknown][]): [string, unknown] {
  if (layout.format === 2) return ['.zmetadata', { zarr_consolidated_format: 1, metadata: Object.fromEntries(docs) }];
  const [[rootKey, root], ...rest] = docs;
  const metadata = Object.fromEntries(rest.map(([k, d]) => [k.replace(/\/zarr\.json$/, ''), d]));
  return [rootKey, { ...(root as object), consolidated_metadata: { kind: 'inline', must_understand: false, metadata } }];
}

/** Store-relative key of a chunk given its chunk-grid indices. */
export function chunkKey(layout: ZarrLayout, name: string, indices: number[]): string {
  if (layout.format === 2) return `${name}/${indices.length === 0 ? '0' : indices.join('.')}`;
  return `${name}/c${indices.map((i) => `/${i}`).join('')}`;
}

export const encodeJson = (doc: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(doc, null, 2)}\n`);
