import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { loadCollections } from '../../src/catalog/collections-config.ts';
import { createCollectionCatalog } from '../../src/catalog/collection-catalog.ts';
import { describeCollection, queryables, summarizeCollection, QUERYABLES_REL, EXTENSIONS } from '../../src/catalog/describe.ts';
import type { CollectionEntry } from '../../src/catalog/types.ts';
import { errorsOf, openapiValidators } from './openapi-schema.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BASE = 'https://openeo.example/openeo/1.2/';

describe('collection documents', () => {
  let v: ReturnType<typeof openapiValidators>;
  let demo: CollectionEntry;
  let eodc: CollectionEntry;
  before(async () => {
    v = openapiValidators();
    [demo] = await loadCollections(path.join(root, 'collections', 'demo.json'), { dataDir: '/data' });
    [eodc] = await loadCollections(path.join(root, 'collections', 'eodc-gfm.example.json'));
  });

  it('validates against the official schema', () => {
    for (const entry of [demo, eodc]) {
      const full = describeCollection(entry, BASE);
      assert.ok(v.describeResponse(full), errorsOf(v.describeResponse));
      assert.ok(v.collection(full), errorsOf(v.collection));
      const short = summarizeCollection(entry, BASE);
      assert.ok(v.collection(short), errorsOf(v.collection));
      assert.ok(v.listResponse({ collections: [short], links: [] }), errorsOf(v.listResponse));
      const q = queryables(entry, BASE);
      assert.ok(v.queryablesResponse(q), errorsOf(v.queryablesResponse));
    }
  });

  it('the validator catches a broken document', () => {
    const full = describeCollection(demo, BASE) as any;
    assert.ok(v.describeResponse(full));
    const broken = (mutate: (d: any) => void) => {
      const copy: any = structuredClone(full);
      mutate(copy['cube:dimensions']);
      return v.describeResponse(copy);
    };
    assert.ok(!broken((d) => delete d.x.extent));
    assert.ok(!broken((d) => delete d.t.extent));
    assert.ok(!broken((d) => { d.y.reference_system = true; }));
    assert.ok(!broken((d) => { d.bands.values = []; }));
    assert.ok(!v.collection({ ...summarizeCollection(demo, BASE), extent: { spatial: { bbox: [[1, 2, 3]] }, temporal: {} } }));
  });

  it('describes the native grid, bands and links of the demo collection', () => {
    const full = describeCollection(demo, BASE) as any;
    assert.ok(full.stac_extensions.includes(EXTENSIONS.datacube));
    const dims = full['cube:dimensions'];
    assert.deepEqual(dims.x, { type: 'spatial', axis: 'x', extent: [1500000, 2100000], step: 20, reference_system: demo.grid.crs.wkt2 });
    assert.deepEqual(dims.y.extent, [2700000, 3300000]);
    assert.match(dims.x.reference_system, /^PROJCRS\[.*Azimuthal.*4340913\.84808/);
    assert.deepEqual(dims.t, { type: 'temporal', extent: demo.extent.temporal.interval[0], step: null });
    assert.deepEqual(dims.bands, { type: 'bands', values: ['ensemble_flood_extent', 'ensemble_likelihood'] });
    assert.deepEqual(full.summaries['raster:bands'].map((b: any) => [b.data_type, b.nodata]), [['uint8', 255], ['uint8', 255]]);
    assert.deepEqual(full.summaries['eo:bands'].map((b: any) => b.name), dims.bands.values);
    assert.deepEqual(full.summaries.bands.map((b: any) => b.name), dims.bands.values);
    const rels = Object.fromEntries(full.links.map((l: any) => [l.rel, l.href]));
    assert.equal(rels.self, 'https://openeo.example/openeo/1.2/collections/GFM');
    assert.equal(rels.root, 'https://openeo.example/openeo/1.2/');
    assert.equal(rels.parent, 'https://openeo.example/openeo/1.2/collections');
    assert.equal(rels.license, 'https://spdx.org/licenses/CC-BY-4.0.html');
    assert.equal(rels[QUERYABLES_REL], 'https://openeo.example/openeo/1.2/collections/GFM/queryables');
    const short = summarizeCollection(demo, BASE);
    assert.equal(short['cube:dimensions'], undefined);
    assert.equal(short.summaries, undefined);
  });

  it('serves the configured collections through the catalog interface', async () => {
    const cat = createCollectionCatalog([demo], BASE);
    assert.deepEqual((await cat.list()).map((c) => c.id), ['GFM']);
    assert.equal((await cat.get('GFM'))?.id, 'GFM');
    assert.equal(await cat.get('nope'), undefined);
    assert.equal((await cat.queryables('GFM'))?.additionalProperties, false);
    assert.equal(cat.entry('GFM')?.source.type, 'static');
  });
});
