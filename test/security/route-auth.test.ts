import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { routeTable } from '../../src/api/routes.ts';
import { BACKEND_VERSION } from '../../src/app.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const graph = { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } };

/** Bodies that pass request validation, so that only authentication and ownership decide. */
const BODIES: Record<string, object> = {
  'post /validation': graph,
  'post /jobs': { process: graph },
  'post /result': { process: graph },
  'patch /jobs/{job_id}': { title: 'taken over' },
  'put /process_graphs/{process_graph_id}': { ...graph, summary: 'replaced' },
};

/** Routes open to everybody by design; every other route must refuse a missing token. */
const PUBLIC = new Set([
  'get /', 'get /conformance', 'get /credentials/basic', 'get /credentials/oidc', 'get /file_formats', 'get /processes',
  'get /collections', 'get /collections/{collection_id}', 'get /collections/{collection_id}/queryables', 'post /validation',
]);

/**
 * What a second user gets on the first user's resources: JobNotFound / ProcessGraphNotFound for anything naming
 * them, or their own (empty) view for routes without ids. PUT of a process id that another user has creates the
 * caller's own process of that name: ids are per user.
 */
const OTHER_USER: Record<string, { status: number; code?: string }> = {
  'get /me': { status: 200 },
  'get /jobs': { status: 200 },
  'post /jobs': { status: 201 },
  'post /result': { status: 200 },
  'get /jobs/{job_id}': { status: 404, code: 'JobNotFound' },
  'patch /jobs/{job_id}': { status: 404, code: 'JobNotFound' },
  'delete /jobs/{job_id}': { status: 404, code: 'JobNotFound' },
  'get /jobs/{job_id}/estimate': { status: 404, code: 'JobNotFound' },
  'get /jobs/{job_id}/logs': { status: 404, code: 'JobNotFound' },
  'get /jobs/{job_id}/results': { status: 404, code: 'JobNotFound' },
  'post /jobs/{job_id}/results': { status: 404, code: 'JobNotFound' },
  'delete /jobs/{job_id}/results': { status: 404, code: 'JobNotFound' },
  'get /process_graphs': { status: 200 },
  'get /process_graphs/{process_graph_id}': { status: 404, code: 'ProcessGraphNotFound' },
  'put /process_graphs/{process_graph_id}': { status: 200 },
  'delete /process_graphs/{process_graph_id}': { status: 404, code: 'ProcessGraphNotFound' },
};

describe('every route with no token and with another user’s token', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  let jobId: string;
  const pgId = 'alices_process';
  const routes = routeTable(BACKEND_VERSION, { oidc: true });
  const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

  before(async () => {
    t = await createTestApp();
    alice = await t.login('alice');
    bob = await t.login('bob');
    const created = await request(t.app).post('/jobs').set('Authorization', alice).send({ title: 'alice only', process: graph }).expect(201);
    jobId = created.headers['openeo-identifier'];
    await request(t.app).put(`/process_graphs/${pgId}`).set('Authorization', alice).send({ ...graph, summary: 'alice only' }).expect(200);
  });
  after(() => t.close());

  const concrete = (path: string, job = jobId) =>
    path.replace('{job_id}', job).replace('{process_graph_id}', pgId).replace('{collection_id}', 'GFM');

  function send(method: string, path: string, token?: string) {
    const body = BODIES[`${method} ${path}`];
    let req = request(t.app)[method as 'get'](concrete(path));
    if (token) req = req.set('Authorization', token);
    return body ? req.send(body) : req;
  }

  it('classifies every route of the table (a new route must be added here)', () => {
    for (const r of routes) assert.ok(PUBLIC.has(key(r)) || key(r) in OTHER_USER, `unclassified route ${key(r)}`);
    for (const r of routes) assert.equal(r.auth === 'required', !PUBLIC.has(key(r)), `${key(r)} auth=${r.auth}`);
  });

  it('answers 401 AuthenticationRequired on every non-public route without a token, and 403 with a bad one', async () => {
    for (const r of routes.filter((r) => !PUBLIC.has(key(r)))) {
      const res = await send(r.method, r.path);
      assert.equal(res.status, 401, `${key(r)}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'AuthenticationRequired', key(r));
      const forged = await send(r.method, r.path, 'Bearer basic//forged-token-0000');
      assert.equal(forged.status, 403, `${key(r)} forged: ${forged.status}`);
      assert.equal(forged.body.code, 'TokenInvalid', key(r));
    }
  });

  it('serves public routes without a token', async () => {
    for (const r of routes.filter((r) => PUBLIC.has(key(r)))) {
      const res = await send(r.method, r.path);
      // /credentials/basic is public but needs Basic credentials; OIDC has no provider configured in tests
      const expected = r.path === '/credentials/basic' ? 401 : r.path === '/credentials/oidc' ? 404 : 200;
      assert.equal(res.status, expected, `${key(r)}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  });

  it('gives another user JobNotFound / ProcessGraphNotFound, never the first user’s data', async () => {
    // PUT last: it creates the second user's own process of that id, which later GET/DELETE would then find
    const ordered = routes.filter((r) => !PUBLIC.has(key(r))).sort((a, b) => Number(a.method === 'put') - Number(b.method === 'put'));
    for (const r of ordered) {
      const want = OTHER_USER[key(r)];
      const res = await send(r.method, r.path, bob);
      assert.equal(res.status, want.status, `${key(r)}: ${res.status} ${JSON.stringify(res.body)}`);
      if (want.code) assert.equal(res.body.code, want.code, key(r));
      const text = JSON.stringify(res.body);
      // errors may echo the id the caller sent; nothing else of the first user's may appear
      assert.ok(!text.includes('alice only') && (res.status >= 400 || !text.includes(jobId)), `${key(r)} leaked: ${text}`);
      if (want.code) {
        // the same answer as for an id that does not exist at all: no existence oracle
        const missing = await send(r.method, r.path.replace('{job_id}', '00000000-0000-4000-8000-000000000000'), bob);
        if (r.path.includes('{job_id}')) {
          const other = await request(t.app)[r.method as 'get'](concrete(r.path, '00000000-0000-4000-8000-000000000000')).set('Authorization', bob).send(BODIES[key(r)]);
          assert.deepEqual([other.status, other.body.code], [res.status, res.body.code], key(r));
        } else assert.equal(missing.status, res.status);
      }
    }
  });

  it('leaves the first user’s job and process untouched', async () => {
    const job = await request(t.app).get(`/jobs/${jobId}`).set('Authorization', alice).expect(200);
    assert.equal(job.body.title, 'alice only');
    assert.equal(job.body.status, 'created');
    const pg = await request(t.app).get(`/process_graphs/${pgId}`).set('Authorization', alice).expect(200);
    assert.equal(pg.body.summary, 'alice only');
    const bobs = await request(t.app).get(`/process_graphs/${pgId}`).set('Authorization', bob).expect(200);
    assert.equal(bobs.body.summary, 'replaced');
    const ids = await request(t.app).get('/jobs').set('Authorization', alice).expect(200);
    assert.deepEqual(ids.body.jobs.map((j: { id: string }) => j.id), [jobId]);
  });
});
