/**
 * A geotiff.js source over one object of an ObjectStore (shape of geotiff's BaseSource), for
 * `GeoTIFF.fromSource(source)`. Slices are fetched concurrently, one ranged GET each; merging neighbouring slices
 * and caching belong in wrappers such as geotiff's BlockedSource.
 */
import { OpenEOError } from '../errors.ts';
import type { ObjectStore } from './object-store.ts';

export interface Slice {
  offset: number;
  length: number;
}

export class ObjectStoreSource {
  constructor(
    readonly store: ObjectStore,
    readonly key: string,
    /** Object size if known; geotiff.js only uses it as a hint. */
    private readonly size: number | null = null,
  ) {}

  get fileSize(): number | null {
    return this.size;
  }

  async fetch(slices: Slice[], signal?: AbortSignal): Promise<ArrayBuffer[]> {
    return Promise.all(slices.map(async (s) => (await this.fetchSlice(s, signal)).data));
  }

  async fetchSlice(slice: Slice, signal?: AbortSignal): Promise<Slice & { data: ArrayBuffer }> {
    const bytes = await this.store.get(this.key, { range: slice }, signal);
    if (bytes === undefined) throw new OpenEOError('StorageFailure', `Object "${this.key}" in ${this.store.url} disappeared while being read.`);
    // geotiff.js works on ArrayBuffers; copy only when the bytes are a view into a larger buffer.
    const data =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
        ? bytes.buffer
        : bytes.slice().buffer;
    return { offset: slice.offset, length: bytes.byteLength, data };
  }

  async close(): Promise<void> {}
}

/** Opens `key` as a geotiff.js source; undefined when the object does not exist. */
export async function openGeoTiffSource(store: ObjectStore, key: string, signal?: AbortSignal): Promise<ObjectStoreSource | undefined> {
  const info = await store.head(key, signal);
  return info ? new ObjectStoreSource(store, key, info.size) : undefined;
}
