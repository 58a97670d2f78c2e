import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import request from 'supertest';
import { parse } from 'yaml';
import { OUR_SPEC_PATH, validatorApp, type Echo } from './validator-app.ts';

const ours = parse(readFileSync(OUR_SPEC_PATH, 'utf8'));
const app = validatorApp();

// The operations the service promises; handlers are registered for exactly these (plus /results/*).
const EXPECTED = [
  'GET /.well-known/openeo', 'GET /', 'GET /conformance', 'GET /credentials/basic', 'GET /credentials/oidc', 'GET /me',
  'GET /file_formats', 'GET /processes', 'GET /collections', 'GET /collections/{collection_id}',
  'GET /collections/{collection_id}/queryables', 'POST /validation', 'POST /result', 'GET /jobs', 'POST /jobs',
  'GET /jobs/{job_id}', 'PATCH /jobs/{job_id}', 'DELETE /jobs/{job_id}', 'GET /jobs/{job_id}/estimate',
  'GET /jobs/{job_id}/logs', 'GET /jobs/{job_id}/results', 'POST /jobs/{job_id}/results',
  'DELETE /jobs/{job_id}/results', 'GET /process_graphs', 'GET /process_graphs/{process_graph_id}',
  'PUT /process_graphs/{process_graph_id}', 'DELETE /process_graphs/{process_graph_id}', 'GET /health', 'GET /ready',
  'GET /metrics',
];

const graph = { add: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } };

describe('our openapi.yaml', () => {
  it('lists exactly the operations we implement, and leaves /results/* to routes outside the validator', () => {
    const listed: string[] = [];
    for (const [path, item] of Object.entries<Record<string, unknown>>(ours.paths)) {
      for (const m of Object.keys(item)) if (m !== 'parameters') listed.push(`${m.toUpperCase()} ${path}`);
    }
    assert.deepEqual([...listed].sort(), [...EXPECTED].sort());
    assert.equal(ours.openapi.startsWith('3.0.'), true);
  });

  it('is accepted by express-openapi-validator and lets valid requests through with typed query values', async () => {
    const res = await request(app).get('/jobs?limit=5&page=opaque-token').expect(200);
    const echo = res.body as Echo;
    assert.deepEqual(echo.query, { limit: 5, page: 'opaque-token' });
    const logs = await request(app).get('/jobs/j-1.x~y/logs?offset=17&level=debug&limit=2').expect(200);
    assert.deepEqual((logs.body as Echo).query, { offset: '17', level: 'debug', limit: 2 });
    const results = await request(app).get('/jobs/abc/results?partial=true').expect(200);
    assert.deepEqual((results.body as Echo).query, { partial: true });
  });

  it('treats empty query values as allowed, as the official spec does (handlers see "")', async () => {
    const res = await request(app).get('/jobs/x/logs?offset=&level=&limit=').expect(200);
    assert.deepEqual((res.body as Echo).query, { offset: '', level: '', limit: '' });
  });

  for (const [url, why] of [
    ['/jobs?limit=0', 'limit below 1'],
    ['/jobs?limit=ten', 'limit not an integer'],
    ['/jobs?limit=1.5', 'limit fractional'],
    ['/jobs?offset=3', 'unknown query parameter'],
    ['/collections?bbox=1,2,3,4', 'unknown query parameter'],
    ['/jobs/x/logs?level=verbose', 'unknown log level'],
    ['/jobs/x/results?partial=maybe', 'partial not a boolean'],
    ['/jobs/has%20space', 'job id outside the id pattern'],
    ['/process_graphs/has-dash', 'process graph id outside ^\\w+$'],
  ] as const) {
    it(`rejects GET ${url} (${why}) with 400`, async () => {
      const res = await request(app).get(url).expect(400);
      assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0);
    });
  }

  const badBodies: [string, string, unknown, string][] = [
    ['post', '/jobs', {}, 'process missing'],
    ['post', '/jobs', { process: {} }, 'process_graph missing'],
    ['post', '/jobs', { process: { process_graph: [] } }, 'process_graph not an object'],
    ['post', '/jobs', { process: { process_graph: { a: { arguments: {} } } } }, 'node without process_id'],
    ['post', '/jobs', { process: { process_graph: { a: { process_id: 'add' } } } }, 'node without arguments'],
    ['post', '/jobs', { process: { process_graph: { a: { process_id: 1, arguments: {} } } } }, 'process_id not a string'],
    ['post', '/jobs', { process: { process_graph: graph }, budget: -1 }, 'negative budget'],
    ['post', '/jobs', { process: { process_graph: graph }, log_level: 'verbose' }, 'unknown log level'],
    ['post', '/jobs', { process: { process_graph: graph }, title: 5 }, 'title not a string'],
    ['patch', '/jobs/abc', { log_level: 'trace' }, 'unknown log level'],
    ['patch', '/jobs/abc', { process: { title: 'no graph' } }, 'process without process_graph'],
    ['post', '/result', { process_graph: graph }, 'graph not wrapped in process'],
    ['post', '/validation', { process: { process_graph: graph } }, 'wrapped graph where a process is expected'],
    ['put', '/process_graphs/ndvi', { id: 'ndvi' }, 'process_graph missing'],
  ];
  for (const [method, url, body, why] of badBodies) {
    it(`rejects ${method.toUpperCase()} ${url} with ${why}`, async () => {
      const res = await request(app)[method as 'post'](url).send(body as object).expect(400);
      assert.ok(res.body.errors.length > 0, JSON.stringify(res.body));
    });
  }

  it('rejects a non-JSON body with 415', async () => {
    await request(app).post('/jobs').set('Content-Type', 'text/plain').send('add(1, 2)').expect(415);
  });

  it('accepts bodies with extra properties, nulls and nested callbacks', async () => {
    const callback = { process_graph: { m: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } };
    const body = {
      title: null, description: null, plan: null, budget: null, log_level: 'debug', vendor_option: { a: 1 },
      process: {
        id: null, parameters: null, returns: null, summary: 'x',
        process_graph: {
          load: { process_id: 'load_collection', namespace: null, arguments: { id: 'S2', spatial_extent: null, bands: ['B04'] } },
          red: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'load' }, reducer: callback, dimension: 't' }, result: true },
        },
      },
    };
    const res = await request(app).post('/jobs').send(body).expect(200);
    assert.deepEqual((res.body as Echo).body, body);
    await request(app).patch('/jobs/abc').send({}).expect(200); // NoDataForUpdate is the handler's job
    await request(app).post('/jobs/abc/results').expect(200);
  });

  it('leaves undocumented routes and methods to the app (signed downloads, CORS preflight)', async () => {
    await request(app).get('/results/tok_EN-123/out.zarr/b01/0.0.0').expect(200);
    await request(app).options('/jobs').expect(200);
    await request(app).get('/no/such/route').expect(200);
  });
});
