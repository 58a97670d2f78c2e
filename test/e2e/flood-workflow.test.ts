import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateDemoData } from '../../src/demo-data/index.ts';
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
});
