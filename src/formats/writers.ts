/**
 * Raster output formats: their `GET /file_formats` descriptions (options as JSON Schema) and the writers that
 * implement them. Options shared by all raster formats (dtype, nodata, chunk_size) are read by the executor.
 */
import { OpenEOError } from '../errors.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { RasterFormatWriter } from './raster-writer.ts';
import type { FileFormat } from './registry.ts';
import { createGtiffWriter } from './gtiff/gtiff-writer.ts';
import { createNetcdfWriter } from './netcdf/index.ts';
import { COLORMAP_NAMES, createQuicklookWriter } from './png/index.ts';
import { createZarrWriter, type ZarrCodec } from './zarr/index.ts';

const COMMON_OPTIONS: FileFormat['parameters'] = {
  dtype: {
    type: ['string', 'null'],
    description: 'Data type of the stored values; null keeps the type the computation yields.',
    enum: ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64', null],
    default: null,
  },
  nodata: {
    type: ['number', 'null'],
    description: 'The value stored where the result has no data; it is declared as the fill value. null stores 0 (integers) or NaN (floats) without declaring a fill value.',
  },
  chunk_size: {
    type: ['integer', 'array'],
    description: 'Chunk width and height in pixels (one number or [width, height]); also the unit of parallel work. With apply_dimension along x (y) the chunks get fewer rows (columns), at least 64, so that a full-width (full-height) strip of them holds about as many pixels as one chunk of this size.',
    default: 2048,
  },
};

export const ZARR_FORMAT: FileFormat = {
  name: 'ZARR',
  title: 'Zarr',
  description: 'A Zarr store (v2 with consolidated metadata by default) that xarray and GDAL open lazily; one variable per band, CF coordinates and a grid mapping.',
  gis_data_types: ['raster'],
  parameters: {
    ...COMMON_OPTIONS,
    zarr_format: { type: 'integer', description: 'Zarr format version.', enum: [2, 3], default: 2 },
    codec: { type: 'string', description: 'Chunk compression.', enum: ['zstd', 'blosc', 'zlib', 'none'], default: 'zstd' },
    level: { type: ['integer', 'null'], description: 'Compression level; null for the codec default.', default: null },
    name: { type: 'string', description: 'Name of the store (`<name>.zarr`).', default: 'result', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
  },
};

export const GTIFF_FORMAT: FileFormat = {
  name: 'GTiff',
  title: 'GeoTIFF (Cloud-Optimized)',
  description: 'Cloud-Optimized GeoTIFFs: one file per band (or all bands in one with `multiband`), one per time step when the cube keeps time.',
  gis_data_types: ['raster'],
  parameters: {
    ...COMMON_OPTIONS,
    // GDAL before 3.7 reads 8-bit signed TIFF samples as unsigned bytes
    dtype: { ...COMMON_OPTIONS.dtype, description: `${COMMON_OPTIONS.dtype.description} No int8 (GDAL before 3.7 reads it as unsigned bytes): use int16.`, enum: COMMON_OPTIONS.dtype.enum!.filter((t) => t !== 'int8') },
    compression: { type: 'string', description: 'Tile compression.', enum: ['zstd', 'deflate', 'none'], default: 'zstd' },
    multiband: { type: 'boolean', description: 'All bands in one file (they share the data type).', default: false },
    name: { type: 'string', description: 'File name stem.', default: 'result', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
  },
};

export const NETCDF_FORMAT: FileFormat = {
  name: 'netCDF',
  title: 'netCDF (classic 64-bit offset)',
  description: 'One netCDF-3 file (CDF-2) with CF conventions: one variable per band, x/y (and t) coordinates and a grid mapping.',
  gis_data_types: ['raster'],
  parameters: {
    ...COMMON_OPTIONS,
    name: { type: 'string', description: 'File name stem.', default: 'result', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
  },
};

const COLORMAP = { type: 'string', description: 'Colour map.', enum: [...COLORMAP_NAMES, ...COLORMAP_NAMES.map((n) => `${n}_r`)], default: 'viridis' };

export const PNG_FORMAT: FileFormat = {
  name: 'PNG',
  title: 'PNG quicklook',
  description: 'A coloured preview per band (the last time step when the cube keeps time), downsampled to fit `max_size`, no-data transparent. A palette PNG of the colours used (RGBA when they exceed 256 entries).',
  gis_data_types: ['raster'],
  parameters: {
    ...COMMON_OPTIONS,
    colormap: COLORMAP,
    min: { type: ['number', 'null'], description: 'Value shown with the first colour; default the smallest value.', default: null },
    max: { type: ['number', 'null'], description: 'Value shown with the last colour; default the largest value.', default: null },
    max_size: { type: 'integer', description: 'Longest side of the image in pixels.', default: 2048, minimum: 16, maximum: 16384 },
    window: { type: ['string', 'null'], description: "Part of the grid to show, as numpy slices over rows and columns, e.g. '[:5000, :5000]'.", default: null },
    name: { type: 'string', description: 'File name stem.', default: 'quicklook', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' },
  },
};

/** Options of the overview quicklooks attached to every raster result (not part of save_result). */
const OVERVIEW = { maxSize: 1024, colormap: 'Reds', name: 'overview' };

const opt = <T>(options: Record<string, unknown>, name: string, check: (v: unknown) => v is T, what: string): T | undefined => {
  const v = options[name];
  if (v === undefined || v === null) return undefined;
  if (!check(v)) throw new OpenEOError('ProcessParameterInvalid', `save_result: option '${name}' must be ${what}.`);
  return v;
};
const isInt = (v: unknown): v is number => Number.isInteger(v);
const isString = (v: unknown): v is string => typeof v === 'string';

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const FORMATS = [ZARR_FORMAT, GTIFF_FORMAT, NETCDF_FORMAT, PNG_FORMAT];
const KNOWN: Record<string, string[]> = Object.fromEntries(FORMATS.map((f) => [f.name.toUpperCase(), Object.keys(f.parameters)]));

export function rasterFormats(): FileFormat[] {
  return FORMATS;
}

/** Writes the primary format and, alongside, the overview quicklooks of every variable. */
function withOverview(primary: RasterFormatWriter, overview: RasterFormatWriter): RasterFormatWriter {
  return {
    async begin(meta, signal) {
      await Promise.all([primary.begin(meta, signal), overview.begin(meta, signal)]);
    },
    async writeChunk(meta, window, data, signal) {
      await Promise.all([primary.writeChunk(meta, window, data, signal), overview.writeChunk(meta, window, data, signal)]);
    },
    async finish(meta, signal) {
      const [a, b] = await Promise.all([primary.finish(meta, signal), overview.finish(meta, signal)]);
      return [...a, ...b];
    },
  };
}

/** Options a format does not know are an error, not silently ignored. */
export function checkFormatOptions(format: string, options: Record<string, unknown>): void {
  const known = KNOWN[format];
  if (!known) throw new OpenEOError('FormatUnsupported', `The output format '${format}' cannot store raster data cubes.`);
  if (format === 'GTIFF' && options.dtype === 'int8') {
    throw new OpenEOError('ProcessParameterInvalid', "save_result: GTiff does not offer dtype 'int8' (GDAL before 3.7 reads it as unsigned bytes); use int16.");
  }
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new OpenEOError('ProcessParameterInvalid', `save_result: unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')} for ${format}; supported: ${known.join(', ')}.`);
  }
}

/** A writer for a raster format, writing below `prefix` of the store. */
export function createRasterWriter(format: string, store: ObjectStore, prefix: string, options: Record<string, unknown>): RasterFormatWriter {
  switch (format) {
    case 'ZARR': {
      const zarr = createZarrWriter(store, prefix, {
        zarrFormat: opt(options, 'zarr_format', (v): v is 2 | 3 => v === 2 || v === 3, '2 or 3'),
        codec: opt(options, 'codec', (v): v is ZarrCodec => ['zstd', 'blosc', 'zlib', 'none'].includes(v as string), 'zstd, blosc, zlib or none'),
        level: opt(options, 'level', isInt, 'an integer'),
        name: opt(options, 'name', isString, 'a string'),
      });
      return withOverview(zarr, createQuicklookWriter(store, prefix, OVERVIEW));
    }
    case 'GTIFF':
      return withOverview(
        createGtiffWriter(store, prefix, {
          compression: opt(options, 'compression', (v): v is 'zstd' | 'deflate' | 'none' => ['zstd', 'deflate', 'none'].includes(v as string), 'zstd, deflate or none'),
          multiband: opt(options, 'multiband', (v): v is boolean => typeof v === 'boolean', 'a boolean'),
          name: opt(options, 'name', isString, 'a string'),
        }),
        createQuicklookWriter(store, prefix, OVERVIEW),
      );
    case 'NETCDF':
      return withOverview(createNetcdfWriter(store, prefix, { name: opt(options, 'name', isString, 'a string') }), createQuicklookWriter(store, prefix, OVERVIEW));
    case 'PNG':
      return createQuicklookWriter(store, prefix, {
        colormap: opt(options, 'colormap', (v): v is string => typeof v === 'string' && COLORMAP.enum.includes(v), `one of ${COLORMAP.enum.join(', ')}`),
        min: opt(options, 'min', isNumber, 'a number'),
        max: opt(options, 'max', isNumber, 'a number'),
        maxSize: opt(options, 'max_size', (v): v is number => isInt(v) && v >= 16 && v <= 16384, 'an integer between 16 and 16384'),
        name: opt(options, 'name', isString, 'a string'),
      });
    default:
      throw new OpenEOError('FormatUnsupported', `The output format '${format}' cannot store raster data cubes.`);
  }
}
