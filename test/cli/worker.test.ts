import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { createTestApp, sharedEnv, waitFor, type TestApp } from '../helpers/app.ts';

const BIN = fileURLToPath(new URL('../../bin/openeo-backend.js', import.meta.url));

describe('openeo-backend worker', () => {
  let t: TestApp;
  let worker: ChildProcess;
  let output = '';
  before(async () => {
    // The API process only queues; a separate worker process on the same database and store runs the jobs.
    t = await createTestApp({ runJobs: false });
    const env = sharedEnv(t, { CHUNK_THREADS: '0' });
    worker = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    worker.stdout!.on('data', (d) => (output += d));
    worker.stderr!.on('data', (d) => (output += d));
  });
  after(async () => {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await t.close();
  });

  it('runs a job queued through the API and stops on SIGTERM', async () => {
    const token = await t.login('queue');
    const id = (await request(t.app).post('/jobs').set('Authorization', token).send({ process: { process_graph: { m: { process_id: 'multiply', arguments: { x: 6, y: 7 }, result: true } } } }).expect(201)).headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    await waitFor(async () => {
      const s = (await request(t.app).get(`/jobs/${id}`).set('Authorization', token)).body.status;
      return s === 'finished' ? s : undefined;
    }, 60_000, `the worker to finish the job (worker output: ${output})`);
    const results = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', token).expect(200);
    const href = new URL((Object.values(results.body.assets)[0] as { href: string }).href);
    const file = await request(t.app).get(href.pathname).expect(200);
    assert.equal(JSON.parse(file.text), 42);
  });
});
