/** Public surface of the storage module. */
export type { ByteRange, GetOptions, ListEntry, ObjectInfo, ObjectStore, ObjectStream, PutBody, PutOptions } from './object-store.ts';
export { resolveRange } from './object-store.ts';
export { joinKey, validateKey, validatePrefix } from './keys.ts';
export { LocalObjectStore } from './local-store.ts';
export { LazyS3Store } from './lazy-s3-store.ts';
export { parseS3Url, resolveS3Config, MIN_PART_SIZE, type S3Credentials, type S3StoreConfig, type ChecksumMode } from './s3-config.ts';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './s3-retry.ts';
export { createObjectStore, ensureBucket, type CreateObjectStoreOptions } from './create-object-store.ts';
export { toZarrStore, type ZarrObjectStore, type ZarrStoreOptions } from './zarr-store.ts';
export { ObjectStoreSource, openGeoTiffSource, type Slice } from './geotiff-source.ts';
