import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.ts';
import { assertOfficialResponse } from '../helpers/official-spec.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const graphFile = (name: string) => JSON.parse(readFileSync(path.join(here, '../../process-graphs', name), 'utf8'));
// Inside the small demo data (two 2000-px crops of E015N027T3 and E018N027T3).
const BBOX = { west: 68.33, south: 26.95, east: 68.8, north: 27.16 };

/** A ready-to-POST graph from process-graphs/, narrowed to the test AOI and smaller chunks (several per axis). */
function job(name: string) {
  const body = graphFile(name);
  const g = body.process.process_graph;
  g.load.arguments.spatial_extent = BBOX;
  g.save.arguments.options = { ...g.save.arguments.options, chunk_size: 1024 };
  return body;
}

function reference(collection: string, zarr: string) {
  const out = execFileSync('/usr/bin/python3', [
    path.join(here, 'gfm_reference.py'), collection, String(BBOX.west), String(BBOX.south), String(BBOX.east), String(BBOX.north),
    '2023-08-01', '2023-09-01', zarr,
  ], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out);
}

describe('GFM flood workflow end to end', () => {
  let t: TestApp;
  let token: string;
  let collection: string;
  before(async () => {
    t = await createTestApp({ runJobs: true, env: { CHUNK_THREADS: '2' } });
    collection = path.join(t.dataDir, 'demo', 'gfm');
    await generateDemoData({ size: 'small', outDir: collection });
    token = await t.login('scientist');
  });
  after(() => t.close());

  async function run(name: string) {
    const created = await request(t.app).post('/jobs').set('Authorization', token).send(job(name)).expect(201);
    const id = created.headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    const status = await waitFor(async () => {
      const j = await request(t.app).get(`/jobs/${id}`).set('Authorization', token);
      return ['finished', 'error'].includes(j.body.status) ? j.body.status : undefined;
    }, 120_000, 'the flood job');
    if (status !== 'finished') {
      const logs = await request(t.app).get(`/jobs/${id}/logs`).set('Authorization', token);
      assert.fail(`job ended in ${status}: ${JSON.stringify(logs.body.logs)}`);
    }
    const res = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', token).expect(200);
    assertOfficialResponse(res);
    return { id, results: res.body };
  }

  for (const name of ['gfm-flood-monthly.json', 'gfm-flood-monthly-mask.json']) {
    it(`${name}: pixel for pixel equal to an independent reference`, async () => {
      const { id, results } = await run(name);
      assert.ok(results.assets['result.zarr'], `assets: ${Object.keys(results.assets)}`);
      const zarr = path.join(t.dataDir, 'results', 'jobs', id, 'result.zarr');
      const report = reference(collection, zarr);
      for (const band of ['ensemble_flood_extent', 'ensemble_likelihood']) {
        const r = report[band];
        assert.equal(r.present, true, `${band} in the store`);
        assert.deepEqual(r.shape, report.reference_shape, `${band} shape`);
        assert.equal(r.dtype, 'uint8');
        assert.equal(r.mismatches, 0, `${band}: ${JSON.stringify(r)}`);
        assert.ok(r.nonzero_reference > 1000, `${band} has flood pixels to compare (${r.nonzero_reference})`);
      }
      assert.equal(report.x_first, report.reference_x0 + 10);
      assert.equal(report.y_first, report.reference_y1 - 10);
      assert.equal(report.grid_mapping, 'spatial_ref');
      assert.equal(report.crs_wkt_has_aeqd, true);
    });
  }
});
