import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { OpenEOError } from '../../src/errors.ts';
import { openStacUrl } from '../../src/catalog/load-stac.ts';
import type { ItemQuery, ItemSource, StacItem } from '../../src/catalog/types.ts';
import { makeItems } from './fixture-items.ts';
import { startStacFixture, type StacFixture } from './stac-fixture-server.ts';

const items = makeItems(6);
const fast = { backoffMs: 1, timeoutMs: 2000, pageSize: 4 };

async function collect(source: ItemSource, q: ItemQuery = {}) {
  const out: StacItem[] = [];
  for await (const i of source.search(q)) out.push(i);
  return out;
}

describe('load_stac URL resolution', () => {
  let fx: StacFixture;
  before(async () => {
    fx = await startStacFixture(items);
    fx.files.set('/static/collection.json', JSON.stringify({
      type: 'Collection', id: 'GFM', description: 'd', license: 'x', extent: {},
      links: items.map((i) => ({ rel: 'item', href: `items/${i.id}.json` })),
    }));
    for (const i of items) fx.files.set(`/static/items/${i.id}.json`, JSON.stringify(i));
    fx.files.set('/ic.json', JSON.stringify({ type: 'FeatureCollection', features: items.slice(0, 2), links: [] }));
    // A collection of an OGC API without a STAC search: only its items endpoint can be used.
    fx.files.set('/ogc/collection.json', JSON.stringify({
      type: 'Collection', id: 'GFM', description: 'd', license: 'x', extent: {},
      links: [{ rel: 'items', href: '/collections/GFM/items' }],
    }));
    fx.files.set('/html', '<html>hello</html>');
    const sneaky = { ...items[0], assets: { ensemble_flood_extent: { href: 'file:///etc/passwd' } } };
    fx.files.set('/sneaky.json', JSON.stringify({ type: 'FeatureCollection', features: [sneaky] }));
    fx.files.set('/sneaky-collection.json', JSON.stringify({ type: 'Collection', id: 'x', links: [{ rel: 'item', href: 'file:///etc/hostname' }] }));
  });
  after(() => fx.close());
  beforeEach(() => { fx.requests.length = 0; });

  it('detects a STAC API collection and searches through the API', async () => {
    const opened = await openStacUrl(`${fx.url}/collections/GFM`, fast);
    assert.equal(opened.kind, 'stac-api');
    assert.equal(opened.document.id, 'GFM');
    const got = await collect(opened.source, { datetime: ['2023-08-02T00:00:00Z', null] });
    assert.equal(got.length, 10);
    const searches = fx.requests.filter((r) => r.path === '/search');
    assert.equal(searches[0].method, 'POST'); // the landing page offers POST search
    assert.deepEqual(searches[0].body?.collections, ['GFM']);
  });

  it('falls back to the items endpoint and filters geometries locally', async () => {
    const opened = await openStacUrl(`${fx.url}/ogc/collection.json`, fast);
    assert.equal(opened.kind, 'stac-api');
    const tri = { type: 'Polygon' as const, coordinates: [[[65.7, 26.4], [65.9, 26.4], [65.8, 26.6], [65.7, 26.4]]] };
    const got = await collect(opened.source, { intersects: tri });
    assert.deepEqual(new Set(got.map((i) => i.properties.Equi7Tile)), new Set(['E015N027T3']));
    const itemsReq = fx.requests.find((r) => r.path === '/collections/GFM/items')!;
    assert.equal(itemsReq.query.bbox, '65.7,26.4,65.9,26.6');
  });

  it('detects a static collection and an item collection', async () => {
    const stat = await openStacUrl(`${fx.url}/static/collection.json`, fast);
    assert.equal(stat.kind, 'static-collection');
    assert.equal((await collect(stat.source)).length, items.length);
    const ic = await openStacUrl(`${fx.url}/ic.json`, fast);
    assert.equal(ic.kind, 'item-collection');
    assert.deepEqual((await collect(ic.source)).map((i) => i.id), items.slice(0, 2).map((i) => i.id));
  });

  it('rejects local files unless allowed, and documents that are not STAC', async () => {
    await assert.rejects(openStacUrl('/etc/passwd'), (e: unknown) => e instanceof OpenEOError && e.code === 'ProcessParameterInvalid');
    await assert.rejects(openStacUrl('file:///nonexistent/collection.json', { allowedSchemes: ['file:'] }),
      (e: unknown) => e instanceof OpenEOError && e.code === 'UpstreamUnavailable');
    const sneaky = await openStacUrl(`${fx.url}/sneaky.json`, fast);
    await assert.rejects(collect(sneaky.source), (e: unknown) => e instanceof OpenEOError && /local file/.test(e.message));
    const sneakyLinks = await openStacUrl(`${fx.url}/sneaky-collection.json`, fast);
    await assert.rejects(collect(sneakyLinks.source), (e: unknown) => e instanceof OpenEOError && /local file/.test(e.message));
    await assert.rejects(openStacUrl(`${fx.url}/html`, fast), (e: unknown) => e instanceof OpenEOError && e.code === 'UpstreamInvalid');
    await assert.rejects(openStacUrl(`${fx.url}/collections`, fast), (e: unknown) => e instanceof OpenEOError && e.code === 'UpstreamInvalid');
  });
});
