/**
 * The CF-1.8 description of a raster as a netCDF classic file: dimensions (t,) y, x; coordinate variables with
 * pixel-centre values; a `crs` grid-mapping variable with `crs_wkt` (CF, xarray/rioxarray) and `spatial_ref` +
 * `GeoTransform` (GDAL); data variables with `_FillValue` and `grid_mapping`. Classic netCDF has no unsigned
 * types, so unsigned data is stored in the signed type of the same width with `_Unsigned = "true"`, which GDAL,
 * netCDF-C and xarray all honour.
 */
import { axisAttributes, DTYPE_INFO, type DType, gridMappingAttributes, isIndexAxis, pixelCentres, type RasterMeta, timeName, timeSeconds, TIME_UNITS } from '../raster-writer.ts';
import { doubleAttr, NC_BYTE, NC_DOUBLE, NC_FLOAT, NC_INT, NC_SHORT, type NcAttribute, type NcFile, type NcType, type NcVariable, textAttr, toBigEndian } from './cdf-format.ts';

const NC_OF: Record<DType, NcType> = { uint8: NC_BYTE, int8: NC_BYTE, uint16: NC_SHORT, int16: NC_SHORT, uint32: NC_INT, int32: NC_INT, float32: NC_FLOAT, float64: NC_DOUBLE };
const UNSIGNED = new Set<DType>(['uint8', 'uint16', 'uint32']);
export const CRS_VARIABLE = 'crs';

function attrOf(value: unknown): NcAttribute {
  if (typeof value === 'string') return textAttr(value);
  if (typeof value === 'number') return doubleAttr(value);
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number')) return doubleAttr(...(value as number[]));
  return textAttr(JSON.stringify(value));
}

/** A value of a variable's type as the one-element attribute netCDF wants for `_FillValue`. */
function fillAttr(dtype: DType, value: number): NcAttribute {
  const a = new DTYPE_INFO[dtype].ctor(1);
  a[0] = value;
  return { type: NC_OF[dtype], count: 1, bytes: toBigEndian(a, DTYPE_INFO[dtype].bytes) };
}

export interface CfFile {
  file: NcFile;
  /** Index in `file.variables` of each data variable, in meta order. */
  dataIndex: number[];
  /** Big-endian contents of the small variables (crs, coordinates), by index. */
  smallData: Map<number, Uint8Array>;
}

export function describeCf(meta: RasterMeta): CfFile {
  const { grid } = meta;
  const dims: [string, number][] = [];
  const dimIndex = (name: string, len: number) => dims.push([name, len]) - 1;
  const tDim = meta.time ? dimIndex(timeName(meta), meta.time.labels.length) : -1;
  const yDim = dimIndex('y', grid.height);
  const xDim = dimIndex('x', grid.width);
  const variables: NcVariable[] = [];
  const smallData = new Map<number, Uint8Array>();
  const addSmall = (v: NcVariable, data: Uint8Array) => smallData.set(variables.push(v) - 1, data);

  const crsAttrs = Object.entries(gridMappingAttributes(grid)).map(([k, v]) => [k, attrOf(v)] as [string, NcAttribute]);
  addSmall({ name: CRS_VARIABLE, dims: [], type: NC_INT, attributes: crsAttrs }, new Uint8Array(4));
  if (meta.time && isIndexAxis(meta.time.labels)) {
    addSmall({ name: timeName(meta), dims: [tDim], type: NC_DOUBLE, attributes: [['long_name', textAttr('index')]] }, toBigEndian(Float64Array.from(meta.time.labels, Number), 8));
  } else if (meta.time) {
    const attrs: [string, NcAttribute][] = [['standard_name', textAttr('time')], ['long_name', textAttr('time')], ['axis', textAttr('T')], ['units', textAttr(TIME_UNITS)], ['calendar', textAttr('proleptic_gregorian')]];
    addSmall({ name: timeName(meta), dims: [tDim], type: NC_DOUBLE, attributes: attrs }, toBigEndian(Float64Array.from(timeSeconds(meta.time.labels)), 8));
  }
  for (const [axis, dim] of [['y', yDim], ['x', xDim]] as const) {
    const attrs = Object.entries(axisAttributes(grid, axis)).map(([k, v]) => [k, textAttr(v)] as [string, NcAttribute]);
    addSmall({ name: axis, dims: [dim], type: NC_DOUBLE, attributes: attrs }, toBigEndian(pixelCentres(grid, axis), 8));
  }
  const dataIndex = meta.variables.map((v) => {
    const attrs: [string, NcAttribute][] = [];
    if (UNSIGNED.has(v.dtype)) attrs.push(['_Unsigned', textAttr('true')]);
    if (v.nodata !== null) attrs.push(['_FillValue', fillAttr(v.dtype, v.nodata)]);
    if (v.description) attrs.push(['long_name', textAttr(v.description)]);
    attrs.push(['grid_mapping', textAttr(CRS_VARIABLE)]);
    const vdims = tDim >= 0 ? [tDim, yDim, xDim] : [yDim, xDim];
    return variables.push({ name: v.name, dims: vdims, type: NC_OF[v.dtype], attributes: attrs }) - 1;
  });
  const globals: [string, NcAttribute][] = [['Conventions', textAttr('CF-1.8')]];
  for (const [k, v] of Object.entries(meta.attributes ?? {})) if (k !== 'Conventions') globals.push([k, attrOf(v)]);
  return { file: { dims, attributes: globals, variables }, dataIndex, smallData };
}
