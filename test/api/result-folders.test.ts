import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { JobExecution, JobExecutor, JobOutcome } from '../../src/jobs/executor.ts';
import { jobResultKey } from '../../src/results/layout.ts';
import { folderIndex } from '../../src/results/listing.ts';
import type { ObjectStore } from '../../src/storage/index.ts';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.ts';

const run = promisify(execFile);
const enc = (s: string) => new TextEncoder().encode(s);

/** Writes a tiny Zarr-shaped folder, as the Zarr writer lays it out, and records it as the job's asset. */
class FolderExecutor implements JobExecutor {
  store?: ObjectStore;
  async execute(e: JobExecution): Promise<JobOutcome> {
    const put = (path: string, text: string) => this.store!.put(jobResultKey(e.job.id, path), enc(text));
    await put('result.zarr/.zgroup', '{"zarr_format":2}');
    await put('result.zarr/.zmetadata', '{"metadata":{},"zarr_consolidated_format":1}');
    await put('result.zarr/band a/.zarray', '{}');
    await put('result.zarr/band a/0.0', 'chunk');
    await put('result.zarr/band a/0.1', 'chunk');
    await put('result.zarr/x/0', 'x');
    await put('result.json', '42');
    return {
      results: {
        assets: {
          'result.zarr': { path: 'result.zarr', type: 'application/vnd+zarr', roles: ['data'] },
          'result.json': { path: 'result.json', type: 'application/json', roles: ['data'] },
        },
      },
    };
  }
  async discardResults(): Promise<void> {}
}

describe('result folders (a Zarr store) behind signed links', () => {
  let t: TestApp;
  let token: string;
  let zarrHref: string;
  let server: Server;
  const executor = new FolderExecutor();
  before(async () => {
    // Served on a port named by PUBLIC_URL, so that fsspec can follow the links the index gives.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    t = await createTestApp({ runJobs: true, parts: { executor }, env: { PUBLIC_URL: `http://127.0.0.1:${port}` } });
    server = await new Promise<Server>((resolve) => {
      const s = t.app.listen(port, '127.0.0.1', () => resolve(s));
    });
    executor.store = t.ctx.store;
    token = await t.login('folders');
    const id = (await request(t.app).post('/jobs').set('Authorization', token).send({
      process: { process_graph: { sum: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } },
    }).expect(201)).headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    await waitFor(async () => {
      const j = await request(t.app).get(`/jobs/${id}`).set('Authorization', token);
      return j.body.status === 'finished' ? true : undefined;
    }, 20_000, 'the job');
    const results = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', token).expect(200);
    zarrHref = results.body.assets['result.zarr'].href;
  });
  after(async () => {
    server.close();
    await t.close();
  });

  it('the store href answers with an HTML index of its immediate entries, with and without trailing slash', async () => {
    const path = new URL(zarrHref).pathname;
    for (const p of [path, `${path}/`]) {
      const res = await request(t.app).get(p).expect(200);
      assert.match(res.headers['content-type'], /^text\/html/);
      const links = [...res.text.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(links, [
        `${zarrHref}/.zgroup`,
        `${zarrHref}/.zmetadata`,
        `${zarrHref}/band%20a/`,
        `${zarrHref}/x/`,
      ]);
      const head = await request(t.app).head(p).expect(200);
      assert.equal(head.headers['content-length'], String(Buffer.byteLength(res.text)));
    }
    // Every link answers: files with their bytes, folders with their own index.
    const sub = await request(t.app).get(`${path}/band%20a`).expect(200);
    assert.deepEqual([...sub.text.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1].slice(zarrHref.length)), ['/band%20a/.zarray', '/band%20a/0.0', '/band%20a/0.1']);
    assert.equal((await request(t.app).get(`${path}/band%20a/0.1`).expect(200)).body.toString(), 'chunk');
  });

  it('answers JSON when asked for it', async () => {
    const path = new URL(zarrHref).pathname;
    const res = await request(t.app).get(path).set('Accept', 'application/json').expect(200);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.deepEqual(res.body, {
      entries: [
        { name: '.zgroup', type: 'file', size: 17, href: `${zarrHref}/.zgroup` },
        { name: '.zmetadata', type: 'file', size: 44, href: `${zarrHref}/.zmetadata` },
        { name: 'band a/', type: 'directory', href: `${zarrHref}/band%20a/` },
        { name: 'x/', type: 'directory', href: `${zarrHref}/x/` },
      ],
      truncated: false,
    });
  });

  it('prefixes without objects stay 404, as do partial names and a trailing slash on a file', async () => {
    const path = new URL(zarrHref).pathname;
    for (const p of [`${path}/nothing`, `${path}/nothing/`, `${path.slice(0, -1)}`, `${path}/.zgroup/`, `${path}/band`]) {
      const res = await request(t.app).get(p);
      assert.equal(res.status, 404, p);
      assert.equal(res.body.code, 'FileNotFound', p);
      assert.equal((await request(t.app).head(p)).status, 404, p);
    }
  });

  it('bounds the keys read and says the index is incomplete', async () => {
    const store = t.ctx.store;
    const full = await folderIndex(store, 'jobs/', undefined, 1_000);
    assert.ok(full && !full.truncated);
    const part = await folderIndex(store, 'jobs/', undefined, 3);
    assert.equal(part?.truncated, true);
    assert.equal(await folderIndex(store, 'jobs/none/'), undefined);
  });

  it('fsspec (xarray over HTTP) lists the store and its folders from the index', async () => {
    const script = `
import json, sys, fsspec
fs = fsspec.filesystem('http')
url = sys.argv[1]
print(json.dumps({'root': sorted(fs.ls(url, detail=False)), 'isdir': fs.isdir(url), 'band': sorted(fs.ls(url + '/band%20a', detail=False))}))`;
    const r = JSON.parse((await run('/usr/bin/python3', ['-c', script, zarrHref])).stdout);
    assert.equal(r.isdir, true);
    assert.deepEqual(r.root, [`${zarrHref}/.zgroup`, `${zarrHref}/.zmetadata`, `${zarrHref}/band%20a/`, `${zarrHref}/x/`]);
    assert.deepEqual(r.band, ['.zarray', '0.0', '0.1'].map((k) => `${zarrHref}/band%20a/${k}`));
  });
});
