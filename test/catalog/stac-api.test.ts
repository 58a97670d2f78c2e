import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createStacApiSource, type StacApiSourceOptions } from '../../src/catalog/stac-api.ts';
import { createItemSource } from '../../src/catalog/sources.ts';
import type { ItemQuery } from '../../src/catalog/types.ts';
import { collect, rejectsWith } from './search-helpers.ts';
import { makeItems } from './fixture-items.ts';
import { refusedUrl, startStacFixture, type StacFixture } from './stac-fixture-server.ts';

const items = makeItems(12); // 24 items: 12 timestamps x 2 tiles
const fast = { backoffMs: 1, maxBackoffMs: 5, timeoutMs: 2000 };

describe('STAC API source', () => {
  let fx: StacFixture;
  const source = (o: Partial<StacApiSourceOptions> = {}) =>
    createStacApiSource({ searchUrl: `${fx.url}/search`, collection: 'GFM', pageSize: 5, ...fast, ...o });
  before(async () => { fx = await startStacFixture(items); });
  after(() => fx.close());
  beforeEach(() => { fx.requests.length = 0; fx.faults.length = 0; fx.postPaging = 'merge'; });

  it('pages through POST next links that merge their body', async () => {
    const got = await collect(source());
    assert.deepEqual(got.map((i) => i.id), items.map((i) => i.id));
    const posts = fx.requests.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 5); // 24 items, pages of 5
    assert.deepEqual(posts[0].body, { limit: 5, collections: ['GFM'] });
    assert.deepEqual(posts[2].body, { limit: 5, collections: ['GFM'], token: 10 });
  });

  it('pages through POST next links whose body replaces the previous one', async () => {
    fx.postPaging = 'full';
    const q: ItemQuery = { bbox: [60, 20, 75, 32], datetime: ['2023-08-03T00:00:00Z', '2023-08-09T00:00:00Z'] };
    const got = await collect(source(), q);
    assert.equal(got.length, 12); // Aug 3 .. Aug 8, 2 tiles each
    const last = fx.requests.at(-1)!;
    assert.deepEqual(last.body, {
      limit: 5, collections: ['GFM'], bbox: [60, 20, 75, 32],
      datetime: '2023-08-03T00:00:00.000Z/2023-08-09T00:00:00.000Z', token: 10,
    });
  });

  it('follows GET next links from a POST search', async () => {
    fx.postPaging = 'get';
    assert.equal((await collect(source())).length, 24);
    assert.deepEqual(fx.requests.map((r) => r.method), ['POST', 'GET', 'GET', 'GET', 'GET']);
  });

  it('pages with GET search and sends the query as parameters', async () => {
    const geom = { type: 'Polygon' as const, coordinates: [[[60, 20], [75, 20], [75, 32], [60, 20]]] };
    const got = await collect(source({ method: 'GET' }), { intersects: geom, datetime: [null, '2023-08-02T01:23:45Z'] });
    // The end is exclusive (openEO), although the STAC API includes it.
    assert.deepEqual(got.map((i) => i.properties.datetime), ['2023-08-01T01:23:45Z', '2023-08-01T01:23:45Z']);
    const q = fx.requests[0].query;
    assert.equal(q.collections, 'GFM');
    assert.equal(q.datetime, '../2023-08-02T01:23:45.000Z');
    assert.deepEqual(JSON.parse(q.intersects), geom);
  });

  it('stops at the caller limit without fetching further pages', async () => {
    const got = await collect(source(), { limit: 7 });
    assert.equal(got.length, 7);
    assert.equal(fx.requests.length, 2);
  });

  it('refuses to silently truncate beyond maxItems', async () => {
    await rejectsWith(collect(source({ maxItems: 10 })), 'ProcessParameterInvalid', /more than 10 items/);
  });

  it('retries 503 and 429 with backoff, then succeeds', async () => {
    fx.faults.push({ kind: 'status', status: 503 }, { kind: 'status', status: 429, retryAfter: '0' }, { kind: 'status', status: 502 });
    assert.equal((await collect(source())).length, 24);
    assert.equal(fx.requests.length, 3 + 5);
  });

  it('gives up after the retries with UpstreamUnavailable naming the URL', async () => {
    fx.faults.push(...Array(4).fill({ kind: 'status', status: 503 }));
    await rejectsWith(collect(source({ retries: 2 })), 'UpstreamUnavailable', new RegExp(`POST ${fx.url}/search.*HTTP 503.*3 attempt`));
    assert.equal(fx.requests.length, 3);
  });

  it('times out a hanging request, retries, and recovers', async () => {
    fx.faults.push({ kind: 'hang' });
    assert.equal((await collect(source({ timeoutMs: 150, retries: 1 }))).length, 24);
  });

  it('reports a catalog that keeps hanging as unavailable (timed out)', async () => {
    fx.faults.push({ kind: 'hang' }, { kind: 'hang' });
    await rejectsWith(collect(source({ timeoutMs: 100, retries: 1 })), 'UpstreamUnavailable', /timed out/);
  });

  it('does not retry other client errors', async () => {
    fx.faults.push({ kind: 'status', status: 400 });
    await rejectsWith(collect(source()), 'UpstreamInvalid', /HTTP 400/);
    assert.equal(fx.requests.length, 1);
  });

  it('reports non-JSON, wrongly shaped pages and broken items as UpstreamInvalid', async () => {
    fx.faults.push({ kind: 'garbage' });
    await rejectsWith(collect(source()), 'UpstreamInvalid', new RegExp(`${fx.url}/search.*not JSON`));
    fx.faults.push({ kind: 'wrong-shape' });
    await rejectsWith(collect(source()), 'UpstreamInvalid', /FeatureCollection/);
    fx.faults.push({ kind: 'bad-item' });
    await rejectsWith(collect(source()), 'UpstreamInvalid', /not a valid STAC item/);
  });

  it('reports a refused connection as UpstreamUnavailable', async () => {
    const url = await refusedUrl();
    const src = createStacApiSource({ searchUrl: `${url}/search`, collection: 'GFM', ...fast, retries: 1 });
    await rejectsWith(collect(src), 'UpstreamUnavailable', new RegExp(`${url}/search.*ECONNREFUSED`));
  });

  it('stops on the caller abort signal, with its reason rather than an openEO error', async () => {
    fx.faults.push({ kind: 'hang' });
    const ac = new AbortController();
    const p = collect(source({ timeoutMs: 60_000 }), {}, ac.signal);
    setImmediate(() => ac.abort(new Error('job canceled')));
    await assert.rejects(p, /job canceled/);
  });

  it('uses the injected fetch and the configured headers', async () => {
    const seen: string[] = [];
    const wrapped: typeof fetch = (input, init) => {
      seen.push(`${input} ${new Headers(init?.headers).get('authorization')}`);
      return fetch(input, init);
    };
    const src = createItemSource(
      { id: 'GFM', description: '', license: 'x', bands: [], grid: { crs: {}, resolution: [20, 20], extent: [0, 0, 1, 1] },
        extent: { spatial: { bbox: [] }, temporal: { interval: [] } },
        source: { type: 'stac-api', url: `${fx.url}/`, collection: 'GFM', headers: { authorization: 'Bearer t' }, pageSize: 20 } },
      { fetch: wrapped, ...fast },
    );
    assert.equal((await collect(src)).length, 24);
    assert.deepEqual(seen, [`${fx.url}/search Bearer t`, `${fx.url}/search Bearer t`]);
  });

  it('sends configured headers only to the configured origin and detects paging loops', async () => {
    // A stand-in for remote catalogs on other hosts, which the local fixture cannot be.
    const pages: Record<string, unknown> = {
      'https://a.example/search': { type: 'FeatureCollection', features: [items[0]], links: [{ rel: 'next', href: 'https://b.example/p2' }] },
      'https://b.example/p2': { type: 'FeatureCollection', features: [items[1]], links: [{ rel: 'next', href: 'https://b.example/p2' }] },
    };
    const seen: string[] = [];
    const remote: typeof fetch = async (input, init) => {
      seen.push(`${input} ${new Headers(init?.headers).get('authorization')}`);
      return new Response(JSON.stringify(pages[String(input)]), { status: 200 });
    };
    const src = createStacApiSource({ searchUrl: 'https://a.example/search', collection: 'GFM', fetch: remote, headers: { authorization: 'Bearer secret' }, ...fast });
    await rejectsWith(collect(src), 'UpstreamInvalid', /loop/);
    assert.deepEqual(seen, ['https://a.example/search Bearer secret', 'https://b.example/p2 null']);
  });
});
