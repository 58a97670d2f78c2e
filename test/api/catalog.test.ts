import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { checkFormatOptions } from '../../src/formats/writers.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { assertOfficialResponse } from '../helpers/official-spec.ts';

describe('collections, processes, file formats and account endpoints', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('lists and describes the configured collections as STAC with the datacube extension', async () => {
    const list = await request(t.app).get('/collections').expect(200);
    assertOfficialResponse(list);
    assert.ok(list.body.collections.some((c: { id: string }) => c.id === 'GFM'));
    const gfm = await request(t.app).get('/collections/GFM').expect(200);
    assertOfficialResponse(gfm);
    assert.deepEqual(Object.keys(gfm.body['cube:dimensions']).sort(), ['bands', 't', 'x', 'y']);
    assert.deepEqual(gfm.body['cube:dimensions'].bands.values, ['ensemble_flood_extent', 'ensemble_likelihood']);
    const link = (rel: string) => new URL(gfm.body.links.find((l: { rel: string }) => l.rel === rel).href).pathname;
    assert.deepEqual([link('self'), link('root'), link('parent')], ['/collections/GFM', '/', '/collections']);
    const q = await request(t.app).get('/collections/GFM/queryables').expect(200);
    assertOfficialResponse(q);
    assert.match(q.headers['content-type'], /application\/schema\+json/);
  });

  it('lists every collection without a next link when the client asks for no limit, and pages with one', async () => {
    const gfm = (await request(t.app).get('/collections/GFM').expect(200)).body;
    // More collections than a page of the former default (100).
    const many = Array.from({ length: 105 }, (_, i) => ({ ...gfm, id: `C${String(i).padStart(3, '0')}` }));
    const t2 = await createTestApp({ parts: { collections: { list: async () => many, get: async () => undefined, queryables: async () => undefined } } });
    try {
      for (const url of ['/collections', '/collections?limit=']) {
        const res = await request(t2.app).get(url).expect(200);
        assertOfficialResponse(res);
        assert.equal(res.body.collections.length, 105, url);
        assert.equal(res.body.links.some((l: { rel: string }) => l.rel === 'next'), false, `${url}: no next link`);
      }
      const seen: string[] = [];
      let url: string | undefined = '/collections?limit=40';
      while (url) {
        const res: request.Response = await request(t2.app).get(url).expect(200);
        assert.ok(res.body.collections.length <= 40);
        seen.push(...res.body.collections.map((c: { id: string }) => c.id));
        const next: { href: string } | undefined = res.body.links.find((l: { rel: string }) => l.rel === 'next');
        url = next ? next.href.replace('http://openeo.test', '') : undefined;
      }
      assert.deepEqual(seen, many.map((c) => c.id));
    } finally {
      await t2.close();
    }
  });

  it('answers unknown collections with CollectionNotFound', async () => {
    for (const path of ['/collections/NOPE', '/collections/NOPE/queryables']) {
      const res = await request(t.app).get(path).expect(404);
      assert.equal(res.body.code, 'CollectionNotFound');
      assertOfficialResponse(res);
    }
  });

  it('lists every process, each a valid process description, whatever the limit', async () => {
    const all = await request(t.app).get('/processes').expect(200);
    assertOfficialResponse(all);
    const ids = all.body.processes.map((p: { id: string }) => p.id);
    for (const id of ['add', 'max', 'mean', 'if', 'array_element', 'eq']) assert.ok(ids.includes(id), id);
    for (const id of ['load_collection', 'reduce_dimension', 'merge_cubes', 'save_result', 'mask']) assert.ok(ids.includes(id), id);
    // The JS client asks for limit=50 and reads one page only.
    const limited = await request(t.app).get('/processes?limit=10').expect(200);
    assert.equal(limited.body.processes.length, all.body.processes.length);
  });

  it('lists file formats with their options', async () => {
    const res = await request(t.app).get('/file_formats').expect(200);
    assertOfficialResponse(res);
    assert.ok(res.body.output.JSON);
    // GeoTIFF offers no int8 (GDAL before 3.7 reads it as unsigned bytes); the other raster formats do
    assert.equal(res.body.output.GTiff.parameters.dtype.enum.includes('int8'), false);
    assert.equal(res.body.output.netCDF.parameters.dtype.enum.includes('int8'), true);
    assert.throws(() => checkFormatOptions('GTIFF', { dtype: 'int8' }), { code: 'ProcessParameterInvalid', message: /int16/ });
  });
});
