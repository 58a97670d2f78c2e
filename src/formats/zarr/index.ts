/** Zarr v2/v3 result stores that xarray (`open_zarr(consolidated=True)`) and GDAL's Zarr driver open. */
export { createZarrWriter, type ZarrWriterOptions } from './zarr-writer.ts';
export type { ZarrCodec } from './codecs.ts';
