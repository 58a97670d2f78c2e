/**
 * Raster output formats: their `GET /file_formats` descriptions (options as JSON Schema) and the writers that
 * implement them. Options shared by all raster formats (dtype, nodata, chunk_size) are read by the executor.
 */
import { OpenEOError } from '../errors.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { RasterFormatWriter } from './raster-writer.ts';
import type { FileFormat } from './registry.ts';
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
    description: 'Chunk width and height in pixels (one number or [width, height]); also the unit of parallel work.',
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

const opt = <T>(options: Record<string, unknown>, name: string, check: (v: unknown) => v is T, what: string): T | undefined => {
  const v = options[name];
  if (v === undefined || v === null) return undefined;
  if (!check(v)) throw new OpenEOError('ProcessParameterInvalid', `save_result: option '${name}' must be ${what}.`);
  return v;
};
const isInt = (v: unknown): v is number => Number.isInteger(v);
const isString = (v: unknown): v is string => typeof v === 'string';

const KNOWN: Record<string, string[]> = {
  ZARR: Object.keys(ZARR_FORMAT.parameters),
};

export function rasterFormats(): FileFormat[] {
  return [ZARR_FORMAT];
}

/** Options a format does not know are an error, not silently ignored. */
export function checkFormatOptions(format: string, options: Record<string, unknown>): void {
  const known = KNOWN[format];
  if (!known) throw new OpenEOError('FormatUnsupported', `The output format '${format}' cannot store raster data cubes.`);
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new OpenEOError('ProcessParameterInvalid', `save_result: unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')} for ${format}; supported: ${known.join(', ')}.`);
  }
}

/** A writer for a raster format, writing below `prefix` of the store. */
export function createRasterWriter(format: string, store: ObjectStore, prefix: string, options: Record<string, unknown>): RasterFormatWriter {
  switch (format) {
    case 'ZARR': {
      const zarrFormat = opt(options, 'zarr_format', (v): v is 2 | 3 => v === 2 || v === 3, '2 or 3');
      const codec = opt(options, 'codec', (v): v is ZarrCodec => ['zstd', 'blosc', 'zlib', 'none'].includes(v as string), 'zstd, blosc, zlib or none');
      return createZarrWriter(store, prefix, {
        zarrFormat,
        codec,
        level: opt(options, 'level', isInt, 'an integer'),
        name: opt(options, 'name', isString, 'a string'),
      });
    }
    default:
      throw new OpenEOError('FormatUnsupported', `The output format '${format}' cannot store raster data cubes.`);
  }
}
