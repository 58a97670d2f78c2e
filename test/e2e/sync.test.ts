import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { floodJob } from './flood-helpers.ts';

const binary = (res: request.Response, cb: (e: Error | null, body: Buffer) => void) => {
  const parts: Buffer[] = [];
  res.on('data', (c: Buffer) => parts.push(c));
  res.on('end', () => cb(null, Buffer.concat(parts)));
};

describe('synchronous processing (POST /result)', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({ env: { CHUNK_THREADS: '0', LIMIT_SYNC_PIXELS: '20000000' } });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    token = await t.login('sync');
  });
  after(() => t.close());

  it('answers plain values as JSON', async () => {
    const res = await request(t.app)
      .post('/result')
      .set('Authorization', token)
      .send({ process: { process_graph: { a: { process_id: 'multiply', arguments: { x: 6, y: 7 }, result: true } } } })
      .expect(200);
    assert.match(res.headers['content-type'], /application\/json/);
    assert.equal(res.body, 42);
  });

  it('answers a raster as a GeoTIFF that GDAL reads, and leaves no scratch objects behind', async () => {
    const res = await request(t.app)
      .post('/result')
      .set('Authorization', token)
      .send(floodJob('gfm-flood-monthly.json', { multiband: true }, 'GTiff'))
      .buffer(true)
      .parse(binary)
      .expect(200);
    assert.match(res.headers['content-type'], /image\/tiff/);
    const file = path.join(t.dataDir, 'sync.tif');
    await fs.writeFile(file, res.body as Buffer);
    const info = JSON.parse(execFileSync('gdalinfo', ['-json', file], { encoding: 'utf8' }));
    assert.equal(info.bands.length, 2);
    // each band says which variable it holds
    assert.deepEqual(info.bands.map((b: { description?: string }) => b.description), ['ensemble_flood_extent', 'ensemble_likelihood']);
    assert.match(info.coordinateSystem.wkt, /Azimuthal/);
    await new Promise((r) => setTimeout(r, 200));
    const left = await fs.readdir(path.join(t.dataDir, 'results', 'sync')).catch(() => []);
    for (const d of left) assert.deepEqual(await fs.readdir(path.join(t.dataDir, 'results', 'sync', d)).catch(() => []), [], 'scratch removed');
  });

  it('refuses graphs over the pixel budget, pointing to batch jobs, and Zarr results', async () => {
    const big = floodJob('gfm-flood-monthly.json', {}, 'GTiff');
    big.process.process_graph.load.arguments.spatial_extent = { west: 67.4, south: 26.2, east: 69.0, north: 27.6 };
    const res = await request(t.app).post('/result').set('Authorization', token).send(big).expect(400);
    assert.equal(res.body.code, 'ProcessGraphComplexity');
    assert.match(res.body.message, /batch job/);
    const zarr = await request(t.app).post('/result').set('Authorization', token).send(floodJob('gfm-flood-monthly.json')).expect(400);
    assert.equal(zarr.body.code, 'FormatUnsupported');
    await request(t.app).post('/result').send(floodJob('gfm-flood-monthly.json')).expect(401);
    const window = await request(t.app).post('/result').set('Authorization', token).send(floodJob('gfm-flood-monthly.json', { window: 'rows 1 to 5' }, 'PNG')).expect(400);
    assert.match(window.body.message, /window/);
    const unknown = await request(t.app).post('/result').set('Authorization', token).send(floodJob('gfm-flood-monthly.json', { colour: 'red' }, 'PNG')).expect(400);
    assert.match(unknown.body.message, /unknown option/);
  });

  it('answers with one file: GTiff bands go into one file unless multiband is false; what cannot be one file is refused saying what to change', async () => {
    const tif = await request(t.app).post('/result').set('Authorization', token).send(floodJob('gfm-flood-monthly.json', {}, 'GTiff')).buffer(true).parse(binary).expect(200);
    const file = path.join(t.dataDir, 'sync-default.tif');
    await fs.writeFile(file, tif.body as Buffer);
    assert.equal(JSON.parse(execFileSync('gdalinfo', ['-json', file], { encoding: 'utf8' })).bands.length, 2);
    const refused = async (body: object, hint: RegExp) => {
      const res = await request(t.app).post('/result').set('Authorization', token).send(body).expect(400);
      assert.equal(res.body.code, 'FormatUnsupported');
      assert.match(res.body.message, hint);
      assert.match(res.body.message, /batch job/);
    };
    await refused(floodJob('gfm-flood-monthly.json', { multiband: false }, 'GTiff'), /2 bands and 'multiband' is false/);
    await refused(floodJob('gfm-flood-monthly.json', {}, 'PNG'), /2 bands and PNG .*filter_bands/);
    // without the reductions the cube keeps its time steps
    const series = floodJob('gfm-flood-monthly.json', {}, 'GTiff');
    const g = series.process.process_graph;
    const save = Object.values(g).find((n: any) => n.process_id === 'save_result') as any;
    save.arguments.data = { from_node: 'load' };
    g.load.arguments.spatial_extent = { west: 68.5, south: 27.0, east: 68.52, north: 27.02 };
    for (const [id, n] of Object.entries(g)) if (!['load', 'save'].includes(id) && (n as any) !== save) delete g[id];
    await refused(series, /time steps and a GeoTIFF holds one/);
  });
});

describe('errors from chunk threads', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({ runJobs: true, env: { CHUNK_THREADS: '1' } });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    token = await t.login('threads');
  });
  after(() => t.close());

  it("a process's own exception raised in a chunk thread is a 400 with its code, in sync results and batch jobs", async () => {
    // array_element beyond the time steps: raised by the reducer's callback while a chunk thread computes
    const graph = floodJob('gfm-flood-monthly.json', {}, 'netCDF');
    const g = graph.process.process_graph as Record<string, { process_id: string; arguments: Record<string, unknown> }>;
    const reduce = Object.values(g).find((n) => n.process_id === 'reduce_dimension')!;
    reduce.arguments.reducer = { process_graph: { e: { process_id: 'array_element', arguments: { data: { from_parameter: 'data' }, index: 50 }, result: true } } };
    g.load.arguments.spatial_extent = { west: 68.5, south: 27.0, east: 68.52, north: 27.02 };
    const res = await request(t.app).post('/result').set('Authorization', token).send(graph);
    assert.equal(res.status, 400, `${res.status} ${res.text.slice(0, 200)}`);
    assert.equal(res.body.code, 'ArrayElementNotAvailable');
    const created = await request(t.app).post('/jobs').set('Authorization', token).send(graph).expect(201);
    const id = created.headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    let job: { status: string } = { status: '' };
    for (let i = 0; i < 300 && !['error', 'finished'].includes(job.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await request(t.app).get(`/jobs/${id}`).set('Authorization', token)).body;
    }
    assert.equal(job.status, 'error');
    const logs = (await request(t.app).get(`/jobs/${id}/logs?level=error`).set('Authorization', token).expect(200)).body.logs;
    assert.equal(logs[0].code, 'ArrayElementNotAvailable');
    // failed at once: a fault of the graph is not retried as a passing failure
    const all = (await request(t.app).get(`/jobs/${id}/logs?level=debug`).set('Authorization', token).expect(200)).body.logs;
    assert.ok(!all.some((l: { message: string }) => /retry|attempt/i.test(l.message)), JSON.stringify(all.map((l: { message: string }) => l.message)));
  });
});
