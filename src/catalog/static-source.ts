/**
 * Items of a static STAC catalog: a Collection or Catalog whose `item` (and `child`) links are followed, or an
 * ItemCollection (FeatureCollection, optionally paged by `next` links). Filtering happens locally.
 */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { OpenEOError } from '../errors.ts';
import { describeUrl } from './http-json.ts';
import { matchesQuery } from './filter.ts';
import { readJsonDocument, type DocumentReadOptions } from './read-document.ts';
import { absolutizeItem, assertItem, assertItemCollection, assertLinks, isObject, resolveHref, toUrl } from './stac-item.ts';
import type { ItemQuery, ItemSource, StacItem } from './types.ts';

export interface StaticSourceOptions extends DocumentReadOptions {
  /** Local path or URL of a collection.json / catalog.json / ItemCollection JSON, or of a folder holding collection.json. */
  href: string;
  /** Safety cap: more matching items than this is an error. Default 10000. */
  maxItems?: number;
  /** Item documents read in parallel. Default 8. */
  concurrency?: number;
  /** The root document if the caller already has it (load_stac detection), to avoid reading it twice. */
  document?: unknown;
}

const MAX_DEPTH = 8;

/** The URL of the root document: folders (local ones detected, remote ones by a missing .json) get collection.json. */
export async function resolveStaticRoot(href: string): Promise<string> {
  const url = toUrl(href);
  if (url.startsWith('file:')) {
    const st = await stat(fileURLToPath(url)).catch(() => undefined);
    return st?.isDirectory() ? `${url.replace(/\/$/, '')}/collection.json` : url;
  }
  return /\.(geo)?json$/i.test(new URL(url).pathname) ? url : `${url.replace(/\/$/, '')}/collection.json`;
}

export function createStaticSource(opts: StaticSourceOptions): ItemSource {
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const maxItems = opts.maxItems ?? 10_000;

  async function* walk(url: string, doc: unknown, depth: number, visited: Set<string>, signal?: AbortSignal): AsyncGenerator<StacItem> {
    visited.add(url);
    const where = `The STAC document ${describeUrl(url)}`;
    if (!isObject(doc)) throw new OpenEOError('UpstreamInvalid', `${where} is not a JSON object.`);
    if (doc.type === 'FeatureCollection') {
      const { features, links } = assertItemCollection(doc, where);
      for (const f of features) yield absolutizeItem(assertItem(f, where), url);
      const next = links.find((l) => l.rel === 'next');
      const nextUrl = next && resolveHref(next.href, url);
      if (nextUrl && !visited.has(nextUrl)) yield* walk(nextUrl, await readJsonDocument(nextUrl, opts, signal), depth, visited, signal);
      return;
    }
    if (doc.type === 'Feature') {
      yield absolutizeItem(assertItem(doc, where), url);
      return;
    }
    if (doc.type !== 'Collection' && doc.type !== 'Catalog') {
      throw new OpenEOError('UpstreamInvalid', `${where} is neither a STAC Collection, Catalog nor ItemCollection.`);
    }
    const links = assertLinks(doc, where);
    const itemUrls = links.filter((l) => l.rel === 'item').map((l) => resolveHref(l.href, url));
    for (let i = 0; i < itemUrls.length; i += concurrency) {
      const batch = itemUrls.slice(i, i + concurrency);
      const docs = await Promise.all(batch.map((u) => readJsonDocument(u, opts, signal)));
      for (let k = 0; k < batch.length; k++) {
        yield absolutizeItem(assertItem(docs[k], `The STAC item ${describeUrl(batch[k])}`), batch[k]);
      }
    }
    if (depth >= MAX_DEPTH) return;
    for (const child of links.filter((l) => l.rel === 'child')) {
      const childUrl = resolveHref(child.href, url);
      if (visited.has(childUrl)) continue;
      yield* walk(childUrl, await readJsonDocument(childUrl, opts, signal), depth + 1, visited, signal);
    }
  }

  return {
    async *search(q: ItemQuery, signal?: AbortSignal): AsyncIterable<StacItem> {
      const rootUrl = await resolveStaticRoot(opts.href);
      const doc = opts.document ?? (await readJsonDocument(rootUrl, opts, signal));
      let count = 0;
      for await (const item of walk(rootUrl, doc, 0, new Set(), signal)) {
        if (!matchesQuery(item, q)) continue;
        if (q.limit !== undefined && count >= q.limit) return;
        if (count >= maxItems) {
          throw new OpenEOError('ProcessParameterInvalid',
            `The catalog ${describeUrl(rootUrl)} matched more than ${maxItems} items; narrow the spatial or temporal extent.`);
        }
        count++;
        yield item;
      }
    },
  };
}
