import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const add = (x: unknown, y: unknown, result = false) => ({ process_id: 'add', arguments: { x, y }, ...(result ? { result: true } : {}) });

/** A chain of `n` add nodes, each using the previous one. */
function chain(n: number): Record<string, unknown> {
  const nodes: Record<string, unknown> = { n0: add(1, 1, n === 1) };
  for (let i = 1; i < n; i++) nodes[`n${i}`] = add({ from_node: `n${i - 1}` }, 1, i === n - 1);
  return nodes;
}

/** `array_apply`-free nesting: `if` has no callback, so nest `array_find`-style callbacks through `apply`. */
function nested(depth: number): Record<string, unknown> {
  let inner: Record<string, unknown> = { a: add({ from_parameter: 'x' }, 1, true) };
  for (let d = 0; d < depth; d++) {
    inner = { a: { process_id: 'apply', arguments: { data: { from_parameter: 'x' }, process: { process_graph: inner } }, result: true } };
  }
  return { load: { process_id: 'load_collection', arguments: { id: 'GFM', spatial_extent: null, temporal_extent: null } }, ...rename(inner, { from_node: 'load' }) };
}

function rename(graph: Record<string, unknown>, data: unknown): Record<string, unknown> {
  const a = graph.a as { arguments: Record<string, unknown> };
  return { a: { ...a, arguments: { ...a.arguments, data } } };
}

describe('limits with clear openEO errors', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({ env: { LIMIT_GRAPH_NODES: '20', LIMIT_GRAPH_DEPTH: '3', LIMIT_BODY_BYTES: '65536' } });
    token = await t.login('limits');
  });
  after(() => t.close());

  const validation = async (process_graph: unknown) => {
    const res = await request(t.app).post('/validation').set('Authorization', token).send({ process_graph }).expect(200);
    return res.body.errors as { code: string; message: string }[];
  };

  it('accepts graphs at the limits', async () => {
    assert.deepEqual(await validation(chain(20)), []);
    await request(t.app).post('/jobs').set('Authorization', token).send({ process: { process_graph: chain(20) } }).expect(201);
  });

  it('refuses too many nodes with ProcessGraphComplexity at /validation, /jobs, PATCH /jobs and /process_graphs', async () => {
    const errors = await validation(chain(21));
    assert.equal(errors[0]?.code, 'ProcessGraphComplexity', JSON.stringify(errors));
    assert.match(errors[0].message, /more than 20 process nodes/);
    const job = await request(t.app).post('/jobs').set('Authorization', token).send({ process: { process_graph: chain(21) } }).expect(400);
    assert.equal(job.body.code, 'ProcessGraphComplexity');
    const ok = await request(t.app).post('/jobs').set('Authorization', token).send({ process: { process_graph: chain(2) } }).expect(201);
    const id = ok.headers['openeo-identifier'];
    const patch = await request(t.app).patch(`/jobs/${id}`).set('Authorization', token).send({ process: { process_graph: chain(500) } }).expect(400);
    assert.equal(patch.body.code, 'ProcessGraphComplexity');
    const stored = await request(t.app).get(`/jobs/${id}`).set('Authorization', token).expect(200);
    assert.equal(Object.keys(stored.body.process.process_graph).length, 2, 'the refused update changed nothing');
    const pg = await request(t.app).put('/process_graphs/big').set('Authorization', token).send({ process_graph: chain(21) }).expect(400);
    assert.equal(pg.body.code, 'ProcessGraphComplexity');
  });

  it('refuses callbacks nested deeper than the limit', async () => {
    const within = await validation(nested(2));
    assert.ok(!within.some((e) => e.code === 'ProcessGraphComplexity'), JSON.stringify(within));
    const errors = await validation(nested(4));
    assert.ok(errors.some((e) => e.code === 'ProcessGraphComplexity' && /nested deeper than 3/.test(e.message)), JSON.stringify(errors));
    // far deeper than any limit: answered as quickly and clearly, not with a stack overflow
    const deep = await request(t.app).post('/jobs').set('Authorization', token).send({ process: { process_graph: nested(150) } });
    assert.equal(deep.status, 400, JSON.stringify(deep.body));
    assert.equal(deep.body.code, 'ProcessGraphComplexity');
  });

  it('refuses user-defined processes that call each other too deeply or in a cycle', async () => {
    const call = (id: string) => ({ c: { process_id: id, namespace: 'user', arguments: {}, result: true } });
    await request(t.app).put('/process_graphs/leaf').set('Authorization', token).send({ process_graph: { c: add(1, 2, true) } }).expect(200);
    await request(t.app).put('/process_graphs/l1').set('Authorization', token).send({ process_graph: call('leaf') }).expect(200);
    await request(t.app).put('/process_graphs/l2').set('Authorization', token).send({ process_graph: call('l1') }).expect(200);
    await request(t.app).put('/process_graphs/l3').set('Authorization', token).send({ process_graph: call('l2') }).expect(200);
    const errors = await validation(call('l3'));
    assert.equal(errors[0]?.code, 'ProcessGraphComplexity', JSON.stringify(errors));
  });

  // Found by this suite: a cycle of stored user processes passes validation (recursion with a base case through a
  // lazy `if` is legitimate openEO), so the run-time depth limit must stop it: the request ends with
  // ProcessGraphComplexity instead of running the service out of memory.
  it('stops a graph calling user-defined processes that form a cycle at the depth limit', async () => {
    const call = (id: string) => ({ c: { process_id: id, namespace: 'user', arguments: {}, result: true } });
    await request(t.app).put('/process_graphs/cyc_a').set('Authorization', token).send({ process_graph: call('leaf') }).expect(200);
    await request(t.app).put('/process_graphs/cyc_b').set('Authorization', token).send({ process_graph: call('cyc_a') }).expect(200);
    // replacing a stored process validates it against the other's old definition, which closes the cycle
    await request(t.app).put('/process_graphs/cyc_a').set('Authorization', token).send({ process_graph: call('cyc_b') }).expect(200);
    const res = await request(t.app).post('/result').set('Authorization', token).send({ process: { process_graph: call('cyc_a') } }).expect(400);
    assert.equal(res.body.code, 'ProcessGraphComplexity', JSON.stringify(res.body));
  });

  it('refuses absurdly nested JSON values inside arguments without a 5xx', async () => {
    for (const depth of [100, 5000, 30000]) {
      // built as text: serializers (also the test client's) recurse and would overflow first
      const graph = `{"a":{"process_id":"array_element","arguments":{"data":${'['.repeat(depth)}1${']'.repeat(depth)},"index":0},"result":true}}`;
      const v = await request(t.app).post('/validation').set('Authorization', token).set('Content-Type', 'application/json').send(`{"process_graph":${graph}}`);
      assert.ok(v.status < 500, `${depth}: ${v.status} ${JSON.stringify(v.body)}`);
      if (depth > 200) assert.equal(v.body.code, 'ProcessGraphComplexity');
      const j = await request(t.app).post('/jobs').set('Authorization', token).set('Content-Type', 'application/json').send(`{"process":{"process_graph":${graph}}}`);
      assert.ok(j.status < 500, `${depth}: ${j.status} ${JSON.stringify(j.body)}`);
    }
  });

  it('refuses text Postgres cannot store (NUL, unpaired surrogates) with BadRequest, not a 500', async () => {
    const ok = await request(t.app).post('/jobs').set('Authorization', token).send({ process: { process_graph: chain(1) } }).expect(201);
    const id = ok.headers['openeo-identifier'];
    const bodies = ['{"title":"a\\u0000b"}', '{"title":"\\ud800"}', '{"description":"x\\udfffy"}', '{"title":"ok","process":{"process_graph":{"a\\u0000":{"process_id":"add","arguments":{"x":1,"y":2},"result":true}}}}'];
    for (const text of bodies) {
      const patch = await request(t.app).patch(`/jobs/${id}`).set('Authorization', token).set('Content-Type', 'application/json').send(text);
      assert.equal(patch.status, 400, `${text}: ${JSON.stringify(patch.body)}`);
      assert.equal(patch.body.code, 'BadRequest');
      assert.match(patch.body.message, /cannot be stored/);
      const create = await request(t.app).post('/jobs').set('Authorization', token).set('Content-Type', 'application/json').send(`{"process":{"process_graph":{"a":{"process_id":"add","arguments":{"x":1,"y":2},"result":true}}},${text.slice(1)}`);
      assert.equal(create.status, 400, text);
    }
    // proper pairs (emoji) are ordinary text
    await request(t.app).patch(`/jobs/${id}`).set('Authorization', token).send({ title: 'flood 🌊 map' }).expect(204);
    const job = await request(t.app).get(`/jobs/${id}`).set('Authorization', token).expect(200);
    assert.equal(job.body.title, 'flood 🌊 map');
  });

  it('refuses bodies over the configured size with PayloadTooLarge on every body-taking route', async () => {
    const pad = 'x'.repeat(70_000);
    const graph = { process_graph: chain(1), description: pad };
    const job = await request(t.app).post('/jobs').set('Authorization', token).send({ process: graph }).expect(413);
    assert.equal(job.body.code, 'PayloadTooLarge');
    const pg = await request(t.app).put('/process_graphs/padded').set('Authorization', token).send(graph).expect(413);
    assert.equal(pg.body.code, 'PayloadTooLarge');
    const v = await request(t.app).post('/validation').send(graph).expect(413);
    assert.equal(v.body.code, 'PayloadTooLarge');
    const ok = await request(t.app).post('/jobs').set('Authorization', token).send({ process: chain(1) && { process_graph: chain(1) }, description: 'x'.repeat(60_000) });
    assert.equal(ok.status, 201);
  });
});
