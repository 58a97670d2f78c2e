/**
 * POST /result with a graph asking for huge arrays: once six array_create nodes of 120 million elements each took
 * the whole server down (heap out of memory). Now it is a 400 naming the process and the limit, and the server goes on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const LIMIT = 1000;

const graph = (repeat: number) => {
  const g: Record<string, unknown> = {};
  for (let i = 0; i < 6; i++) g[`a${i}`] = { process_id: 'array_create', arguments: { data: [i + 0.5], repeat } };
  const firsts = Array.from({ length: 6 }, (_, i) => {
    g[`e${i}`] = { process_id: 'array_element', arguments: { data: { from_node: `a${i}` }, index: 0 } };
    return { from_node: `e${i}` };
  });
  g.sum = { process_id: 'sum', arguments: { data: firsts }, result: true };
  return { process: { process_graph: g } };
};

describe('array size limit (LIMIT_ARRAY_ELEMENTS) over HTTP', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({ embedded: true, env: { CHUNK_THREADS: '0', LIMIT_ARRAY_ELEMENTS: String(LIMIT) } });
    token = await t.login('arrays');
  });
  after(() => t.close());

  it('refuses an array over the limit with ProcessParameterInvalid and keeps answering', async () => {
    const res = await request(t.app).post('/result').set('Authorization', token).send(graph(120_000_000)).expect(400);
    assert.equal(res.body.code, 'ProcessParameterInvalid');
    assert.equal(res.body.message, `array_create: 'repeat' would make an array of 120000000 elements; at most ${LIMIT} are allowed (LIMIT_ARRAY_ELEMENTS).`);
    const ok = await request(t.app).post('/result').set('Authorization', token).send(graph(LIMIT)).expect(200);
    assert.equal(ok.body, 0.5 + 1.5 + 2.5 + 3.5 + 4.5 + 5.5);
  });

  it('refuses quantiles with a huge q and a JSON result of more values than the limit, as 400s', async () => {
    const q = await request(t.app)
      .post('/result')
      .set('Authorization', token)
      .send({ process: { process_graph: { q: { process_id: 'quantiles', arguments: { data: [1, 2, 3], q: 100_000_000 }, result: true } } } })
      .expect(400);
    assert.equal(q.body.code, 'ProcessParameterInvalid');
    assert.match(q.body.message, /^quantiles: 'q' would make an array of 99999999 elements/);
    // each array within the limit, the result the same array LIMIT times over: LIMIT² values as text
    const nested = await request(t.app)
      .post('/result')
      .set('Authorization', token)
      .send({
        process: {
          process_graph: {
            inner: { process_id: 'array_create', arguments: { data: [1], repeat: LIMIT } },
            outer: { process_id: 'array_create', arguments: { data: [{ from_node: 'inner' }], repeat: LIMIT }, result: true },
          },
        },
      })
      .expect(400);
    assert.equal(nested.body.code, 'ProcessGraphComplexity');
    await request(t.app).get('/').expect(200);
  });
});

describe('time limit of synchronous processing (LIMIT_SYNC_SECONDS)', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({ embedded: true, env: { CHUNK_THREADS: '0', LIMIT_SYNC_SECONDS: '1' } });
    token = await t.login('slow');
  });
  after(() => t.close());

  it('stops a long scalar evaluation with ProcessGraphComplexity, and the server answers meanwhile', async () => {
    // ten array_apply over 100,000 elements in a row: seconds of callback calls on the server's thread
    const g: Record<string, unknown> = { a0: { process_id: 'array_create', arguments: { data: [1], repeat: 100_000 } } };
    const double = { process_graph: { x: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 2 }, result: true } } };
    for (let i = 1; i <= 10; i++) g[`a${i}`] = { process_id: 'array_apply', arguments: { data: { from_node: `a${i - 1}` }, process: double } };
    g.s = { process_id: 'sum', arguments: { data: { from_node: 'a10' } }, result: true };
    const slow = request(t.app).post('/result').set('Authorization', token).send({ process: { process_graph: g } }).then((r) => r);
    // the evaluation lets other requests through while it runs
    await new Promise((r) => setTimeout(r, 200));
    let answeredBeforeIt = false;
    await request(t.app).get('/health').expect(200).then(() => (answeredBeforeIt = true));
    const res = await slow;
    assert.ok(answeredBeforeIt);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.code, 'ProcessGraphComplexity');
    assert.match(res.body.message, /longer than 1 s .*batch job/);
  });
});
