import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { upsertProcessGraph } from '../../src/db/process-graphs.ts';
import { assertOfficialResponse } from '../helpers/official-spec.ts';

const udp = {
  summary: 'Doubles a number',
  parameters: [{ name: 'v', description: 'the number', schema: { type: 'number' } }],
  returns: { description: 'twice v', schema: { type: 'number' } },
  process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'v' }, y: 2 }, result: true } },
};

describe('user-defined processes', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  before(async () => {
    t = await createTestApp();
    alice = await t.login('udp-alice');
    bob = await t.login('udp-bob');
  });
  after(() => t.close());

  it('stores, lists, reads, replaces and deletes a process per user', async () => {
    assertOfficialResponse(await request(t.app).put('/process_graphs/double').set('Authorization', alice).send(udp).expect(200));
    const got = await request(t.app).get('/process_graphs/double').set('Authorization', alice).expect(200);
    assertOfficialResponse(got);
    assert.equal(got.body.id, 'double');
    assert.deepEqual(got.body.process_graph, udp.process_graph);
    await request(t.app).put('/process_graphs/triple').set('Authorization', alice).send({ ...udp, summary: 'x3' }).expect(200);
    const list = await request(t.app).get('/process_graphs?limit=1').set('Authorization', alice).expect(200);
    assertOfficialResponse(list);
    assert.equal(list.body.processes.length, 1);
    const next = list.body.links.find((l: { rel: string }) => l.rel === 'next');
    const page2 = await request(t.app).get(new URL(next.href).pathname + new URL(next.href).search).set('Authorization', alice).expect(200);
    assert.deepEqual([list.body.processes[0].id, page2.body.processes[0].id].sort(), ['double', 'triple']);
    await request(t.app).put('/process_graphs/double').set('Authorization', alice).send({ ...udp, summary: 'replaced' }).expect(200);
    assert.equal((await request(t.app).get('/process_graphs/double').set('Authorization', alice)).body.summary, 'replaced');
    // Bob sees none of it.
    const bobList = await request(t.app).get('/process_graphs').set('Authorization', bob).expect(200);
    assert.deepEqual(bobList.body.processes, []);
    for (const [method, path] of [['get', '/process_graphs/double'], ['delete', '/process_graphs/double']] as const) {
      const res = await request(t.app)[method](path).set('Authorization', bob).expect(404);
      assert.equal(res.body.code, 'ProcessGraphNotFound');
      assertOfficialResponse(res);
    }
    await request(t.app).delete('/process_graphs/double').set('Authorization', alice).expect(204);
    await request(t.app).get('/process_graphs/double').set('Authorization', alice).expect(404);
  });

  it('lists all of a user’s processes without a next link when the client asks for no limit', async () => {
    const carol = await t.login('udp-carol');
    const user = await t.ctx.db.selectFrom('users').select('id').where('name', '=', 'udp-carol').executeTakeFirstOrThrow();
    // More than a page of the former default (100); ids sort after each other as p000…p104.
    for (let i = 0; i < 105; i++) await upsertProcessGraph(t.ctx.db, user.id, `p${String(i).padStart(3, '0')}`, { ...udp, id: `p${i}` });
    for (const url of ['/process_graphs', '/process_graphs?limit=']) {
      const res = await request(t.app).get(url).set('Authorization', carol).expect(200);
      assertOfficialResponse(res);
      assert.equal(res.body.processes.length, 105, url);
      assert.equal(res.body.processes.at(-1).id, 'p104', url);
      assert.deepEqual(res.body.links, [], `${url}: no next link`);
    }
    const paged = await request(t.app).get('/process_graphs?limit=100').set('Authorization', carol).expect(200);
    assert.equal(paged.body.processes.length, 100);
    assert.ok(paged.body.links.some((l: { rel: string }) => l.rel === 'next'), 'an explicit limit still pages');
  });

  it('is callable by id from a job graph of its owner only', async () => {
    await request(t.app).put('/process_graphs/double2').set('Authorization', alice).send(udp).expect(200);
    const graph = { process: { process_graph: { d: { process_id: 'double2', namespace: 'user', arguments: { v: 21 }, result: true } } } };
    await request(t.app).post('/jobs').set('Authorization', alice).send(graph).expect(201);
    const res = await request(t.app).post('/jobs').set('Authorization', bob).send(graph).expect(400);
    assert.equal(res.body.code, 'ProcessUnsupported');
    const v = await request(t.app).post('/validation').set('Authorization', alice).send(graph.process).expect(200);
    assert.deepEqual(v.body.errors, []);
  });

  it('stores a process under the path’s id when the body names another one', async () => {
    const res = await request(t.app).put('/process_graphs/copied').set('Authorization', alice).send({ ...udp, id: 'original' }).expect(200);
    assertOfficialResponse(res);
    const got = await request(t.app).get('/process_graphs/copied').set('Authorization', alice).expect(200);
    assert.equal(got.body.id, 'copied');
    assert.deepEqual(got.body.process_graph, udp.process_graph);
    await request(t.app).get('/process_graphs/original').set('Authorization', alice).expect(404);
  });

  it('refuses invalid ids, predefined names, a missing graph and invalid graphs', async () => {
    const bad = await request(t.app).put('/process_graphs/has-dash').set('Authorization', alice).send(udp);
    assert.equal(bad.status, 400);
    const predefined = await request(t.app).put('/process_graphs/add').set('Authorization', alice).send(udp).expect(400);
    assert.equal(predefined.body.code, 'PredefinedProcessExists');
    const missing = await request(t.app).put('/process_graphs/nograph').set('Authorization', alice).send({ summary: 'x' }).expect(400);
    assert.ok(missing.body.code);
    const invalid = await request(t.app)
      .put('/process_graphs/broken')
      .set('Authorization', alice)
      .send({ process_graph: { a: { process_id: 'add', arguments: { x: { from_parameter: 'nope' }, y: 1 }, result: true } } })
      .expect(400);
    assert.equal(invalid.body.code, 'ProcessGraphInvalid');
    await request(t.app).get('/process_graphs').expect(401);
  });
});

describe('POST /validation', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('returns every error of an invalid graph, and none for a valid one', async () => {
    const ok = await request(t.app)
      .post('/validation')
      .send({ process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } })
      .expect(200);
    assertOfficialResponse(ok);
    assert.deepEqual(ok.body.errors, []);
    const bad = await request(t.app)
      .post('/validation')
      .send({
        process_graph: {
          a: { process_id: 'nope', arguments: {} },
          b: { process_id: 'add', arguments: { x: 'text' } },
          c: { process_id: 'multiply', arguments: { x: { from_node: 'zzz' }, y: 1 }, result: true },
        },
      })
      .expect(200);
    assertOfficialResponse(bad);
    const codes = bad.body.errors.map((e: { code: string }) => e.code).sort();
    assert.ok(codes.includes('ProcessUnsupported'), codes.join());
    assert.ok(codes.includes('ProcessParameterRequired') || codes.includes('ProcessParameterInvalid'), codes.join());
    assert.ok(codes.includes('ProcessGraphInvalid'), codes.join());
  });

  it('does not fail on parameters defined nowhere (the API says it must not), where jobs and results do', async () => {
    const graph = { process_graph: { a: { process_id: 'add', arguments: { x: { from_parameter: 'nope' }, y: 1 }, result: true } } };
    const v = await request(t.app).post('/validation').send(graph).expect(200);
    assertOfficialResponse(v);
    assert.deepEqual(v.body.errors, []);
    // other errors of the same graph are still reported
    const both = { process_graph: { a: { process_id: 'add', arguments: { x: { from_parameter: 'nope' }, y: 'text' }, result: true } } };
    assert.deepEqual((await request(t.app).post('/validation').send(both).expect(200)).body.errors.map((e: { code: string }) => e.code), ['ProcessParameterInvalid']);
    const token = await t.login('validator');
    const job = await request(t.app).post('/jobs').set('Authorization', token).send({ process: graph }).expect(400);
    assert.equal(job.body.code, 'ProcessGraphInvalid');
    assert.match(job.body.message, /'nope'/);
  });
});
