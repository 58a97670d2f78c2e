/**
 * Filter pushdown end to end: a collection behind a STAC API (the fixture server) whose items are the demo COGs
 * repeated over a year. Filters after load_collection narrow the search the API receives, let a load that would
 * exceed the limits run, and give the same bytes as loading the narrow extent directly.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { StacItem } from '../../src/catalog/types.ts';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { startStacFixture, type StacFixture } from '../catalog/stac-fixture-server.ts';
import { startFixtureServer, type FixtureServer } from '../raster/http-fixture.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const AOI = { west: 68.55, south: 27.0, east: 68.6, north: 27.05 };
const AUGUST = ['2023-08-01', '2023-09-01'];
const SUMMER = ['2023-07-01', '2023-10-01'];
const YEAR = ['2023-01-01', '2024-01-01'];
const TIME_STEPS = 50;
const MAX_ITEMS = 40;

/**
 * The demo items (all in August 2023) as they are, plus copies on days 1–8 of every other month of 2023; their
 * COGs are served over HTTP (a remote STAC API may not point at local files).
 */
async function yearOfItems(demoDir: string, cogs: string): Promise<StacItem[]> {
  const dir = path.join(demoDir, 'items');
  const items: StacItem[] = [];
  for (const f of (await fs.readdir(dir)).sort()) {
    const item = JSON.parse(await fs.readFile(path.join(dir, f), 'utf8')) as StacItem;
    for (const a of Object.values(item.assets)) a.href = `${cogs}${path.relative(demoDir, path.resolve(dir, a.href))}`;
    items.push(item);
  }
  const times = [...new Set(items.map((i) => i.properties.datetime!))].sort();
  const out = [...items];
  for (let month = 0; month < 12; month++) {
    if (month === 7) continue;
    for (const item of items) {
      const t = new Date(item.properties.datetime!);
      const when = new Date(Date.UTC(2023, month, 1 + times.indexOf(item.properties.datetime!), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()));
      out.push({ ...item, id: `${item.id}_M${month + 1}`, properties: { ...item.properties, datetime: when.toISOString() } });
    }
  }
  return out;
}

describe('filters after load_collection are pushed into the STAC search', () => {
  let stac: StacFixture;
  let cogs: FixtureServer;
  let t: TestApp;
  let token: string;
  let tmp: string;
  let itemsPerMonth: number;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pushdown-'));
    await generateDemoData({ size: 'small', outDir: path.join(tmp, 'gfm') });
    cogs = await startFixtureServer(path.join(tmp, 'gfm'));
    const items = await yearOfItems(path.join(tmp, 'gfm'), `${cogs.url}/`);
    itemsPerMonth = items.length / 12;
    stac = await startStacFixture(items, { collection: 'GFMY' });
    const demo = JSON.parse(await fs.readFile(new URL('../../collections/demo.json', import.meta.url), 'utf8')).collections[0];
    const collection = (id: string, maxItems?: number, flood: Record<string, unknown> = {}) => ({
      ...demo,
      id,
      bands: demo.bands.map((b: { name: string }) => (b.name === 'ensemble_flood_extent' ? { ...b, ...flood } : b)),
      source: { type: 'stac-api', url: stac.url, collection: 'GFMY', method: 'POST', pageSize: 20, ...(maxItems ? { maxItems } : {}) },
      extent: { ...demo.extent, temporal: { interval: [['2023-01-01T00:00:00Z', '2023-12-31T23:59:59Z']] } },
    });
    const file = path.join(tmp, 'collections.json');
    await fs.writeFile(file, JSON.stringify({
        collections: [
          collection('GFMY'),
          collection('GFMCAP', MAX_ITEMS),
          // the flood band as float32 (the cube type widens), and as an asset no item has
          collection('GFMWIDE', undefined, { data_type: 'float32' }),
          collection('GFMGAP', undefined, { asset: 'not_published' }),
        ],
      }));
    t = await createTestApp({
      env: {
        CHUNK_THREADS: '0',
        COLLECTIONS_FILE: file,
        LIMIT_TIME_STEPS: String(TIME_STEPS),
        OUTBOUND_ALLOW: `${new URL(stac.url).host},${new URL(cogs.url).host}`,
        OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
      },
    });
    token = await t.login('pushdown');
  });
  after(async () => {
    await t?.close();
    await stac?.close();
    await cogs?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const sync = (graph: Record<string, unknown>) => request(t.app).post('/result').set('Authorization', token).send({ process: { process_graph: graph } });
  const searches = () => stac.requests.filter((r) => r.path === '/search' && !r.body?.token).map((r) => r.body?.datetime ?? r.query.datetime);
  const load = (id: string, temporal: string[], bands: string[] | null = null) => ({ process_id: 'load_collection', arguments: { id, spatial_extent: AOI, temporal_extent: temporal, bands } });
  const from = (node: string) => ({ from_node: node });
  const labels = (node: string) => ({ process_id: 'dimension_labels', arguments: { data: from(node), dimension: 't' }, result: true });
  /** A sync result as bytes, with the searches it sent. */
  const bytes = async (graph: Record<string, unknown>) => {
    stac.requests.length = 0;
    const res = await sync(graph).buffer(true).parse((r, cb) => {
      const parts: Buffer[] = [];
      r.on('data', (c: Buffer) => parts.push(c));
      r.on('end', () => cb(null, Buffer.concat(parts)));
    });
    assert.equal(res.status, 200, String(res.body));
    return { body: res.body as Buffer, searches: searches() };
  };
  const iso = (d: string) => new Date(`${d}T00:00:00Z`).toISOString();

  it('searches only the month a year-long load is filtered to, so a load over the limits runs', async () => {
    assert.ok(itemsPerMonth * 12 > MAX_ITEMS && itemsPerMonth <= MAX_ITEMS);
    for (const id of ['GFMY', 'GFMCAP']) {
      stac.requests.length = 0;
      const res = await sync({ l: load(id, YEAR), f: { process_id: 'filter_temporal', arguments: { data: from('l'), extent: AUGUST } }, d: labels('f') });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.length, 8);
      assert.ok(res.body.every((l: string) => l.startsWith('2023-08-')));
      assert.deepEqual(searches(), [`${iso(AUGUST[0])}/${iso(AUGUST[1])}`]);
    }
    // the same loads without the filter: too many time steps, too many items
    const steps = await sync({ l: load('GFMY', YEAR), d: labels('l') }).expect(400);
    assert.match(steps.body.message, /time steps/);
    const items = await sync({ l: load('GFMCAP', YEAR), d: labels('l') }).expect(400);
    assert.match(items.body.message, new RegExp(`more than ${MAX_ITEMS} items`));
  });

  it('gives the same bytes as loading the narrow extent directly, or with pushdown defeated', async () => {
    const save = (node: string) => ({ process_id: 'save_result', arguments: { data: from(node), format: 'netCDF' }, result: true });
    const filters = (extent: unknown) => ({
      t: { process_id: 'filter_temporal', arguments: { data: from('l'), extent } },
      b: { process_id: 'filter_bands', arguments: { data: from('t'), bands: ['ensemble_likelihood'] } },
      s: save('b'),
    });
    const pushed = await bytes({ l: load('GFMY', SUMMER), ...filters(AUGUST) });
    // an extent computed by another process is invisible to the dry run: the whole summer is loaded, then filtered
    const defeated = await bytes({ e: { process_id: 'array_create', arguments: { data: AUGUST } }, l: load('GFMY', SUMMER), ...filters(from('e')) });
    const direct = await bytes({ l: load('GFMY', AUGUST, ['ensemble_likelihood']), s: save('l') });
    assert.deepEqual(pushed.searches, [`${iso(AUGUST[0])}/${iso(AUGUST[1])}`]);
    assert.deepEqual(defeated.searches, [`${iso(SUMMER[0])}/${iso(SUMMER[1])}`]);
    assert.ok(pushed.body.length > 1000);
    assert.ok(pushed.body.equals(defeated.body), 'pushdown changed the result');
    assert.ok(pushed.body.equals(direct.body), 'differs from loading August directly');
  });

  it('keeps the data type and grid of the full band list, and needs no assets for bands filtered away', async () => {
    const graph = (id: string, bands: unknown) => ({
      ...(typeof bands === 'object' && bands && 'from_node' in bands ? { n: { process_id: 'array_create', arguments: { data: ['ensemble_likelihood'] } } } : {}),
      l: load(id, AUGUST),
      b: { process_id: 'filter_bands', arguments: { data: from('l'), bands } },
      s: { process_id: 'save_result', arguments: { data: from('b'), format: 'netCDF' }, result: true },
    });
    const pushed = (await bytes(graph('GFMWIDE', ['ensemble_likelihood']))).body;
    const defeated = (await bytes(graph('GFMWIDE', from('n')))).body;
    const narrow = (await bytes({ l: load('GFMWIDE', AUGUST, ['ensemble_likelihood']), s: { process_id: 'save_result', arguments: { data: from('l'), format: 'netCDF' }, result: true } })).body;
    assert.ok(pushed.equals(defeated), 'pushdown changed the result');
    assert.ok(!pushed.equals(narrow), 'the float32 band widens the cube type even when filtered away');
    const gap = await sync(graph('GFMGAP', ['ensemble_likelihood']));
    assert.equal(gap.status, 200, JSON.stringify(gap.body));
    const gapDefeated = await sync(graph('GFMGAP', from('n'))).expect(502);
    assert.equal(gapDefeated.body.code, 'UpstreamInvalid');
  });

  it("pushes the band the Python client's cube.band() picks (reduce_dimension with array_element by label)", async () => {
    const pick = (id: string, by: Record<string, unknown>) => ({
      l: load(id, AUGUST),
      r: {
        process_id: 'reduce_dimension',
        arguments: { data: from('l'), dimension: 'bands', reducer: { process_graph: { e: { process_id: 'array_element', arguments: { data: { from_parameter: 'data' }, ...by }, result: true } } } },
      },
      s: { process_id: 'save_result', arguments: { data: from('r'), format: 'netCDF' }, result: true },
    });
    const byLabel = (await bytes(pick('GFMY', { label: 'ensemble_likelihood' }))).body;
    const byIndex = (await bytes(pick('GFMY', { index: 1 }))).body; // not pushed: indices shift when bands go
    assert.ok(byLabel.equals(byIndex), 'pushdown changed the result');
    const gap = await sync(pick('GFMGAP', { label: 'ensemble_likelihood' }));
    assert.equal(gap.status, 200, JSON.stringify(gap.body));
    await sync(pick('GFMGAP', { index: 1 })).expect(502);
  });

  it('does not narrow a load that another branch uses unfiltered', async () => {
    stac.requests.length = 0;
    const res = await sync({
      l: load('GFMY', SUMMER),
      f: { process_id: 'filter_temporal', arguments: { data: from('l'), extent: AUGUST } },
      x: { process_id: 'dimension_labels', arguments: { data: from('f'), dimension: 't' } },
      d: labels('l'),
    }).expect(200);
    assert.equal(res.body.length, 24);
    assert.deepEqual(searches(), [`${iso(SUMMER[0])}/${iso(SUMMER[1])}`]);
  });
});
