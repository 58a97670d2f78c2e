import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateDemoData } from '../../src/demo-data/index.ts';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { BBOX, floodJob, REFERENCE_SCRIPT, runJob } from './flood-helpers.ts';


function reference(collection: string, zarr: string) {
  const out = execFileSync('/usr/bin/python3', [
    REFERENCE_SCRIPT, collection, String(BBOX.west), String(BBOX.south), String(BBOX.east), String(BBOX.north),
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

  for (const name of ['gfm-flood-monthly.json', 'gfm-flood-monthly-mask.json', 'gfm-flood-monthly-python-client.json']) {
    it(`${name}: pixel for pixel equal to an independent reference`, async () => {
      const { id, results } = await runJob(t, token, floodJob(name));
      assert.ok(results.assets['result.zarr'], `assets: ${Object.keys(results.assets)}`);
      assert.equal(results.assets['result.zarr'].type, 'application/vnd+zarr');
      assert.deepEqual((results.assets['result.zarr'] as unknown as Record<string, unknown>)['raster:bands'], [
        { name: 'ensemble_flood_extent', data_type: 'uint8' },
        { name: 'ensemble_likelihood', data_type: 'uint8' },
      ]);
      assert.ok(results.assets['overview-ensemble_likelihood.png'].roles.includes('overview'));
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

  it('reports what the job cost (usage) and what its chunks did (metrics)', async () => {
    const { id, results } = await runJob(t, token, floodJob('gfm-flood-monthly.json'));
    const job = (await request(t.app).get(`/jobs/${id}`).set('Authorization', token).expect(200)).body;
    const { usage } = job;
    assert.equal(usage.cpu.unit, 'cpu-seconds');
    assert.ok(usage.cpu.value > 0 && usage.cpu.value < usage.duration.value * 2 + 1, JSON.stringify(usage));
    // every input block of the small demo that the AOI touches was read: more than the compressed output
    assert.ok(usage.input.value > 100_000, `bytes read ${usage.input.value}`);
    // the compressed chunks of two uint8 variables: less than their raw pixels
    const [height, width] = results.properties['proj:shape'] as number[];
    assert.ok(usage.output.value > 10_000 && usage.output.value < 2 * width * height, `bytes written ${usage.output.value}`);
    assert.equal(usage.disk.value, usage.input.value + usage.output.value);
    const metrics = (await request(t.app).get('/metrics').expect(200)).text;
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    assert.ok(value('openeo_chunk_duration_seconds_count') >= 1, metrics);
    assert.ok(value('openeo_bytes_read_total') >= usage.input.value);
    assert.ok(value('openeo_bytes_written_total') >= usage.output.value);
    assert.equal(value('openeo_pending_chunks'), 0);
  });
});
