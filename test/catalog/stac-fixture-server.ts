/**
 * A small STAC API on node:http for the catalog tests: landing page, /collections, /collections/{id},
 * /collections/{id}/items, /search (GET and POST) with paging through next links, static file serving, and
 * injectable failures (status codes, hangs, garbage bodies).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StacItem } from '../../src/catalog/types.ts';

export type PostPaging = 'merge' | 'full' | 'get';
export type Fault = { kind: 'status'; status: number; retryAfter?: string } | { kind: 'hang' } | { kind: 'garbage' } | { kind: 'wrong-shape' } | { kind: 'bad-item' };

export interface LoggedRequest { method: string; path: string; query: Record<string, string>; body?: Record<string, any> }

export interface StacFixture {
  url: string;
  requests: LoggedRequest[];
  /** The next requests (in order) get these faults instead of answers. */
  faults: Fault[];
  /** How POST search pages link to the next page. */
  postPaging: PostPaging;
  /** Extra files served verbatim by path (static catalogs over HTTP). */
  files: Map<string, string>;
  close(): Promise<void>;
}

const bboxOf = (g: any): number[] => {
  const pts: number[][] = g.type === 'Polygon' ? g.coordinates.flat() : g.type === 'MultiPolygon' ? g.coordinates.flat(2) : [g.coordinates];
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
};
const overlaps = (a: number[], b: number[]) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

/** STAC semantics: bbox (item bbox overlap) and an inclusive datetime interval. */
function filterItems(items: StacItem[], p: Record<string, any>, collection: string): StacItem[] {
  let out = items;
  if (p.collections && !p.collections.includes(collection)) return [];
  const area = p.intersects ? bboxOf(p.intersects) : p.bbox;
  if (area) out = out.filter((i) => overlaps(i.bbox!, area));
  if (p.datetime) {
    const [s, e] = String(p.datetime).split('/');
    const start = s && s !== '..' ? Date.parse(s) : -Infinity, end = e && e !== '..' ? Date.parse(e) : Infinity;
    out = out.filter((i) => {
      const t = Date.parse(i.properties.datetime!);
      return t >= start && t <= end;
    });
  }
  return out;
}

export async function startStacFixture(items: StacItem[], opts: { collection?: string; pageSize?: number } = {}): Promise<StacFixture> {
  const collection = opts.collection ?? 'GFM';
  const sockets = new Set<import('node:net').Socket>();
  const fx: StacFixture = { url: '', requests: [], faults: [], postPaging: 'merge', files: new Map(), close: async () => {} };

  const page = (filtered: StacItem[], offset: number, limit: number, next: (token: number) => Record<string, unknown>) => ({
    type: 'FeatureCollection',
    features: filtered.slice(offset, offset + limit),
    links: offset + limit < filtered.length ? [next(offset + limit)] : [],
  });

  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url!, fx.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
    fx.requests.push({ method: req.method!, path: u.pathname, query: Object.fromEntries(u.searchParams), body });
    const send = (status: number, doc: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof doc === 'string' ? doc : JSON.stringify(doc));
    };
    const fault = fx.faults.shift();
    if (fault?.kind === 'hang') return; // never answers; the client must time out
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
      return res.end('upstream trouble');
    }
    if (fault?.kind === 'garbage') return send(200, '<html>Bad Gateway</html>', 'text/html');
    if (fault?.kind === 'wrong-shape') return send(200, { type: 'FeatureCollection', features: 'nope' });
    if (fault?.kind === 'bad-item') return send(200, { type: 'FeatureCollection', features: [{ type: 'Feature', id: 'x' }], links: [] });

    const base = fx.url;
    const file = fx.files.get(u.pathname);
    if (file !== undefined) return send(200, file);
    if (u.pathname === '/' || u.pathname === '') {
      return send(200, {
        type: 'Catalog', id: 'fixture', stac_version: '1.0.0', description: 'fixture', conformsTo: [],
        links: [
          { rel: 'self', href: `${base}/` }, { rel: 'root', href: `${base}/` },
          { rel: 'data', href: `${base}/collections` },
          { rel: 'search', href: `${base}/search`, method: 'GET', type: 'application/geo+json' },
          { rel: 'search', href: `${base}/search`, method: 'POST', type: 'application/geo+json' },
        ],
      });
    }
    const collectionDoc = {
      type: 'Collection', stac_version: '1.0.0', id: collection, description: 'fixture GFM', license: 'CC-BY-4.0',
      extent: { spatial: { bbox: [[60, 20, 75, 32]] }, temporal: { interval: [['2023-08-01T00:00:00Z', null]] } },
      links: [
        { rel: 'self', href: `${base}/collections/${collection}` }, { rel: 'root', href: `${base}/` },
        { rel: 'parent', href: `${base}/` }, { rel: 'items', href: `${base}/collections/${collection}/items` },
      ],
    };
    if (u.pathname === '/collections') return send(200, { collections: [collectionDoc], links: [] });
    if (u.pathname === `/collections/${collection}`) return send(200, collectionDoc);
    const limit = Number(body?.limit ?? u.searchParams.get('limit') ?? opts.pageSize ?? 10);
    if (u.pathname === `/collections/${collection}/items` || (u.pathname === '/search' && req.method === 'GET')) {
      const p: Record<string, any> = Object.fromEntries(u.searchParams);
      if (p.bbox) p.bbox = p.bbox.split(',').map(Number);
      if (p.collections) p.collections = p.collections.split(',');
      if (p.intersects) p.intersects = JSON.parse(p.intersects);
      const offset = Number(p.token ?? 0);
      const filtered = filterItems(items, p, collection);
      return send(200, page(filtered, offset, limit, (token) => {
        const next = new URL(u.href);
        next.searchParams.set('token', String(token));
        return { rel: 'next', href: next.href, type: 'application/geo+json' };
      }));
    }
    if (u.pathname === '/search' && req.method === 'POST') {
      const offset = Number(body?.token ?? 0);
      const filtered = filterItems(items, body ?? {}, collection);
      return send(200, page(filtered, offset, limit, (token) => {
        if (fx.postPaging === 'merge') return { rel: 'next', href: `${base}/search`, method: 'POST', body: { token }, merge: true };
        if (fx.postPaging === 'full') return { rel: 'next', href: `${base}/search`, method: 'POST', body: { ...body, token } };
        return { rel: 'next', href: `${base}/search?token=${token}&limit=${limit}&collections=${collection}` };
      }));
    }
    send(404, { code: 'NotFound', description: 'no such path' });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fx.close = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy(); // hanging requests would keep the server open
    server.close(() => resolve());
  });
  return fx;
}

/** A URL on which nothing listens (connection refused). */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
