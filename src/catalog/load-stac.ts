/**
 * `load_stac(url)`: decides what a URL points at (a STAC API collection, a static Collection/Catalog, an
 * ItemCollection or a single Item) and returns the matching ItemSource.
 */
import { OpenEOError } from '../errors.ts';
import { describeUrl } from './http-json.ts';
import { geometryBbox, matchesQuery } from './filter.ts';
import { readJsonDocument, type DocumentReadOptions } from './read-document.ts';
import { createStacApiSource } from './stac-api.ts';
import { createStaticSource } from './static-source.ts';
import { assertLinks, isObject, resolveHref, toUrl } from './stac-item.ts';
import type { ItemQuery, ItemSource, StacLink } from './types.ts';

export interface OpenStacOptions extends DocumentReadOptions {
  /**
   * URL schemes a user may name. Default http: and https: only: user URLs must never reach server-local files
   * or our own buckets unless the caller decides so.
   */
  allowedSchemes?: string[];
  /** Passed to the STAC API source. */
  method?: 'GET' | 'POST';
  pageSize?: number;
  maxItems?: number;
}

export interface OpenedStac {
  kind: 'stac-api' | 'static-collection' | 'static-catalog' | 'item-collection' | 'item';
  source: ItemSource;
  /** The document at the URL (collection metadata: bands, extents, …). */
  document: Record<string, unknown>;
  /** The resolved document URL. */
  url: string;
}

/** The landing page's search link (POST preferred: bodies carry long geometries), if the API has one. */
async function findSearchLink(collectionUrl: string, links: StacLink[], opts: OpenStacOptions, signal?: AbortSignal): Promise<StacLink | undefined> {
  const root = links.find((l) => l.rel === 'root');
  if (!root) return undefined;
  const rootUrl = resolveHref(root.href, collectionUrl);
  let landing: unknown;
  try {
    landing = await readJsonDocument(rootUrl, opts, signal);
  } catch (e) {
    if (signal?.aborted) throw e;
    return undefined; // the collection's own items endpoint still works
  }
  if (!isObject(landing) || !Array.isArray(landing.links)) return undefined;
  const search = (landing.links as StacLink[]).filter((l) => isObject(l) && l.rel === 'search' && typeof l.href === 'string');
  const pick = search.find((l) => String(l.method ?? '').toUpperCase() === 'POST') ?? search[0];
  return pick && { ...pick, href: resolveHref(pick.href, rootUrl) };
}

/** OGC items endpoints filter by bbox only: send the geometry's bbox, then test footprints locally. */
function bboxOnly(inner: ItemSource): ItemSource {
  return {
    async *search(q: ItemQuery, signal?: AbortSignal) {
      if (!q.intersects) return yield* inner.search(q, signal);
      const { intersects, limit, ...rest } = q;
      let count = 0;
      for await (const item of inner.search({ ...rest, bbox: geometryBbox(intersects) }, signal)) {
        if (!matchesQuery(item, { intersects })) continue;
        if (limit !== undefined && count >= limit) return;
        count++;
        yield item;
      }
    },
  };
}

export async function openStacUrl(input: string, opts: OpenStacOptions = {}, signal?: AbortSignal): Promise<OpenedStac> {
  const allowed = opts.allowedSchemes ?? ['http:', 'https:'];
  const url = toUrl(input);
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  if (!allowed.includes(scheme)) {
    throw new OpenEOError('ProcessParameterInvalid', `load_stac: URLs with scheme '${scheme}' are not allowed (use ${allowed.join(' or ')}).`);
  }
  const doc = await readJsonDocument(url, opts, signal);
  const where = `The STAC document ${describeUrl(url)}`;
  if (!isObject(doc)) throw new OpenEOError('UpstreamInvalid', `${where} is not a JSON object.`);
  const staticSource = () => createStaticSource({ ...opts, href: url, document: doc });
  switch (doc.type) {
    case 'FeatureCollection':
      return { kind: 'item-collection', source: staticSource(), document: doc, url };
    case 'Feature':
      return { kind: 'item', source: staticSource(), document: doc, url };
    case 'Catalog':
      return { kind: 'static-catalog', source: staticSource(), document: doc, url };
    case 'Collection': {
      const links = assertLinks(doc, where);
      const items = links.find((l) => l.rel === 'items');
      if (!items) return { kind: 'static-collection', source: staticSource(), document: doc, url };
      const http = { ...opts, method: undefined };
      const search = typeof doc.id === 'string' ? await findSearchLink(url, links, opts, signal) : undefined;
      const source = search
        ? createStacApiSource({
          ...http,
          searchUrl: search.href,
          collection: doc.id as string,
          method: opts.method ?? (String(search.method ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET'),
          pageSize: opts.pageSize,
          maxItems: opts.maxItems,
        })
        : bboxOnly(createStacApiSource({ ...http, searchUrl: resolveHref(items.href, url), method: 'GET', pageSize: opts.pageSize, maxItems: opts.maxItems }));
      return { kind: 'stac-api', source, document: doc, url };
    }
    default:
      throw new OpenEOError('UpstreamInvalid', `${where} is not a STAC Collection, Catalog, ItemCollection or Item.`);
  }
}
