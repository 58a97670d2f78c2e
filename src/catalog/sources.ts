/** Builds the ItemSource a configured collection names; the context injects fetch and the S3 reader. */
import { createStacApiSource } from './stac-api.ts';
import { createStaticSource } from './static-source.ts';
import type { CollectionEntry, FetchLike, HttpOptions, ItemSource, ReadObject } from './types.ts';

export interface SourceDeps extends Omit<HttpOptions, 'headers'> {
  /** Wrapped by the security layer (allow-lists, SSRF guards); default globalThis.fetch. */
  fetch?: FetchLike;
  readObject?: ReadObject;
}

export function createItemSource(entry: CollectionEntry, deps: SourceDeps = {}): ItemSource {
  const s = entry.source;
  const http: HttpOptions = {
    fetch: deps.fetch,
    timeoutMs: s.timeoutMs ?? deps.timeoutMs,
    retries: s.retries ?? deps.retries,
    backoffMs: deps.backoffMs,
    maxBackoffMs: deps.maxBackoffMs,
  };
  switch (s.type) {
    case 'stac-api':
      return createStacApiSource({
        ...http,
        headers: s.headers,
        searchUrl: `${s.url.replace(/\/+$/, '')}/search`,
        collection: s.collection,
        method: s.method,
        pageSize: s.pageSize,
        maxItems: s.maxItems,
      });
    case 'static':
      return createStaticSource({ ...http, readObject: deps.readObject, href: s.href, maxItems: s.maxItems });
  }
}
