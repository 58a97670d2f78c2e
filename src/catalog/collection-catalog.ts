/** The configured collections as the API serves them (matches `CollectionCatalog` of src/context.ts). */
import { describeCollection, queryables, summarizeCollection } from './describe.ts';
import type { CollectionEntry } from './types.ts';

export interface ConfiguredCollections {
  list(): Promise<Record<string, unknown>[]>;
  get(id: string): Promise<Record<string, unknown> | undefined>;
  queryables(id: string): Promise<Record<string, unknown> | undefined>;
  /** The configuration of one collection (source, bands, grid) for planning and loading. */
  entry(id: string): CollectionEntry | undefined;
}

/** `baseUrl` is the public API root, e.g. `https://host/openeo/1.2`. */
export function createCollectionCatalog(entries: readonly CollectionEntry[], baseUrl: string): ConfiguredCollections {
  const byId = new Map(entries.map((e) => [e.id, e]));
  return {
    list: async () => entries.map((e) => summarizeCollection(e, baseUrl)),
    get: async (id) => {
      const e = byId.get(id);
      return e && describeCollection(e, baseUrl);
    },
    queryables: async (id) => {
      const e = byId.get(id);
      return e && queryables(e, baseUrl);
    },
    entry: (id) => byId.get(id),
  };
}
