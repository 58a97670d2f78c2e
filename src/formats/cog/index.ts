/** GeoTIFF / Cloud-Optimized GeoTIFF writer: tiled, DEFLATE or ZSTD, GeoKeys, nodata, internal overviews. */
export { CogWriter, type CogOptions, type CogWriteResult } from './cog-writer.ts';
export { finishToFile, writeCog, writeCogToStream, type TileSource } from './write-cog.ts';
export { type CogDType, type CogTypedArray, DTYPES } from './dtypes.ts';
export type { CogCrs, GeoTransform } from './geokeys.ts';
export type { CogCompression, CogPredictor } from './tile-encoder.ts';
export { pyramidSizes, type LevelSize } from './overview-pyramid.ts';
