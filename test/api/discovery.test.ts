import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { assertOfficialResponse } from '../helpers/official-spec.ts';
import { routeTable } from '../../src/api/routes.ts';

describe('discovery endpoints', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('GET /.well-known/openeo lists API 1.2.0 at the public URL', async () => {
    const res = await request(t.app).get('/.well-known/openeo').expect(200);
    assertOfficialResponse(res);
    assert.deepEqual(res.body.versions.map((v: { api_version: string }) => v.api_version), ['1.2.0']);
    assert.equal(res.body.versions[0].url, 'http://openeo.test/');
  });

  it('GET / returns capabilities whose endpoints are exactly the route table', async () => {
    const res = await request(t.app).get('/').expect(200);
    assertOfficialResponse(res);
    assert.equal(res.body.api_version, '1.2.0');
    assert.equal(res.body.stac_version, '1.0.0');
    assert.ok(res.body.backend_version);
    const listed = new Set(res.body.endpoints.flatMap((e: { path: string; methods: string[] }) => e.methods.map((m) => `${m} ${e.path}`)));
    const table = new Set(routeTable('x', { oidc: false }).map((r) => `${r.method.toUpperCase()} ${r.path}`));
    assert.deepEqual(listed, table);
    for (const required of ['GET /jobs', 'POST /jobs', 'GET /jobs/{job_id}/logs', 'DELETE /jobs/{job_id}/results', 'PUT /process_graphs/{process_graph_id}']) {
      assert.ok(listed.has(required), `${required} listed`);
    }
    const rels = res.body.links.map((l: { rel: string }) => l.rel);
    assert.ok(rels.includes('conformance') && rels.includes('service-desc'));
  });

  it('serves its own OpenAPI description at the service-desc link', async () => {
    const res = await request(t.app).get('/openapi.yaml').expect(200);
    assert.match(res.text, /openapi: ['"]?3\.0/);
  });

  it('GET /conformance lists the openEO conformance class', async () => {
    const res = await request(t.app).get('/conformance').expect(200);
    assertOfficialResponse(res);
    assert.ok(res.body.conformsTo.includes('https://api.openeo.org/1.2.0'));
  });

  it('answers every preflight with 204 and the CORS headers the spec requires', async () => {
    for (const path of ['/jobs', '/jobs/abc/results', '/credentials/basic', '/nonexistent']) {
      const res = await request(t.app)
        .options(path)
        .set('Origin', 'https://editor.openeo.org')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'Authorization, Content-Type')
        .expect(204);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.match(res.headers['access-control-allow-headers'], /Authorization/);
      assert.match(res.headers['access-control-allow-headers'], /Content-Type/);
      for (const m of ['GET', 'POST', 'PATCH', 'PUT', 'DELETE']) assert.match(res.headers['access-control-allow-methods'], new RegExp(m));
      assert.equal(res.text, '');
    }
  });

  it('exposes Link, Location, OpenEO-Costs and OpenEO-Identifier, and no safelisted header, on every response', async () => {
    const safelisted = ['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma'];
    const responses = [
      await request(t.app).get('/').set('Origin', 'https://editor.openeo.org').expect(200),
      await request(t.app).get('/no/such/thing').set('Origin', 'https://editor.openeo.org').expect(404),
      await request(t.app).options('/jobs').set('Origin', 'https://editor.openeo.org').set('Access-Control-Request-Method', 'POST').expect(204),
    ];
    for (const res of responses) {
      assert.equal(res.headers['access-control-allow-origin'], '*');
      const exposed = res.headers['access-control-expose-headers'].split(/,\s*/);
      for (const h of ['Link', 'Location', 'OpenEO-Costs', 'OpenEO-Identifier']) assert.ok(exposed.includes(h), h);
      // The spec: safelisted headers "MUST NOT be included".
      for (const h of exposed) assert.ok(!safelisted.includes(h.toLowerCase()), `${h} must not be listed`);
    }
  });

  it('answers unknown routes with a NotFound openEO error', async () => {
    const res = await request(t.app).get('/no/such/thing').expect(404);
    assert.equal(res.body.code, 'NotFound');
    assert.ok(res.body.id && res.body.message);
    assertOfficialResponse({ ...res, req: { method: 'GET', path: '/jobs/x' } });
  });

  it('answers a malformed JSON body with 400 and a clear message, without a stack trace', async () => {
    const token = await t.login('malformed');
    const res = await request(t.app)
      .post('/jobs')
      .set('Authorization', token)
      .set('Content-Type', 'application/json')
      .send('{"process": {"process_graph": ')
      .expect(400);
    assert.equal(res.body.code, 'BadRequest');
    assert.match(res.body.message, /not valid JSON/);
    assert.doesNotMatch(JSON.stringify(res.body), /at .*\.ts|node_modules|stack/);
  });

  it('refuses bodies over the size limit with 413', async () => {
    const token = await t.login('bigbody');
    const big = { process: { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } }, description: 'x'.repeat(2_000_000) };
    const res = await request(t.app).post('/jobs').set('Authorization', token).send(big);
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 'PayloadTooLarge');
  });
});
