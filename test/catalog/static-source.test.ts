import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import proj4 from 'proj4';
import { createStaticSource } from '../../src/catalog/static-source.ts';
import { collect, rejectsWith } from './search-helpers.ts';
import { EQUI7_AS_PROJ4, makeItems } from './fixture-items.ts';
import { startStacFixture, type StacFixture } from './stac-fixture-server.ts';

const items = makeItems(4, ['E015N027T3', 'E018N027T3'], { relative: true });

function collectionDoc(ids: string[]) {
  return {
    type: 'Collection', stac_version: '1.0.0', id: 'GFM', description: 'demo', license: 'CC-BY-4.0',
    extent: { spatial: { bbox: [[60, 20, 75, 32]] }, temporal: { interval: [['2023-08-01T00:00:00Z', null]] } },
    links: [{ rel: 'self', href: './collection.json' }, ...ids.map((id) => ({ rel: 'item', href: `./items/${id}.json` }))],
  };
}

describe('static STAC sources', () => {
  let dir: string;
  let fx: StacFixture;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'catalog-static-'));
    await mkdir(path.join(dir, 'gfm', 'items'), { recursive: true });
    await writeFile(path.join(dir, 'gfm', 'collection.json'), JSON.stringify(collectionDoc(items.map((i) => i.id))));
    for (const i of items) await writeFile(path.join(dir, 'gfm', 'items', `${i.id}.json`), JSON.stringify(i));
    await writeFile(path.join(dir, 'itemcollection.json'), JSON.stringify({ type: 'FeatureCollection', features: items.slice(0, 3) }));
    await mkdir(path.join(dir, 'broken', 'items'), { recursive: true });
    await writeFile(path.join(dir, 'broken', 'collection.json'), JSON.stringify(collectionDoc(['x'])));
    await writeFile(path.join(dir, 'broken', 'items', 'x.json'), '{"type": "Feature", "id": "x", "properties": {');
    fx = await startStacFixture([]);
    fx.files.set('/static/gfm/collection.json', JSON.stringify(collectionDoc(items.map((i) => i.id))));
    for (const i of items) fx.files.set(`/static/gfm/items/${i.id}.json`, JSON.stringify(i));
  });
  after(async () => {
    await fx.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a collection folder, follows item links and makes asset hrefs absolute paths', async () => {
    const got = await collect(createStaticSource({ href: path.join(dir, 'gfm') }));
    assert.deepEqual(got.map((i) => i.id), items.map((i) => i.id));
    const first = got[0];
    assert.equal(first.assets.ensemble_flood_extent.href,
      path.join(dir, 'gfm', 'cogs', 'E015N027T3', `${first.id}_ensemble_flood_extent.tif`));
  });

  it('filters by footprint, not only by bbox', async () => {
    // A point inside E015N027T3 near its south-east corner: inside E018N027T3's bbox but outside its footprint.
    const [lon, lat] = proj4(EQUI7_AS_PROJ4, 'EPSG:4326', [1_795_000, 2_705_000]);
    const e018 = items.find((i) => i.id.endsWith('E018N027T3'))!;
    const [w, s, e, n] = e018.bbox!;
    assert.ok(lon > w && lon < e && lat > s && lat < n, 'precondition: the point lies in the neighbour bbox');
    const got = await collect(createStaticSource({ href: path.join(dir, 'gfm') }), { bbox: [lon - 1e-4, lat - 1e-4, lon + 1e-4, lat + 1e-4] });
    assert.deepEqual(new Set(got.map((i) => i.properties.Equi7Tile)), new Set(['E015N027T3']));
    assert.equal(got.length, 4);
    const far = await collect(createStaticSource({ href: path.join(dir, 'gfm') }), { intersects: { type: 'Point', coordinates: [0, 0] } });
    assert.equal(far.length, 0);
  });

  it('filters by a half-open time interval and honours limit', async () => {
    const src = createStaticSource({ href: path.join(dir, 'gfm', 'collection.json') });
    const got = await collect(src, { datetime: ['2023-08-02', '2023-08-04T01:23:45Z'] });
    assert.deepEqual([...new Set(got.map((i) => i.properties.datetime))], ['2023-08-02T01:23:45Z', '2023-08-03T01:23:45Z']);
    assert.equal((await collect(src, { limit: 3 })).length, 3);
    await rejectsWith(collect(createStaticSource({ href: path.join(dir, 'gfm'), maxItems: 5 })), 'ProcessParameterInvalid', /more than 5/);
  });

  it('reads an ItemCollection file', async () => {
    const got = await collect(createStaticSource({ href: path.join(dir, 'itemcollection.json') }));
    assert.equal(got.length, 3);
    assert.ok(path.isAbsolute(got[0].assets.ensemble_likelihood.href));
  });

  it('reads a static collection over HTTP and resolves hrefs to URLs', async () => {
    const got = await collect(createStaticSource({ href: `${fx.url}/static/gfm/` }));
    assert.equal(got.length, items.length);
    assert.equal(got[0].assets.ensemble_flood_extent.href,
      `${fx.url}/static/gfm/cogs/E015N027T3/${got[0].id}_ensemble_flood_extent.tif`);
  });

  it('reads from S3 through the injected reader', async () => {
    const objects = new Map<string, string>([
      ['s3://bucket/demo/gfm/collection.json', JSON.stringify(collectionDoc(items.map((i) => i.id)))],
      ...items.map((i) => [`s3://bucket/demo/gfm/items/${i.id}.json`, JSON.stringify(i)] as [string, string]),
    ]);
    const readObject = async (url: string) => {
      const text = objects.get(url);
      if (text === undefined) throw new Error(`NoSuchKey ${url}`);
      return new TextEncoder().encode(text);
    };
    const got = await collect(createStaticSource({ href: 's3://bucket/demo/gfm', readObject }));
    assert.equal(got.length, items.length);
    assert.match(got[0].assets.ensemble_flood_extent.href, /^s3:\/\/bucket\/demo\/gfm\/cogs\/E015N027T3\/ENSEMBLE_FLOOD_/);
    await rejectsWith(collect(createStaticSource({ href: 's3://bucket/demo/gfm' })), 'FeatureUnsupported', /S3/);
    await rejectsWith(collect(createStaticSource({ href: 's3://bucket/missing/collection.json', readObject })), 'UpstreamUnavailable', /s3:\/\/bucket\/missing/);
  });

  it('names the document when it is missing or broken', async () => {
    await rejectsWith(collect(createStaticSource({ href: path.join(dir, 'nothing', 'collection.json') })), 'UpstreamUnavailable', /ENOENT/);
    await rejectsWith(collect(createStaticSource({ href: path.join(dir, 'broken') })), 'UpstreamInvalid', /items\/x\.json.*not valid JSON/);
  });
});
