import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { ensureBucket } from '../../src/storage/index.ts';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.ts';
import { floodJob } from './flood-helpers.ts';

/** A TCP proxy in front of the S3 server that the test can cut, as if the object store went away. */
function startProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    listen: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))),
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the object store going away in the middle of a job', () => {
  let t: TestApp;
  let token: string;
  const endpoint = new URL(process.env.S3_ENDPOINT ?? 'http://127.0.0.1:9000');
  const proxy = startProxy({ host: endpoint.hostname, port: Number(endpoint.port || 80) });
  before(async () => {
    const port = await proxy.listen();
    t = await createTestApp({
      runJobs: true,
      env: {
        STORAGE_URL: `s3://openeo-e2e-results/cut-${randomBytes(4).toString('hex')}`,
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
        S3_ACCESS_KEY_ID: process.env.S3_ACCESS_KEY_ID ?? 'test:tester',
        S3_SECRET_ACCESS_KEY: process.env.S3_SECRET_ACCESS_KEY ?? 'testing',
        CHUNK_THREADS: '1',
      },
    });
    await ensureBucket(t.ctx.store);
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    token = await t.login('cut');
  });
  after(async () => {
    await t.close();
    await proxy.close();
  });

  it('ends the job in error with a clear log entry and reports no results', async () => {
    const body = floodJob('gfm-flood-monthly.json', { chunk_size: 256 });
    const id = (await request(t.app).post('/jobs').set('Authorization', token).send(body).expect(201)).headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    await waitFor(async () => {
      const j = (await request(t.app).get(`/jobs/${id}`).set('Authorization', token)).body;
      return j.status === 'running' && j.progress > 0 ? true : undefined;
    }, 60_000, 'the job to write its first chunks');
    proxy.cut();
    const status = await waitFor(async () => {
      const s = (await request(t.app).get(`/jobs/${id}`).set('Authorization', token)).body.status;
      return s === 'running' ? undefined : s;
    }, 120_000, 'the job to end');
    assert.equal(status, 'error');
    const res = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', token).expect(424);
    assert.equal(res.body.code, 'StorageFailure', JSON.stringify(res.body));
    assert.match(res.body.message, /stor|S3|reach/i);
  });
});
