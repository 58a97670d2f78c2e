import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import request from 'supertest';
import { parse } from 'yaml';
import { OfficialSpec, loadOfficialSpec, type OfficialOperation } from '../helpers/official-spec.ts';
import { OUR_SPEC_PATH, validatorApp } from './validator-app.ts';

const official = loadOfficialSpec();
// The oracle class reads any OpenAPI 3.0 document; here it only serves to list our operations with resolved parameters.
const ours = new OfficialSpec(parse(readFileSync(OUR_SPEC_PATH, 'utf8')));
const app = validatorApp();

const shared: [OfficialOperation, OfficialOperation][] = ours.operations.flatMap((o) => {
  const twin = official.operations.find((x) => x.method === o.method && x.path === o.path);
  return twin ? [[o, twin] as [OfficialOperation, OfficialOperation]] : [];
});

const typesOf = (spec: OfficialSpec, schema: any): string[] => {
  const s = spec.deref(schema ?? {});
  if (s.anyOf) return s.anyOf.flatMap((x: any) => typesOf(spec, x));
  return [s.type ?? 'any'].flat();
};
const securityNames = (op: OfficialOperation): string[] =>
  [...new Set((op.operation.security ?? [{}]).map((r: object) => Object.keys(r).join('+') || 'anonymous'))].sort() as string[];

/** Sends a body through our validator; true when it is let through. */
async function oursAccepts(method: string, url: string, body: unknown): Promise<boolean> {
  const res = await request(app)[method.toLowerCase() as 'post'](url).send(body as object);
  assert.ok(res.status === 200 || res.status === 400, `unexpected ${res.status}: ${res.text}`);
  return res.status === 200;
}

describe('our openapi.yaml against the official openEO API', () => {
  it('shares all but the operational endpoints with the official spec', () => {
    const own = ours.operations.filter((o) => !shared.some(([s]) => s === o)).map((o) => `${o.method} ${o.path}`);
    assert.deepEqual(own.sort(), ['GET /health', 'GET /metrics', 'GET /ready']);
  });

  it('declares the same path parameters, required the same way', () => {
    for (const [o, x] of shared) {
      const pathParams = (op: OfficialOperation) =>
        op.parameters.filter((p) => p.in === 'path').map((p) => `${p.name}:${p.required === true}`).sort();
      assert.deepEqual(pathParams(o), pathParams(x), `${o.method} ${o.path}`);
    }
  });

  it('accepts every official query parameter with a compatible type; only `page` is our own', () => {
    for (const [o, x] of shared) {
      const oq = new Map(o.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p]));
      for (const p of x.parameters.filter((p) => p.in === 'query')) {
        const mine = oq.get(p.name);
        assert.ok(mine, `${o.method} ${o.path} lacks query parameter ${p.name}`);
        assert.equal(mine.required === true, p.required === true, `${o.method} ${o.path} ${p.name} required`);
        for (const t of typesOf(official, p.schema)) {
          assert.ok(typesOf(ours, mine.schema).includes(t), `${o.method} ${o.path} ${p.name} does not accept ${t}`);
        }
        oq.delete(p.name);
      }
      assert.deepEqual([...oq.keys()].filter((n) => n !== 'page'), [], `${o.method} ${o.path} has extra query params`);
    }
  });

  it('asks for the same authentication and request bodies as the official spec', () => {
    for (const [o, x] of shared) {
      assert.deepEqual(securityNames(o), securityNames(x), `${o.method} ${o.path} security`);
      assert.equal(Boolean(o.operation.requestBody), Boolean(x.operation.requestBody), `${o.method} ${o.path} body`);
      assert.equal(o.operation.requestBody?.required, x.operation.requestBody?.required, `${o.method} ${o.path}`);
    }
  });

  it('lets the official request example through wherever it applies', async () => {
    const example = official.doc.components.examples.evi_user_defined_process.value;
    const cases: [string, string, unknown][] = [
      ['POST', '/validation', example],
      ['PUT', '/process_graphs/evi', example],
      ['POST', '/jobs', { title: 'EVI', process: example, plan: 'free', budget: 10 }],
      ['PATCH', '/jobs/abc', { process: example }],
      ['POST', '/result', { process: example }],
    ];
    for (const [method, url, body] of cases) {
      assert.deepEqual(official.requestBodyViolations(method, url, body), [], `official rejects ${method} ${url}`);
      assert.equal(await oursAccepts(method, url, body), true, `${method} ${url}`);
    }
  });

  it('never rejects a job request that the official spec accepts (generated bodies)', async () => {
    const graph = fc.oneof(
      fc.constant({ n: { process_id: 'add', arguments: { x: 1, y: null }, result: true } }),
      fc.constant({ n: { process_id: 'add', arguments: { x: { from_parameter: 'x' } }, namespace: null } }),
      fc.constant({}),
      fc.constant({ n: { process_id: 'add' } }),
      fc.constant([]),
    );
    const process = fc.record(
      { process_graph: graph, id: fc.oneof(fc.constant(null), fc.constant('p1')), parameters: fc.constant(null), summary: fc.string() },
      { requiredKeys: [] },
    );
    const body = fc.record(
      {
        title: fc.oneof(fc.string(), fc.constant(null), fc.integer()),
        description: fc.oneof(fc.string(), fc.constant(null)),
        process,
        plan: fc.oneof(fc.constant('free'), fc.constant(null), fc.constant(3)),
        budget: fc.oneof(fc.double({ min: -5, max: 100, noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
        log_level: fc.constantFrom('error', 'warning', 'info', 'debug', 'verbose'),
        vendor_extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const routes = fc.constantFrom(['POST', '/jobs'], ['PATCH', '/jobs/abc'], ['POST', '/result']);
    await fc.assert(
      fc.asyncProperty(routes, body, async ([method, url], b) => {
        const officialOk = official.requestBodyViolations(method, url, b)?.length === 0;
        const oursOk = await oursAccepts(method, url, b);
        // Ours may be looser (the engine reports details), never stricter.
        if (officialOk) assert.equal(oursOk, true, `ours rejects an officially valid body: ${JSON.stringify(b)}`);
      }),
      { numRuns: 150 },
    );
  });
});
