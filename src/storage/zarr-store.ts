/**
 * Exposes an ObjectStore (or a folder of it) as a zarrita store. Zarrita keys are absolute ("/.zarray",
 * "/band/0.0"); they map to `<prefix>/<key>` in the object store.
 */
import type { AbsolutePath, AsyncMutable, GetOptions, RangeQuery } from 'zarrita';
import { joinKey, normaliseRoot } from './keys.ts';
import type { ObjectStore, PutOptions } from './object-store.ts';

export interface ZarrStoreOptions {
  /** Used for writes, which zarrita's `set(key, value)` cannot pass a signal to. */
  signal?: AbortSignal;
  /** Content type of written objects. */
  putOptions?: PutOptions;
}

export interface ZarrObjectStore extends AsyncMutable {
  getRange(key: AbsolutePath, range: RangeQuery, opts?: GetOptions): Promise<Uint8Array | undefined>;
}

export function toZarrStore(store: ObjectStore, prefix = '', options: ZarrStoreOptions = {}): ZarrObjectStore {
  const root = normaliseRoot(prefix);
  const keyOf = (key: AbsolutePath) => joinKey(root, key.slice(1));
  return {
    get: (key, opts) => store.get(keyOf(key), {}, opts?.signal),
    getRange: (key, range, opts) => store.get(keyOf(key), { range }, opts?.signal),
    set: (key, value) => store.put(keyOf(key), value, options.putOptions, options.signal),
  };
}
