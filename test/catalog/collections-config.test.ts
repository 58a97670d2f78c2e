import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/config.ts';
import { loadCollections, parseCollectionsConfig } from '../../src/catalog/collections-config.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function validEntry(): Record<string, any> {
  return {
    id: 'GFM', description: 'd', license: 'CC-BY-4.0',
    source: { type: 'static', href: 'demo/gfm' },
    bands: [{ name: 'flood', asset: 'ensemble_flood_extent', data_type: 'uint8', nodata: 255 }],
    grid: { crs: { epsg: 4326 }, resolution: 0.001 },
    extent: { spatial: { bbox: [[10, 20, 11, 21]] }, temporal: { interval: [['2023-08-01T00:00:00Z', null]] } },
  };
}

function rejects(doc: unknown, pattern: RegExp, opts = {}) {
  assert.throws(() => parseCollectionsConfig(doc, '/cfg/collections.json', opts), (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

const withEntry = (mutate: (e: Record<string, any>) => void) => {
  const e = validEntry();
  mutate(e);
  return { collections: [e] };
};

describe('collections file', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(path.join(tmpdir(), 'collections-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  it('loads the shipped demo and EODC example files', async () => {
    const [demo] = await loadCollections(path.join(root, 'collections', 'demo.json'), { dataDir: '/srv/data' });
    assert.deepEqual(demo.source, { type: 'static', href: '/srv/data/demo/gfm' });
    assert.deepEqual(demo.bands.map((b) => [b.name, b.asset, b.data_type, b.nodata]),
      [['ensemble_flood_extent', 'ensemble_flood_extent', 'uint8', 255], ['ensemble_likelihood', 'ensemble_likelihood', 'uint8', 255]]);
    assert.deepEqual(demo.grid.resolution, [20, 20]);
    const [eodc] = await loadCollections(path.join(root, 'collections', 'eodc-gfm.example.json'));
    assert.deepEqual([eodc.source.type, (eodc.source as any).url, (eodc.source as any).collection], ['stac-api', 'https://stac.eodc.eu/api/v1', 'GFM']);
    assert.equal(eodc.grid.extent.length, 4); // derived from the bbox through proj4
    assert.ok(eodc.grid.extent.every(Number.isFinite));
  });

  it('resolves relative static hrefs against the file and keeps URLs', () => {
    const [a] = parseCollectionsConfig({ collections: [validEntry()] }, '/cfg/collections.json');
    assert.equal(a.source.type === 'static' && a.source.href, '/cfg/demo/gfm');
    const [b] = parseCollectionsConfig(withEntry((e) => { e.source.href = 's3://bucket/gfm/collection.json'; }), '/cfg/c.json');
    assert.equal(b.source.type === 'static' && b.source.href, 's3://bucket/gfm/collection.json');
    assert.deepEqual(a.grid.extent, [10, 20, 11, 21]); // EPSG:4326: the bbox itself
  });

  it('reads YAML', async () => {
    const file = path.join(dir, 'c.yaml');
    await writeFile(file, `collections:\n  - id: Y\n    description: d\n    license: MIT\n    source: {type: stac-api, url: "https://stac.example/api", collection: Y}\n` +
      `    bands: [{name: b, asset: a, data_type: float32, nodata: null}]\n    grid: {crs: {epsg: 3857}, resolution: [10, 10]}\n` +
      `    extent: {spatial: {bbox: [[0, 0, 1, 1]]}, temporal: {interval: [["2020-01-01T00:00:00Z", null]]}}\n`);
    const [y] = await loadCollections(file);
    assert.equal(y.id, 'Y');
    assert.ok(y.grid.extent[2] > 100_000); // 1 degree in Web Mercator metres
  });

  it('names the offending field', () => {
    rejects({}, /collections is required/);
    rejects(withEntry((e) => delete e.license), /collections\[0\]\.license is required/);
    rejects(withEntry((e) => { e.bands[0].nodata = 'none'; }), /collections\[0\]\.bands\[0\]\.nodata must be number,null/);
    rejects(withEntry((e) => { e.bands[0].data_type = 'byte'; }), /collections\[0\]\.bands\[0\]\.data_type must be one of uint8/);
    rejects(withEntry((e) => { e.source = { type: 'ftp', href: 'x' }; }), /collections\[0\]\.source\.type must be 'stac-api' or 'static'/);
    rejects(withEntry((e) => { e.source = { type: 'stac-api', url: 'https://x' }; }), /collections\[0\]\.source\.collection is required/);
    rejects(withEntry((e) => { e.source = { type: 'stac-api', url: 'ftp://x', collection: 'c' }; }), /collections\[0\]\.source\.url must match pattern/);
    rejects(withEntry((e) => { e.bandz = []; }), /collections\[0\]\.bandz is not an allowed field/);
    rejects(withEntry((e) => { e.id = 'bad id!'; }), /collections\[0\]\.id must match pattern/);
    rejects(withEntry((e) => { e.grid.resolution = -1; }), /collections\[0\]\.grid\.resolution/);
    rejects(withEntry((e) => { e.extent.spatial.bbox = [[10, 50, 11, 40]]; }), /collections\[0\]\.extent\.spatial\.bbox\[0\] must be \[west, south, east, north\]/);
    rejects(withEntry((e) => { e.extent.temporal.interval = [['2023-08-01', null]]; }), /extent\.temporal\.interval\[0\]\[0\] must be an RFC 3339/);
    rejects(withEntry((e) => { e.bands.push({ ...e.bands[0] }); }), /bands\[1\]\.name repeats band 'flood'/);
    rejects(withEntry((e) => { e.grid.crs = { wkt2: 'PROJCRS[…]' }; }), /grid\.extent is required/);
    rejects({ collections: [validEntry(), validEntry()] }, /collections\[1\]\.id repeats 'GFM'/);
    rejects(withEntry((e) => { e.source.href = '${dataDir}/demo/gfm'; }), /uses \$\{dataDir\} but no data folder/);
  });

  it('reports unreadable and unparsable files', async () => {
    await assert.rejects(loadCollections(path.join(dir, 'missing.json')), (e: unknown) => e instanceof ConfigError && /Cannot read.*ENOENT/.test(e.message));
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{"collections": [');
    await assert.rejects(loadCollections(bad), (e: unknown) => e instanceof ConfigError && /bad\.json is not valid JSON/.test(e.message));
  });
});
