import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { describe, it } from 'node:test';
import express from 'express';
import request from 'supertest';
import { assertOfficialResponse, loadOfficialSpec, type HeadersLike } from '../helpers/official-spec.ts';

const spec = loadOfficialSpec();
const JSON_CT = { 'content-type': 'application/json; charset=utf-8' };
const BASE = 'https://openeo.test';

const accepts = (method: string, path: string, status: number, body: unknown, headers: HeadersLike = JSON_CT) =>
  assert.deepEqual(spec.violations(method, path, status, headers, body), []);
const rejects = (method: string, path: string, status: number, body: unknown, headers: HeadersLike = JSON_CT) => {
  const found = spec.violations(method, path, status, headers, body);
  assert.ok(found.length > 0, `expected a violation for ${JSON.stringify(body)}`);
  return found;
};
const clone = <T>(v: T): T => structuredClone(v);

const capabilities = {
  api_version: '1.2.0', backend_version: '0.1.0', stac_version: '1.0.0', type: 'Catalog', id: 'openeo-backend',
  title: 'Test backend', description: 'Flood monitoring', production: false,
  endpoints: [{ path: '/jobs', methods: ['GET', 'POST'] }, { path: '/jobs/{job_id}', methods: ['GET', 'PATCH', 'DELETE'] }],
  links: [
    { rel: 'conformance', href: `${BASE}/conformance`, type: 'application/json' },
    { rel: 'service-desc', href: `${BASE}/openapi.yaml`, type: 'application/vnd.oai.openapi' },
  ],
};
const callback = { process_graph: { m: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } };
const job = {
  id: 'j-20240101-abc', title: null, description: 'a job', status: 'running', progress: 42.5,
  created: '2024-01-01T10:00:00Z', updated: '2024-01-01T10:05:00.123Z', log_level: 'info', budget: null,
  process: {
    process_graph: {
      load: { process_id: 'load_collection', arguments: { id: 'S2', spatial_extent: null, temporal_extent: ['2024-01-01', null] } },
      red: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'load' }, reducer: callback, dimension: 't' }, result: true },
    },
  },
};
const logs = {
  level: 'info',
  logs: [
    { id: '1', level: 'info', message: 'queued', time: '2024-01-01T10:00:00Z' },
    { id: '2', level: 'error', code: 'NoDataAvailable', message: 'no items', path: [{ node_id: 'load', process_id: 'load_collection', parameter: null }] },
  ],
  links: [{ rel: 'next', href: `${BASE}/jobs/j1/logs?offset=2&limit=2` }],
};

describe('official spec oracle', () => {
  it('accepts valid capabilities and rejects broken ones', () => {
    accepts('GET', '/', 200, capabilities);
    const wrongVersion = { ...clone(capabilities), api_version: '1.1.0' };
    const { endpoints: _dropped, ...noEndpoints } = clone(capabilities);
    const relativeLink = clone(capabilities);
    relativeLink.links[0].href = '/conformance';
    const badMethod = clone(capabilities);
    badMethod.endpoints[0].methods = ['FETCH'];
    for (const bad of [wrongVersion, noEndpoints, relativeLink, badMethod]) rejects('GET', '/', 200, bad);
  });

  it('accepts a job with nulls and nested callbacks, and rejects each kind of mistake', () => {
    accepts('GET', '/jobs/j1', 200, job);
    accepts('GET', '/jobs/{job_id}', 200, job); // a template works as well as a concrete path
    const cases: [string, (j: any) => void][] = [
      ['progress above 100', (j) => (j.progress = 150)],
      ['unknown status', (j) => (j.status = 'done')],
      ['created not a date-time', (j) => (j.created = '2024-01-01')],
      ['id missing', (j) => delete j.id],
      ['id null (not nullable)', (j) => (j.id = null)],
      ['node deep in a callback without arguments', (j) => delete j.process.process_graph.red.arguments.reducer.process_graph.m.arguments],
    ];
    for (const [why, mutate] of cases) {
      const bad = clone(job);
      mutate(bad);
      assert.ok(spec.violations('GET', '/jobs/j1', 200, JSON_CT, bad).length > 0, why);
    }
  });

  it('checks job lists, including the pagination links', () => {
    accepts('GET', '/jobs?limit=1', 200, { jobs: [job], links: [{ rel: 'next', href: `${BASE}/jobs?limit=1&page=x` }] });
    accepts('GET', '/jobs', 200, { jobs: [], links: [] });
    rejects('GET', '/jobs', 200, { jobs: [] });
    rejects('GET', '/jobs', 200, { jobs: [{ ...job, status: 'paused' }], links: [] });
    rejects('GET', '/jobs', 200, { jobs: [], links: [{ href: `${BASE}/jobs?page=2` }] });
  });

  it('checks log pages, an empty one included', () => {
    accepts('GET', '/jobs/j1/logs?offset=1', 200, logs);
    accepts('GET', '/jobs/j1/logs', 200, { logs: [], links: [] });
    const badLevel = clone(logs);
    badLevel.logs[0].level = 'fatal';
    const noMessage = clone(logs) as any;
    delete noMessage.logs[1].message;
    const badPath = clone(logs) as any;
    delete badPath.logs[1].path[0].node_id;
    for (const bad of [badLevel, noMessage, badPath]) rejects('GET', '/jobs/j1/logs', 200, bad);
  });

  it('checks error bodies and their content type', () => {
    const error = { id: 'req-1', code: 'JobNotFound', message: 'The batch job does not exist.' };
    accepts('GET', '/jobs/nope', 404, error);
    accepts('POST', '/jobs', 400, error);
    accepts('GET', '/jobs/j1/results', 424, { id: '9', level: 'error', message: 'failed', code: 'Internal' });
    rejects('GET', '/jobs/nope', 404, { message: 'no code' });
    rejects('GET', '/jobs/nope', 404, { code: 'JobNotFound', message: 42 });
    const found = rejects('GET', '/jobs/nope', 404, '<html></html>', { 'content-type': 'text/html' });
    assert.match(found.join('\n'), /Content-Type "text\/html"/);
  });

  it('checks response headers and bodiless statuses', () => {
    const headers = { location: `${BASE}/jobs/j1`, 'openeo-identifier': 'j1' };
    accepts('POST', '/jobs', 201, {}, headers);
    assert.match(rejects('POST', '/jobs', 201, {}, { location: `${BASE}/jobs/j1` }).join(), /OpenEO-Identifier/);
    rejects('POST', '/jobs', 201, {}, { ...headers, location: 'not a uri' });
    rejects('POST', '/jobs', 201, job, { ...headers, ...JSON_CT });
    accepts('DELETE', '/jobs/j1', 204, {}, {});
    accepts('POST', '/jobs/j1/results', 202, '', {});
    rejects('DELETE', '/jobs/j1', 204, { ok: true }, JSON_CT);
  });

  it('applies discriminators (collection dimensions) and the media type of queryables', () => {
    const collection = {
      stac_version: '1.0.0', type: 'Collection', id: 'S2', title: 'S2', description: 'd', license: 'proprietary',
      extent: { spatial: { bbox: [[0, 0, 1, 1]] }, temporal: { interval: [['2020-01-01T00:00:00Z', null]] } },
      links: [], summaries: {},
      'cube:dimensions': { x: { type: 'spatial', axis: 'x', extent: [0, 1] }, t: { type: 'temporal', extent: ['2020-01-01T00:00:00Z', null] } },
    };
    accepts('GET', '/collections/S2', 200, collection);
    const noExtent = clone(collection) as any;
    delete noExtent['cube:dimensions'].x.extent;
    rejects('GET', '/collections/S2', 200, noExtent);
    const queryables = { $schema: 'https://json-schema.org/draft/2019-09/schema', $id: `${BASE}/q`, type: 'object', properties: {} };
    accepts('GET', '/collections/S2/queryables', 200, queryables, { 'content-type': 'application/schema+json' });
    rejects('GET', '/collections/S2/queryables', 200, queryables, JSON_CT);
  });

  it('accepts every response example that the official document itself gives', () => {
    let count = 0;
    for (const op of spec.operations) {
      for (const [status, ref] of Object.entries<any>(op.operation.responses)) {
        for (const [type, content] of Object.entries<any>(spec.deref(ref).content ?? {})) {
          const examples = [content.example, ...Object.values<any>(content.examples ?? {}).map((e) => spec.deref(e).value)];
          for (const ex of examples.filter((e) => e !== undefined)) {
            count++;
            assert.deepEqual(spec.violations(op.method, op.path, Number(status), { 'content-type': type }, ex), [], `${op.method} ${op.path}`);
          }
        }
      }
    }
    assert.ok(count >= 10, `only ${count} examples found`);
  });

  it('refuses to judge operations the official spec does not have, and undocumented statuses', () => {
    assert.match(rejects('GET', '/health', 200, { status: 'ok' }).join(), /not an operation/);
    assert.match(rejects('GET', '/conformance', 404, { code: 'NotFound', message: 'x' }).join(), /not documented/);
  });

  it('works on supertest responses and names every violation with its location', async () => {
    const app = express();
    app.get('/jobs/:id', (_req, res) => void res.json({ ...job, progress: 101, status: 'paused' }));
    app.get('/me', (_req, res) => void res.json({ user_id: 'demo', name: 'Demo' }));
    assertOfficialResponse(await request(app).get('/me'));
    const res = await request(app).get('/jobs/j1?x=1');
    assert.throws(() => assertOfficialResponse(res), (e: unknown) => {
      assert.ok(e instanceof AssertionError);
      assert.match(e.message, /GET \/jobs\/j1\?x=1 → 200/);
      assert.match(e.message, /\/progress must be <= 100/);
      assert.match(e.message, /\/status must be equal to one of the allowed values/);
      return true;
    });
    assert.throws(() => assertOfficialResponse('GET', '/me', 200, JSON_CT, { name: 'no id' }), AssertionError);
  });
});
