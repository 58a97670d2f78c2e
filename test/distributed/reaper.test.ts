/** The lost-job reaper of distributed runs: a job left without any queue task is repaired on the second pass. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import request from 'supertest';
import { reapLostJobs } from '../../src/distributed/reaper.ts';
import { pgBossTaskQueue } from '../../src/distributed/task-queue.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

describe('lost-job reaper (distributed mode)', () => {
  let t: TestApp;
  let token: string;
  const logger = pino({ level: 'silent' });

  before(async () => {
    t = await createTestApp({ env: { EXECUTION_MODE: 'distributed' } });
    token = await t.login('scientist');
  });
  after(() => t.close());

  const tasksOf = async (id: string) =>
    Number((await sql<{ n: string }>`select count(*) as n from pgboss.job where data->>'jobId' = ${id} and state in ('created', 'retry', 'active')`.execute(t.ctx.db)).rows[0].n);
  const pass = (suspects: Set<string>) => reapLostJobs(t.ctx.db, pgBossTaskQueue(t.ctx.queue!), logger, suspects);

  async function startedJob(): Promise<string> {
    const body = { process: { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } } };
    const id = (await request(t.app).post('/jobs').set('Authorization', token).send(body).expect(201)).headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    return id;
  }

  it('leaves jobs with a task alone, re-plans a queued job whose task vanished', async () => {
    const id = await startedJob();
    assert.equal(await tasksOf(id), 1, 'the API queued a plan task');
    assert.equal((await pass(new Set())).size, 0);
    await sql`delete from pgboss.job where data->>'jobId' = ${id}`.execute(t.ctx.db);
    const suspects = await pass(new Set());
    assert.ok([...suspects].some((k) => k.startsWith(id)), 'suspected on the first pass');
    assert.equal(await tasksOf(id), 0, 'nothing done on the first pass');
    await pass(suspects);
    assert.equal(await tasksOf(id), 1, 'a new plan task');
    assert.equal((await request(t.app).get(`/jobs/${id}`).set('Authorization', token).expect(200)).body.status, 'queued');
  });

  it('ends a running job without any task in error, with a log entry', async () => {
    const id = await startedJob();
    await sql`update jobs set status = 'running', started = now() where id = ${id}`.execute(t.ctx.db);
    await sql`delete from pgboss.job where data->>'jobId' = ${id}`.execute(t.ctx.db);
    await pass(await pass(new Set()));
    assert.equal((await request(t.app).get(`/jobs/${id}`).set('Authorization', token).expect(200)).body.status, 'error');
    const logs = (await request(t.app).get(`/jobs/${id}/logs`).set('Authorization', token).expect(200)).body.logs;
    assert.ok(logs.some((l: { level: string; message: string }) => l.level === 'error' && /lost/.test(l.message)), JSON.stringify(logs));
  });
});
