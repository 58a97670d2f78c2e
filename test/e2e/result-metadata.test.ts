import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { BBOX, floodJob, runJob } from './flood-helpers.ts';

const load = { process_id: 'load_collection', arguments: { id: 'GFM', spatial_extent: BBOX, temporal_extent: ['2023-08-01', '2023-09-01'], bands: ['ensemble_likelihood'] } };

/** The STAC Item of batch results: what it says about the data (time, CRS) and which extensions it declares. */
describe('results Item metadata of raster jobs', () => {
  let t: TestApp;
  let token: string;
  let steps: string[];
  before(async () => {
    t = await createTestApp({ runJobs: true, env: { CHUNK_THREADS: '2' } });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    token = await t.login('metadata');
    const labels = await request(t.app).post('/result').set('Authorization', token).send({
      process: { process_graph: { l: load, d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true } } },
    }).expect(200);
    steps = labels.body;
    assert.ok(steps.length > 2);
  });
  after(() => t.close());

  it('a result reduced over time has datetime null and the span of the time steps read', async () => {
    const before = new Date().toISOString();
    const { results } = await runJob(t, token, floodJob('gfm-flood-monthly.json'));
    const p = results.properties;
    assert.equal(p.datetime, null);
    assert.equal(p.start_datetime, steps[0]);
    assert.equal(p.end_datetime, steps[steps.length - 1]);
    // processing times stay in created/updated
    assert.ok((p.updated as string) >= before.slice(0, 19), `${p.updated} vs ${before}`);
  });

  it('a result with a time dimension spans its first and last labels', async () => {
    const { results } = await runJob(t, token, {
      process: {
        process_graph: {
          l: load,
          f: { process_id: 'filter_temporal', arguments: { data: { from_node: 'l' }, extent: [steps[1], steps[3]] } },
          s: { process_id: 'save_result', arguments: { data: { from_node: 'f' }, format: 'netCDF' }, result: true },
        },
      },
    });
    const p = results.properties;
    assert.equal(p.datetime, null);
    assert.equal(p.start_datetime, steps[1]);
    assert.equal(p.end_datetime, steps[2]);
  });
});
