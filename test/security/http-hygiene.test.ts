import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app.ts';
import { hashPassword } from '../../src/auth/passwords.ts';
import { loadConfig } from '../../src/config.ts';
import { createContext, type AppContext } from '../../src/context.ts';
import { createPasswordUser } from '../../src/db/users.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { assertNoInternals } from './internals.ts';

describe('HTTP hygiene: headers, request ids, no internals in errors', () => {
  let db: TestDatabase;
  let ctx: AppContext;
  let app: Express;
  let dataDir: string;
  let token: string;
  const lines: Record<string, unknown>[] = [];
  // Failures planted in replaceable context parts, with messages and stacks that must stay server-side.
  const secretPath = '/work/main/src/secret/module.ts';

  before(async () => {
    db = await createTestDatabase();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'openeo-hygiene-'));
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: db.url, SIGNING_SECRET: 'test-signing-secret-0123456789', PUBLIC_URL: 'http://openeo.test' });
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    ctx = await createContext(config, {
      logger,
      parts: {
        estimate: async () => {
          throw new TypeError(`Cannot read properties of undefined (reading 'x') at ${secretPath}:12:7`);
        },
      },
    });
    app = createApp(ctx);
    await createPasswordUser(ctx.db, 'hy', await hashPassword('correct horse battery'));
    const res = await request(app).get('/credentials/basic').auth('hy', 'correct horse battery').expect(200);
    token = `Bearer basic//${res.body.access_token}`;
  });
  after(async () => {
    await ctx.close();
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('sends security headers that keep openEO CORS and cross-origin use working', async () => {
    const res = await request(app).get('/').set('Origin', 'https://editor.openeo.org').expect(200);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.match(res.headers['access-control-expose-headers'], /Location/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(res.headers['cross-origin-opener-policy'], undefined);
    assert.equal(res.headers['cross-origin-embedder-policy'], undefined);
    assert.match(res.headers['content-security-policy'], /default-src 'none'/);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['x-powered-by'], undefined);
    const pre = await request(app)
      .options('/jobs')
      .set('Origin', 'https://editor.openeo.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'Authorization, Content-Type')
      .expect(204);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.match(pre.headers['access-control-allow-headers'], /Authorization/);
    assert.equal(pre.headers['cross-origin-resource-policy'], 'cross-origin');
  });

  it('puts the request id into the error body, the header and the log lines', async () => {
    lines.length = 0;
    const res = await request(app).get('/jobs/00000000-0000-4000-8000-000000000000/logs?offset=secret-token').set('Authorization', token).expect(404);
    assert.equal(res.body.code, 'JobNotFound');
    assert.equal(res.body.id, res.headers['x-request-id']);
    const line = lines.find((l) => l.reqId === res.body.id);
    assert.ok(line, JSON.stringify(lines));
    assert.equal(line.status, 404);
    assert.equal(line.path, '/jobs/00000000-0000-4000-8000-000000000000/logs');
  });

  it('answers an unexpected exception in a handler with a generic 500 and logs the details with the id', async () => {
    const created = await request(app).post('/jobs').set('Authorization', token).send({ process: { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } } }).expect(201);
    lines.length = 0;
    const res = await request(app).get(`/jobs/${created.headers['openeo-identifier']}/estimate`).set('Authorization', token).expect(500);
    assert.equal(res.body.code, 'Internal');
    assert.equal(res.body.id, res.headers['x-request-id']);
    assertNoInternals(res.body, 'estimate');
    assert.doesNotMatch(JSON.stringify(res.body), /Cannot read properties/);
    const logged = lines.find((l) => l.reqId === res.body.id && l.level === 50) as { err?: { message?: string; stack?: string } } | undefined;
    assert.ok(logged, 'the failure is logged with its request id');
    assert.match(logged.err?.message ?? '', /Cannot read properties/);
    assert.match(logged.err?.stack ?? '', /TypeError/);
  });

  it('answers a database failure with a generic 500 that names no table, query or path', async () => {
    const created = await request(app).post('/jobs').set('Authorization', token).send({ process: { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } } }).expect(201);
    await ctx.db.schema.alterTable('job_logs').renameTo('job_logs_gone').execute();
    try {
      const res = await request(app).get(`/jobs/${created.headers['openeo-identifier']}/logs`).set('Authorization', token).expect(500);
      assert.equal(res.body.code, 'Internal');
      assertNoInternals(res.body, 'logs');
      assert.doesNotMatch(JSON.stringify(res.body), /job_logs|relation|select/i);
    } finally {
      await ctx.db.schema.alterTable('job_logs_gone').renameTo('job_logs').execute();
    }
  });

  it('answers malformed and oversized bodies with openEO errors without parser internals', async () => {
    const bad = await request(app).post('/jobs').set('Authorization', token).set('Content-Type', 'application/json').send('{"process": {"process_graph": ').expect(400);
    assert.equal(bad.body.code, 'BadRequest');
    assertNoInternals(bad.body, 'malformed');
    const big = await request(app).post('/validation').set('Content-Type', 'application/json').send(JSON.stringify({ process_graph: {}, pad: 'x'.repeat(1_100_000) })).expect(413);
    assert.equal(big.body.code, 'PayloadTooLarge');
    const wrongType = await request(app).post('/jobs').set('Authorization', token).set('Content-Type', 'text/plain').send('hello');
    assert.ok(wrongType.status >= 400 && wrongType.status < 500, `${wrongType.status}`);
    assertNoInternals(wrongType.body, 'text/plain');
  });

  it('answers a compressed body that does not decompress with BadRequest, not a server error', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await request(app).post('/jobs').set('Authorization', token).set('Content-Type', 'application/json').set('Content-Encoding', encoding).send('{"process": {}}');
      assert.equal(res.status, 400, `${encoding}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'BadRequest');
      assertNoInternals(res.body, encoding);
    }
  });
});
