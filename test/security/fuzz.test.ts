/**
 * Property-based fuzzing of the endpoints that take process graphs: every answer must be a success or a 4xx
 * openEO error (JSON with id, code and message, no internals), never a 5xx, a dropped connection or a hang;
 * afterwards the database holds only complete rows. FUZZ_RUNS scales the run counts, FUZZ_SEED replays a run.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { brokenText, hostileProcess, leafMutatedProcess, mutatedProcess, seedProcesses, toText } from './fuzz-arbitraries.ts';
import { assertNoInternals, assertOpenEOError } from './internals.ts';

const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const params = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns: runs(numRuns),
  ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
  // failures are reported with their seed, the shrunk body and the failed assertion
  includeErrorInReport: true,
  interruptAfterTimeLimit: 120_000,
});

const seeds = seedProcesses();
const anyProcess = fc.oneof(hostileProcess, mutatedProcess(seeds), leafMutatedProcess(seeds), leafMutatedProcess(seeds));
/** Request bodies for POST /jobs and PATCH /jobs/{id}: job fields of any type around a process. */
const mostly = <T,>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) => fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad });
const jobBody = fc.record(
  {
    process: mostly(anyProcess, fc.jsonValue()),
    title: mostly(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant(null)), fc.oneof(fc.constant('\u0000'), fc.integer())),
    description: mostly(fc.oneof(fc.string({ maxLength: 30 }), fc.constant(null)), fc.jsonValue()),
    plan: mostly(fc.oneof(fc.string({ maxLength: 5 }), fc.constant(null)), fc.integer()),
    budget: mostly(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)), fc.string({ maxLength: 3 })),
    log_level: mostly(fc.constantFrom('debug', 'info', 'warning', 'error'), fc.oneof(fc.constant('loud'), fc.integer())),
  },
  { requiredKeys: [] },
);
const body = (inner: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 8, arbitrary: inner.map(toText) }, { weight: 1, arbitrary: brokenText });

describe('fuzzing the graph-taking endpoints', () => {
  let t: TestApp;
  let server: Server;
  let base: string;
  let fuzzer: string;
  let syncer: string;
  const jobIds: string[] = [];
  let created = 0;
  /** Answers per endpoint, status and code: shows in the test output how deep the bodies got. */
  const stats = new Map<string, number>();

  before(async () => {
    t = await createTestApp();
    // The demo collection's static catalog, empty: loads find no data (a 4xx) instead of a missing catalog (502).
    const gfm = path.join(t.dataDir, 'demo', 'gfm');
    await fs.mkdir(gfm, { recursive: true });
    const extent = { spatial: { bbox: [[60, 20, 75, 35]] }, temporal: { interval: [['2023-01-01T00:00:00Z', null]] } };
    await fs.writeFile(path.join(gfm, 'collection.json'), JSON.stringify({ type: 'Collection', stac_version: '1.0.0', id: 'GFM', description: 'empty', license: 'proprietary', extent, links: [] }));
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fuzzer = await t.login('fuzzer');
    syncer = await t.login('syncer');
    for (const s of seeds.slice(0, 3)) jobIds.push((await send('POST', '/jobs', JSON.stringify({ process: s }), fuzzer)).headers.get('openeo-identifier')!);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await t.close();
  });

  /** One request; fails on 5xx, on error bodies that are not openEO errors, and on no answer within 20 s. */
  async function send(method: string, path: string, text: string, token?: string, contentType = 'application/json') {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': contentType, ...(token ? { authorization: token } : {}) },
      body: text,
      signal: AbortSignal.timeout(20_000),
    });
    const answer = await res.text();
    const k = `${method} ${path.split('/')[1]} ${res.status}${res.status >= 400 ? ` ${/"code":"(\w+)"/.exec(answer)?.[1]}` : ''}`;
    stats.set(k, (stats.get(k) ?? 0) + 1);
    if (method === 'POST' && path === '/jobs' && res.status === 201) created++;
    const label = `${method} ${path} ${res.status} for ${text.slice(0, 300)}`;
    assert.ok(res.status < 500, `${label}\n→ ${answer.slice(0, 500)}`);
    if (res.status >= 400) {
      const json = JSON.parse(answer);
      assertOpenEOError(json, label);
      assertNoInternals(json.message, label);
    }
    return { status: res.status, headers: res.headers, text: answer };
  }

  it('POST /validation answers every body with 200 {errors} or a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(body(anyProcess), fc.boolean(), async (text, withToken) => {
        const res = await send('POST', '/validation', text, withToken ? fuzzer : undefined);
        if (res.status === 200) assert.ok(Array.isArray(JSON.parse(res.text).errors), res.text);
      }),
      params(1200),
    );
  });

  it('POST /jobs creates a job or refuses it with a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(body(jobBody), async (text) => {
        const res = await send('POST', '/jobs', text, fuzzer);
        assert.ok(res.status === 201 || res.status >= 400, `${res.status}`);
      }),
      params(700),
    );
  });

  it('PATCH /jobs/{id} updates or refuses, on existing and unknown ids', async () => {
    const id = fc.oneof(fc.constantFrom(...jobIds), fc.uuid(), fc.string({ maxLength: 10 }).map(encodeURIComponent));
    await fc.assert(
      fc.asyncProperty(id, body(jobBody), async (jobId, text) => {
        const res = await send('PATCH', `/jobs/${jobId}`, text, fuzzer);
        assert.ok(res.status === 204 || res.status >= 400, `${res.status}`);
      }),
      params(400),
    );
  });

  it('PUT /process_graphs/{id} stores or refuses', async () => {
    const id = fc.oneof(fc.constantFrom('p1', 'p2', 'p3', 'add', 'load_collection', '__proto__', 'constructor'), fc.string({ maxLength: 12 }).map(encodeURIComponent));
    await fc.assert(
      fc.asyncProperty(id, body(anyProcess), async (pgId, text) => {
        if (pgId === '') return;
        const res = await send('PUT', `/process_graphs/${pgId}`, text, fuzzer);
        assert.ok(res.status === 200 || res.status >= 400, `${res.status}`);
      }),
      params(400),
    );
  });

  // The sync user has no stored processes: a cycle among stored processes is a known crash (see limits.test.ts).
  it('POST /result computes or refuses', async () => {
    await fc.assert(
      fc.asyncProperty(body(fc.record({ process: anyProcess })), async (text) => {
        await send('POST', '/result', text, syncer);
      }),
      params(250),
    );
  });

  it('odd ids and query parameters on every job and process route are answered with 4xx at worst', async () => {
    const odd = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('\u0000', '%00', '..', '../..', '0', '-1', '1e400', 'null', '[]', '{}', "' or 1=1 --", '00000000-0000-0000-0000-000000000000'));
    const path = fc.constantFrom('/jobs/{id}', '/jobs/{id}/logs', '/jobs/{id}/results', '/jobs/{id}/estimate', '/process_graphs/{id}', '/jobs', '/process_graphs', '/collections/{id}', '/collections/{id}/queryables', '/processes');
    const query = fc.dictionary(fc.constantFrom('limit', 'page', 'offset', 'level', 'partial', 'x'), odd, { maxKeys: 2 });
    await fc.assert(
      fc.asyncProperty(path, fc.oneof(odd, fc.constantFrom(...jobIds)), query, fc.constantFrom('GET', 'DELETE'), async (p, id, q, method) => {
        const qs = new URLSearchParams(q).toString();
        const url = `${p.replace('{id}', encodeURIComponent(id) || 'x')}${qs ? `?${qs}` : ''}`;
        // deleting the seeded jobs would break the row count checked at the end
        const verb = method === 'DELETE' && p.includes('{id}') && !jobIds.includes(id) ? 'DELETE' : 'GET';
        const res = await fetch(`${base}${url}`, { method: verb, headers: { authorization: fuzzer }, signal: AbortSignal.timeout(20_000) });
        const text = await res.text();
        assert.ok(res.status < 500, `${verb} ${url} ${res.status}: ${text.slice(0, 300)}`);
        if (res.status >= 400) assertOpenEOError(JSON.parse(text), url);
      }),
      params(500),
    );
  });

  it('other content types and methods are refused cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/json; charset=latin1', 'application/json; charset=utf-16', ''), brokenText, async (ct, text) => {
        await send('POST', '/jobs', text, fuzzer, ct);
      }),
      params(100),
    );
  });

  it('refuses parameters whose name is not a string with a 4xx', async () => {
    const process = { parameters: [{ name: { toString: null }, schema: {} }], process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } };
    await send('POST', '/validation', JSON.stringify(process), fuzzer);
    await send('POST', '/jobs', JSON.stringify({ process }), fuzzer);
    await send('POST', '/result', JSON.stringify({ process }), syncer);
    await send('PUT', '/process_graphs/named', JSON.stringify(process), fuzzer);
  });

  it('leaves only complete rows behind and keeps serving', async (t2) => {
    t2.diagnostic([...stats].sort().map(([k, n]) => `${k}: ${n}`).join(', '));
    const jobs = await t.ctx.db.selectFrom('jobs').selectAll().execute();
    assert.equal(jobs.length, created, 'one row per 201');
    for (const j of jobs) {
      assert.equal(j.status, 'created');
      const p = j.process as Record<string, unknown>;
      assert.ok(p && typeof p === 'object' && !Array.isArray(p), `job ${j.id}: process ${JSON.stringify(p)}`);
      assert.ok(p.process_graph && typeof p.process_graph === 'object' && !Array.isArray(p.process_graph), `job ${j.id}`);
      assert.ok(['debug', 'info', 'warning', 'error'].includes(j.log_level), `job ${j.id}: log_level ${j.log_level}`);
    }
    const graphs = await t.ctx.db.selectFrom('process_graphs').selectAll().execute();
    for (const g of graphs) {
      assert.match(g.id, /^\w+$/);
      const p = g.process as Record<string, unknown>;
      assert.ok(p.process_graph && typeof p.process_graph === 'object' && !Array.isArray(p.process_graph), `process ${g.id}`);
    }
    assert.equal((await t.ctx.db.selectFrom('job_logs').select('seq').execute()).length, 0);
    const ok = await send('POST', '/jobs', JSON.stringify({ process: seeds[seeds.length - 2] }), fuzzer);
    assert.equal(ok.status, 201);
  });
});
