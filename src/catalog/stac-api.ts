/**
 * STAC API item search (`/search`, GET or POST, or an OGC `/collections/{id}/items` endpoint) with paging through
 * `next` links, as the STAC API spec defines them (GET links; POST links with `body`, `merge`, `headers`).
 */
import { OpenEOError } from '../errors.ts';
import { describeUrl, fetchJson, type JsonRequest } from './http-json.ts';
import { matchesInterval } from './filter.ts';
import { absolutizeItem, assertItem, assertItemCollection, resolveHref } from './stac-item.ts';
import type { HttpOptions, ItemQuery, ItemSource, StacItem, StacLink } from './types.ts';

export interface StacApiSourceOptions extends HttpOptions {
  /** The search endpoint (`…/search`), or a collection's `…/items` endpoint when `collection` is omitted. */
  searchUrl: string;
  /** Sent as `collections: [collection]`; omit for an items endpoint. */
  collection?: string;
  /** Default POST (geometries can be long); GET sends the query as URL parameters. */
  method?: 'GET' | 'POST';
  /** Page size sent as `limit`. Default 100. */
  pageSize?: number;
  /** Safety cap: more matching items than this is an error (not a silent truncation). Default 10000. */
  maxItems?: number;
}

export const STAC_API_DEFAULTS = { pageSize: 100, maxItems: 10_000 } as const;

/** openEO allows plain dates; STAC APIs need RFC 3339 date-times. */
function toRfc3339(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new OpenEOError('ProcessParameterInvalid', `Invalid date-time '${value}' in the temporal extent.`);
  return new Date(t).toISOString();
}

/** The STAC `datetime` parameter for an interval; undefined when fully open. */
export function datetimeParam(interval: ItemQuery['datetime']): string | undefined {
  if (!interval || (interval[0] === null && interval[1] === null)) return undefined;
  const [s, e] = interval;
  return `${s === null ? '..' : toRfc3339(s)}/${e === null ? '..' : toRfc3339(e)}`;
}

/** The search as a POST body (also the source of the GET parameters). */
export function searchBody(q: ItemQuery, collection: string | undefined, pageSize: number): Record<string, unknown> {
  const body: Record<string, unknown> = { limit: pageSize };
  if (collection !== undefined) body.collections = [collection];
  if (q.intersects) body.intersects = q.intersects;
  else if (q.bbox) body.bbox = q.bbox;
  const dt = datetimeParam(q.datetime);
  if (dt) body.datetime = dt;
  return body;
}

function withQuery(url: string, body: Record<string, unknown>): string {
  const u = new URL(url);
  for (const [key, v] of Object.entries(body)) {
    const value = Array.isArray(v) && key !== 'intersects' ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v);
    u.searchParams.set(key, value);
  }
  return u.href;
}

/** The request a `next` link asks for, given the request that produced the page. */
export function nextRequest(link: StacLink, prev: JsonRequest): JsonRequest {
  const url = resolveHref(link.href, prev.url);
  const method = String(link.method ?? 'GET').toUpperCase();
  const headers = link.merge ? { ...prev.headers, ...link.headers } : (link.headers ?? prev.headers);
  if (method === 'GET') return { url, method: 'GET', headers };
  if (method !== 'POST') throw new OpenEOError('UpstreamInvalid', `The catalog's next link for ${describeUrl(url)} uses unsupported method ${method}.`);
  const prevBody = (prev.body ?? {}) as Record<string, unknown>;
  const body = link.merge ? { ...prevBody, ...link.body } : (link.body ?? prevBody);
  return { url, method: 'POST', headers, body };
}

const requestKey = (r: JsonRequest) => `${r.method} ${r.url} ${r.body === undefined ? '' : JSON.stringify(r.body)}`;

export function createStacApiSource(opts: StacApiSourceOptions): ItemSource {
  const pageSize = opts.pageSize ?? STAC_API_DEFAULTS.pageSize;
  const maxItems = opts.maxItems ?? STAC_API_DEFAULTS.maxItems;
  const method = opts.method ?? 'POST';
  // Configured headers (credentials) go only to the configured origin, never to where a next link points.
  const { headers: configured, ...http } = opts;
  const origin = new URL(opts.searchUrl).origin;
  const withAuth = (r: JsonRequest): JsonRequest =>
    configured && new URL(r.url).origin === origin ? { ...r, headers: { ...configured, ...r.headers } } : r;
  return {
    async *search(q: ItemQuery, signal?: AbortSignal): AsyncIterable<StacItem> {
      const body = searchBody(q, opts.collection, pageSize);
      let req: JsonRequest = method === 'POST'
        ? { url: opts.searchUrl, method: 'POST', body }
        : { url: withQuery(opts.searchUrl, body), method: 'GET' };
      const seen = new Set<string>();
      let count = 0;
      for (;;) {
        seen.add(requestKey(req));
        const where = `The STAC search ${describeUrl(req.url)}`;
        const page = await fetchJson(withAuth(req), http, signal);
        const { features, links } = assertItemCollection(page, where);
        for (const f of features) {
          const item = assertItem(f, where);
          // STAC intervals include their end, openEO's exclude it.
          if (q.datetime && !matchesInterval(item, q.datetime)) continue;
          if (q.limit !== undefined && count >= q.limit) return;
          if (count >= maxItems) {
            throw new OpenEOError('ProcessParameterInvalid',
              `The search in ${opts.collection ?? describeUrl(opts.searchUrl)} matched more than ${maxItems} items; narrow the spatial or temporal extent.`);
          }
          count++;
          yield absolutizeItem(item, req.url);
        }
        const next = links.find((l) => l.rel === 'next');
        if (!next || features.length === 0) return;
        req = nextRequest(next, req);
        if (seen.has(requestKey(req))) throw new OpenEOError('UpstreamInvalid', `${where} pages in a loop (its next link repeats an earlier request).`);
      }
    },
  };
}
