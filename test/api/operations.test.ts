import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

describe('operations endpoints', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ runJobs: false });
  });
  after(() => t.close());

  it('reports liveness and readiness of database and storage', async () => {
    assert.equal((await request(t.app).get('/health').expect(200)).body.status, 'ok');
    const r = await request(t.app).get('/ready').expect(200);
    assert.deepEqual(r.body.checks, { database: 'ok', storage: 'ok' });
  });

  it('is not ready when the results store cannot be reached', async () => {
    const broken = await createTestApp({ env: { STORAGE_URL: 's3://no-such-bucket/x', S3_ENDPOINT: 'http://127.0.0.1:1', S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 'b' } });
    try {
      const r = await request(broken.app).get('/ready').expect(503);
      assert.equal(r.body.checks.storage, 'unreachable');
    } finally {
      await broken.close();
    }
  });

  it('exports Prometheus metrics with jobs by status and the queue depth', async () => {
    const token = await t.login('metrics');
    const id = (await request(t.app).post('/jobs').set('Authorization', token).send({ process: { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 1 }, result: true } } } })).headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    const m = await request(t.app).get('/metrics').expect(200);
    assert.match(m.headers['content-type'], /text\/plain/);
    assert.match(m.text, /openeo_jobs\{status="queued"\} 1/);
    assert.match(m.text, /openeo_queue_depth 1/);
  });
});
