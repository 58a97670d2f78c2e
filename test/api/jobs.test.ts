import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.ts';
import { insertLog } from '../../src/db/job-logs.ts';
import { findJob, insertJob } from '../../src/db/jobs.ts';
import { assertOfficialResponse } from '../helpers/official-spec.ts';

const addGraph = (x = 1, y = 2) => ({
  process_graph: { sum: { process_id: 'add', arguments: { x, y }, result: true } },
});

describe('batch jobs: CRUD, ownership and validation', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  before(async () => {
    t = await createTestApp();
    alice = await t.login('alice');
    bob = await t.login('bob');
  });
  after(() => t.close());

  async function createJob(token: string, body: Record<string, unknown> = { process: addGraph() }) {
    const res = await request(t.app).post('/jobs').set('Authorization', token).send(body).expect(201);
    assertOfficialResponse(res);
    return res.headers['openeo-identifier'] as string;
  }

  it('creates a job: 201 with Location and OpenEO-Identifier, then shows it', async () => {
    const res = await request(t.app)
      .post('/jobs')
      .set('Authorization', alice)
      .send({ title: 'Sum', description: 'adds', process: addGraph(), plan: 'free', budget: 10, log_level: 'debug', extra_field: 1 })
      .expect(201);
    const id = res.headers['openeo-identifier'];
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.location, `http://openeo.test/jobs/${id}`);
    const job = await request(t.app).get(`/jobs/${id}`).set('Authorization', alice).expect(200);
    assertOfficialResponse(job);
    assert.equal(job.body.status, 'created');
    assert.equal(job.body.title, 'Sum');
    assert.equal(job.body.log_level, 'debug');
    assert.equal(job.body.budget, 10);
    assert.deepEqual(job.body.process, addGraph());
    assert.match(job.body.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('rejects bodies without a process, with wrong types, or with an invalid graph', async () => {
    const cases: [unknown, number, string][] = [
      [{}, 400, ''],
      [{ process: 'nope' }, 400, ''],
      [{ process: addGraph(), title: 5 }, 400, ''],
      [{ process: addGraph(), log_level: 'loud' }, 400, ''],
      [{ process: { process_graph: { a: { process_id: 'no_such_process', arguments: {}, result: true } } } }, 400, 'ProcessUnsupported'],
      [{ process: { process_graph: { a: { process_id: 'add', arguments: { x: 1 }, result: true } } } }, 400, 'ProcessParameterRequired'],
      [{ process: { process_graph: { a: { process_id: 'add', arguments: { x: { from_node: 'b' }, y: 1 }, result: true } } } }, 400, 'ProcessGraphInvalid'],
    ];
    for (const [body, status, code] of cases) {
      const res = await request(t.app).post('/jobs').set('Authorization', alice).send(body as object);
      assert.equal(res.status, status, JSON.stringify(body));
      if (code) assert.equal(res.body.code, code, JSON.stringify(res.body));
      assert.ok(res.body.message, 'a message');
      assertOfficialResponse(res);
    }
  });

  it('lists only the caller’s jobs, paginated with next links', async () => {
    const t2 = await createTestApp();
    try {
      const carol = await t2.login('carol');
      const dave = await t2.login('dave');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await request(t2.app).post('/jobs').set('Authorization', carol).send({ process: addGraph(i) }).expect(201);
        ids.push(r.headers['openeo-identifier']);
      }
      await request(t2.app).post('/jobs').set('Authorization', dave).send({ process: addGraph() }).expect(201);
      const seen: string[] = [];
      let url: string | undefined = '/jobs?limit=2';
      let pages = 0;
      while (url) {
        const res: request.Response = await request(t2.app).get(url).set('Authorization', carol).expect(200);
        assertOfficialResponse(res);
        assert.ok(res.body.jobs.length <= 2);
        for (const j of res.body.jobs) assert.equal(j.process, undefined, 'lists omit the process');
        seen.push(...res.body.jobs.map((j: { id: string }) => j.id));
        const next: { href: string } | undefined = res.body.links.find((l: { rel: string }) => l.rel === 'next');
        url = next ? next.href.replace('http://openeo.test', '') : undefined;
        pages++;
      }
      assert.equal(pages, 3);
      assert.deepEqual(new Set(seen), new Set(ids));
      assert.equal(seen.length, 5);
      const bad = await request(t2.app).get('/jobs?page=garbage').set('Authorization', carol).expect(400);
      assert.equal(bad.body.code, 'BadRequest');
      await request(t2.app).get('/jobs?limit=0').set('Authorization', carol).expect(400);
      await request(t2.app).get('/jobs?limit=abc').set('Authorization', carol).expect(400);
    } finally {
      await t2.close();
    }
  });

  it('lists every job, newest included and without a next link, when the client asks for no limit', async () => {
    const erin = await t.login('erin');
    const user = await t.ctx.db.selectFrom('users').select('id').where('name', '=', 'erin').executeTakeFirstOrThrow();
    // More than a page of the former default (100): a client that does not page used to miss the newest jobs.
    for (let i = 0; i < 104; i++) await insertJob(t.ctx.db, { userId: user.id, process: addGraph(i), logLevel: 'info' });
    const newest = await createJob(erin);
    for (const url of ['/jobs', '/jobs?limit=']) {
      const res = await request(t.app).get(url).set('Authorization', erin).expect(200);
      assertOfficialResponse(res);
      assert.equal(res.body.jobs.length, 105, url);
      assert.ok(res.body.jobs.some((j: { id: string }) => j.id === newest), `${url}: the newest job is listed`);
      assert.deepEqual(res.body.links, [], `${url}: no next link`);
    }
    const paged = await request(t.app).get('/jobs?limit=100').set('Authorization', erin).expect(200);
    assert.equal(paged.body.jobs.length, 100);
    assert.ok(paged.body.links.some((l: { rel: string }) => l.rel === 'next'), 'an explicit limit still pages');
  });

  it('updates a job with PATCH and refuses an empty patch', async () => {
    const id = await createJob(alice);
    await request(t.app).patch(`/jobs/${id}`).set('Authorization', alice).send({ title: 'Renamed', process: addGraph(5, 5) }).expect(204);
    const job = await request(t.app).get(`/jobs/${id}`).set('Authorization', alice).expect(200);
    assert.equal(job.body.title, 'Renamed');
    assert.deepEqual(job.body.process, addGraph(5, 5));
    const empty = await request(t.app).patch(`/jobs/${id}`).set('Authorization', alice).send({}).expect(400);
    assert.equal(empty.body.code, 'NoDataForUpdate');
    const wrong = await request(t.app).patch(`/jobs/${id}`).set('Authorization', alice).send({ title: ['x'] }).expect(400);
    assert.ok(wrong.body.message);
  });

  it('stores the default billing plan when none is given, matches plans case-insensitively, refuses others', async () => {
    const planOf = async (id: string) => (await request(t.app).get(`/jobs/${id}`).set('Authorization', alice).expect(200)).body.plan;
    const plain = await createJob(alice);
    assert.equal(await planOf(plain), 'free', 'the default_plan of GET /');
    assert.equal(await planOf(await createJob(alice, { process: addGraph(), plan: 'FREE' })), 'free');
    assert.equal(await planOf(await createJob(alice, { process: addGraph(), plan: null })), 'free');
    const gold = await request(t.app).post('/jobs').set('Authorization', alice).send({ process: addGraph(), plan: 'gold' }).expect(400);
    assertOfficialResponse(gold);
    assert.equal(gold.body.code, 'BillingPlanInvalid');
    assert.match(gold.body.message, /'gold'.*'free'/);
    assert.equal((await request(t.app).patch(`/jobs/${plain}`).set('Authorization', alice).send({ plan: 'gold' }).expect(400)).body.code, 'BillingPlanInvalid');
    await request(t.app).patch(`/jobs/${plain}`).set('Authorization', alice).send({ plan: 'Free' }).expect(204);
    assert.equal(await planOf(plain), 'free');
  });

  it('refuses to PATCH read-only properties with PropertyNotEditable, changing nothing', async () => {
    const id = await createJob(alice);
    for (const body of [{ status: 'finished' }, { id: 'other' }, { title: 'half', progress: 100 }, { created: '2020-01-01T00:00:00Z' }]) {
      const res = await request(t.app).patch(`/jobs/${id}`).set('Authorization', alice).send(body).expect(400);
      assertOfficialResponse(res);
      assert.equal(res.body.code, 'PropertyNotEditable', JSON.stringify(body));
      assert.match(res.body.message, new RegExp(`'${Object.keys(body).find((k) => k !== 'title')}' is read-only`));
    }
    const job = await request(t.app).get(`/jobs/${id}`).set('Authorization', alice).expect(200);
    assert.equal(job.body.id, id);
    assert.equal(job.body.status, 'created');
    assert.equal(job.body.title, null);
  });

  it('hides a job from another user on every route (JobNotFound), and unknown ids likewise', async () => {
    const id = await createJob(alice);
    const routes: [string, string, object?][] = [
      ['get', `/jobs/${id}`],
      ['patch', `/jobs/${id}`, { title: 'mine now' }],
      ['delete', `/jobs/${id}`],
      ['get', `/jobs/${id}/estimate`],
      ['get', `/jobs/${id}/logs`],
      ['get', `/jobs/${id}/results`],
      ['post', `/jobs/${id}/results`],
      ['delete', `/jobs/${id}/results`],
    ];
    for (const [method, path, body] of routes) {
      for (const target of [path, path.replace(id, '00000000-0000-4000-8000-000000000000'), path.replace(id, 'not-a-uuid')]) {
        let r = (request(t.app) as any)[method](target).set('Authorization', bob);
        if (body) r = r.send(body);
        const res = await r;
        assert.equal(res.status, 404, `${method} ${target}`);
        assert.equal(res.body.code, 'JobNotFound', `${method} ${target}`);
        assertOfficialResponse(res);
      }
      let anon = (request(t.app) as any)[method](path);
      if (body) anon = anon.send(body);
      const res = await anon;
      assert.equal(res.status, 401, `${method} ${path} without token`);
      assert.equal(res.body.code, 'AuthenticationRequired');
    }
    const still = await request(t.app).get(`/jobs/${id}`).set('Authorization', alice).expect(200);
    assert.equal(still.body.title, null);
  });

  it('deletes a job', async () => {
    const id = await createJob(alice);
    await request(t.app).delete(`/jobs/${id}`).set('Authorization', alice).expect(204);
    const res = await request(t.app).get(`/jobs/${id}`).set('Authorization', alice).expect(404);
    assert.equal(res.body.code, 'JobNotFound');
  });

  it('logs are an empty list, not an error, before anything was logged', async () => {
    const id = await createJob(alice);
    const res = await request(t.app).get(`/jobs/${id}/logs`).set('Authorization', alice).expect(200);
    assertOfficialResponse(res);
    assert.deepEqual(res.body.logs, []);
    assert.deepEqual(res.body.links, []);
    await request(t.app).get(`/jobs/${id}/logs?level=verbose`).set('Authorization', alice).expect(400);
    await request(t.app).get(`/jobs/${id}/logs?offset=abc`).set('Authorization', alice).expect(400);
  });

  it('returns the whole log without a limit; with one it pages by offset, the last id seen', async () => {
    const id = await createJob(alice);
    const job = await findJob(t.ctx.db, (await t.ctx.db.selectFrom('users').select('id').where('name', '=', 'alice').executeTakeFirstOrThrow()).id, id);
    for (let i = 0; i < 105; i++) await insertLog(t.ctx.db, id, job!.run, { level: 'info', message: `entry ${i}` });
    for (const url of [`/jobs/${id}/logs`, `/jobs/${id}/logs?limit=`]) {
      const res = await request(t.app).get(url).set('Authorization', alice).expect(200);
      assertOfficialResponse(res);
      assert.equal(res.body.logs.length, 105, url);
      assert.deepEqual(res.body.links, [], `${url}: no next link`);
    }
    const messages: string[] = [];
    let url: string | undefined = `/jobs/${id}/logs?limit=50`;
    while (url) {
      const res: request.Response = await request(t.app).get(url).set('Authorization', alice).expect(200);
      assertOfficialResponse(res);
      messages.push(...res.body.logs.map((l: { message: string }) => l.message));
      const next: { href: string } | undefined = res.body.links.find((l: { rel: string }) => l.rel === 'next');
      url = next ? next.href.replace('http://openeo.test', '') : undefined;
    }
    assert.deepEqual(messages, Array.from({ length: 105 }, (_, i) => `entry ${i}`));
  });

  it('results of a job that never started: JobNotStarted', async () => {
    const id = await createJob(alice);
    const res = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', alice).expect(400);
    assert.equal(res.body.code, 'JobNotStarted');
    assertOfficialResponse(res);
  });

  it('estimates a job', async () => {
    const id = await createJob(alice);
    const res = await request(t.app).get(`/jobs/${id}/estimate`).set('Authorization', alice).expect(200);
    assertOfficialResponse(res);
  });
});
