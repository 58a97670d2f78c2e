import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { JobExecution, JobExecutor, JobOutcome } from '../../src/jobs/executor.ts';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.ts';
import { assertOfficialResponse } from '../helpers/official-spec.ts';

const graph = (nodes: Record<string, unknown>) => ({ process: { process_graph: nodes } });
const addJob = graph({ sum: { process_id: 'add', arguments: { x: 40, y: 2 }, result: true } });
const failingJob = graph({ el: { process_id: 'array_element', arguments: { data: [1, 2], index: 5 }, result: true } });

async function statusOf(t: TestApp, token: string, id: string) {
  const res = await request(t.app).get(`/jobs/${id}`).set('Authorization', token).expect(200);
  assertOfficialResponse(res);
  return res.body;
}

const until = (t: TestApp, token: string, id: string, status: string) =>
  waitFor(async () => {
    const job = await statusOf(t, token, id);
    return job.status === status ? job : undefined;
  }, 30_000, `job ${id} to be ${status}`);

describe('job lifecycle with the in-process runner and the real executor', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({ runJobs: true });
    token = await t.login('runner');
  });
  after(() => t.close());

  it('runs created → queued → running → finished, with results behind signed links and logs', async () => {
    const created = await request(t.app).post('/jobs').set('Authorization', token).send(addJob).expect(201);
    const id = created.headers['openeo-identifier'];
    const start = await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    assertOfficialResponse(start);
    const job = await until(t, token, id, 'finished');
    assert.equal(job.progress, 100);
    for (const k of ['created', 'queued', 'started', 'finished']) assert.match(job[k], /Z$/, k);
    assert.ok(job.queued <= job.started && job.started <= job.finished);
    const results = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', token).expect(200);
    assertOfficialResponse(results);
    assert.equal(results.body.properties['openeo:status'], 'finished');
    assert.ok(Date.parse(results.body.properties.expires) > Date.now());
    assert.match(results.headers['content-type'], /^application\/json/);
    // GeoJSON by content negotiation, as the API offers it
    const geo = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', token).set('Accept', 'application/geo+json').expect(200);
    assert.match(geo.headers['content-type'], /^application\/geo\+json/);
    assert.equal(JSON.parse(geo.text).id, results.body.id);
    const canonical = results.body.links.find((l: { rel: string }) => l.rel === 'canonical');
    assert.ok(canonical, 'canonical link');
    const assets = Object.values(results.body.assets) as { href: string; type: string; roles: string[] }[];
    assert.equal(assets.length, 1);
    assert.equal(assets[0].type, 'application/json');
    // Signed links work without any Authorization header.
    const file = await request(t.app).get(new URL(assets[0].href).pathname).expect(200);
    assert.equal(JSON.parse(file.text), 42);
    const doc = await request(t.app).get(new URL(canonical.href).pathname).expect(200);
    assert.equal(doc.body.id, id);

    const logs = await request(t.app).get(`/jobs/${id}/logs`).set('Authorization', token).expect(200);
    assertOfficialResponse(logs);
    const messages = logs.body.logs.map((l: { message: string }) => l.message);
    assert.ok(messages.some((m: string) => /started/i.test(m)) && messages.some((m: string) => /finished/i.test(m)));
    const page1 = await request(t.app).get(`/jobs/${id}/logs?limit=1`).set('Authorization', token).expect(200);
    assert.equal(page1.body.logs.length, 1);
    const next = page1.body.links.find((l: { rel: string }) => l.rel === 'next');
    assert.ok(next, 'next link when more logs exist');
    const page2 = await request(t.app).get(new URL(next.href).pathname + new URL(next.href).search).set('Authorization', token).expect(200);
    assert.notEqual(page2.body.logs[0].id, page1.body.logs[0].id);
    const errorsOnly = await request(t.app).get(`/jobs/${id}/logs?level=error`).set('Authorization', token).expect(200);
    assert.deepEqual(errorsOnly.body.logs, []);

    // A restart discards the old run: its links stop working and a new run finishes.
    const oldHref = new URL(assets[0].href).pathname;
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    const gone = await request(t.app).get(oldHref);
    assert.equal(gone.status, 410);
    assert.equal(gone.body.code, 'ResultLinkExpired');
    await until(t, token, id, 'finished');
  });

  it('ends a failing job in error; results answer 424 with the error log entry', async () => {
    const created = await request(t.app).post('/jobs').set('Authorization', token).send(failingJob).expect(201);
    const id = created.headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    await until(t, token, id, 'error');
    const res = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', token).expect(424);
    assertOfficialResponse(res);
    assert.equal(res.body.level, 'error');
    assert.ok(res.body.code);
    assert.match(res.body.message, /\S/);
    const logs = await request(t.app).get(`/jobs/${id}/logs?level=error`).set('Authorization', token).expect(200);
    assert.equal(logs.body.logs.length, 1);
  });

  it('honours log_level: a job at "error" keeps no info entries', async () => {
    const created = await request(t.app).post('/jobs').set('Authorization', token).send({ ...addJob, log_level: 'error' }).expect(201);
    const id = created.headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    await until(t, token, id, 'finished');
    const logs = await request(t.app).get(`/jobs/${id}/logs`).set('Authorization', token).expect(200);
    assert.deepEqual(logs.body.logs, []);
    assert.equal(logs.body.level, 'error');
  });

  it('refuses tampered and forged result links', async () => {
    const created = await request(t.app).post('/jobs').set('Authorization', token).send(addJob).expect(201);
    const id = created.headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    await until(t, token, id, 'finished');
    const results = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', token).expect(200);
    const href = new URL((Object.values(results.body.assets)[0] as { href: string }).href).pathname;
    const [, , tok, ...rest] = href.split('/');
    const [jobId, run, expires, mac] = tok.split('.');
    const tampered = [
      `${jobId}.${run}.${Number(expires) + 1000}.${mac}`,
      `${jobId}.${Number(run) + 1}.${expires}.${mac}`,
      `${jobId}.${run}.${expires}.${mac.slice(0, -2)}AA`,
      'garbage',
    ];
    for (const bad of tampered) {
      const res = await request(t.app).get(`/results/${bad}/${rest.join('/')}`);
      assert.equal(res.status, 403, bad);
      assert.equal(res.body.code, 'ResultLinkInvalid');
    }
    const expired = t.ctx.signer.sign({ jobId, run: Number(run), expires: Math.floor(Date.now() / 1000) - 10 });
    const res = await request(t.app).get(`/results/${expired}/${rest.join('/')}`);
    assert.equal(res.status, 410);
    assert.equal(res.body.code, 'ResultLinkExpired');
    const traversal = await request(t.app).get(`/results/${tok}/..%2F..%2Fsigning-secret`);
    assert.equal(traversal.status, 404);
  });
});

describe('job state machine while queued (no runner)', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({ runJobs: false });
    token = await t.login('queued');
  });
  after(() => t.close());

  it('queued: start is a no-op, PATCH is locked, results not finished, cancel → canceled, restartable', async () => {
    const id = (await request(t.app).post('/jobs').set('Authorization', token).send(addJob).expect(201)).headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    const queued = await statusOf(t, token, id);
    assert.equal(queued.status, 'queued');
    assert.equal(queued.progress, 0);
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    assert.equal((await statusOf(t, token, id)).status, 'queued');
    const locked = await request(t.app).patch(`/jobs/${id}`).set('Authorization', token).send({ title: 'x' }).expect(400);
    assert.equal(locked.body.code, 'JobLocked');
    assertOfficialResponse(locked);
    const notFinished = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', token).expect(400);
    assert.equal(notFinished.body.code, 'JobNotFinished');
    const partial = await request(t.app).get(`/jobs/${id}/results?partial=true`).set('Authorization', token).expect(200);
    // The status of partial results is an Item property (the spec's batch_job_result), required with `partial`.
    assert.equal(partial.body.properties['openeo:status'], 'running');
    assertOfficialResponse(partial);
    // `partial` allows an empty value, as the API declares it
    for (const q of ['partial', 'partial=']) {
      assert.equal((await request(t.app).get(`/jobs/${id}/results?${q}`).set('Authorization', token).expect(200)).body.properties['openeo:status'], 'running', q);
    }
    await request(t.app).delete(`/jobs/${id}/results`).set('Authorization', token).expect(204);
    assert.equal((await statusOf(t, token, id)).status, 'canceled');
    const canceled = await request(t.app).get(`/jobs/${id}/results?partial=true`).set('Authorization', token).expect(200);
    assert.equal(canceled.body.properties['openeo:status'], 'canceled');
    await request(t.app).patch(`/jobs/${id}`).set('Authorization', token).send({ title: 'editable again' }).expect(204);
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    assert.equal((await statusOf(t, token, id)).status, 'queued');
  });

  it('limits queued and running jobs per user', async () => {
    const t2 = await createTestApp({ runJobs: false, env: { LIMIT_JOBS_PER_USER: '2' } });
    try {
      const tok = await t2.login('limited');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await request(t2.app).post('/jobs').set('Authorization', tok).send(addJob).expect(201)).headers['openeo-identifier']);
      await request(t2.app).post(`/jobs/${ids[0]}/results`).set('Authorization', tok).expect(202);
      await request(t2.app).post(`/jobs/${ids[1]}/results`).set('Authorization', tok).expect(202);
      const res = await request(t2.app).post(`/jobs/${ids[2]}/results`).set('Authorization', tok).expect(429);
      assert.equal(res.body.code, 'TooManyRequests');
      assert.equal((await statusOf(t2, tok, ids[2])).status, 'created');
    } finally {
      await t2.close();
    }
  });
});

describe('log entries on the embedded database', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({ runJobs: true, embedded: true });
    token = await t.login('lite');
  });
  after(() => t.close());

  it('have string ids in the logs and in the 424 of a failed job, and page by offset', async () => {
    const ok = (await request(t.app).post('/jobs').set('Authorization', token).send({ ...addJob, log_level: 'debug' }).expect(201)).headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${ok}/results`).set('Authorization', token).expect(202);
    await until(t, token, ok, 'finished');
    const all = await request(t.app).get(`/jobs/${ok}/logs`).set('Authorization', token).expect(200);
    assertOfficialResponse(all);
    assert.ok(all.body.logs.length >= 2);
    for (const l of all.body.logs) assert.equal(typeof l.id, 'string', JSON.stringify(l));
    const page1 = await request(t.app).get(`/jobs/${ok}/logs?limit=1`).set('Authorization', token).expect(200);
    const next = page1.body.links.find((l: { rel: string }) => l.rel === 'next');
    assert.equal(new URL(next.href).searchParams.get('offset'), page1.body.logs[0].id);
    const rest = await request(t.app).get(`/jobs/${ok}/logs?offset=${page1.body.logs[0].id}`).set('Authorization', token).expect(200);
    assert.deepEqual(rest.body.logs, all.body.logs.slice(1));

    const failed = (await request(t.app).post('/jobs').set('Authorization', token).send(failingJob).expect(201)).headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${failed}/results`).set('Authorization', token).expect(202);
    await until(t, token, failed, 'error');
    const res = await request(t.app).get(`/jobs/${failed}/results`).set('Authorization', token).expect(424);
    assertOfficialResponse(res);
    assert.equal(typeof res.body.id, 'string');
  });
});

describe('the per-user job limit under parallel starts', () => {
  for (const embedded of [false, true]) {
    it(`lets exactly the limit of parallel starts through (${embedded ? 'embedded PGlite' : 'Postgres'})`, async () => {
      const t2 = await createTestApp({ runJobs: false, embedded, env: { LIMIT_JOBS_PER_USER: '10' } });
      try {
        const tok = await t2.login('racer');
        const ids: string[] = [];
        for (let i = 0; i < 16; i++) ids.push((await request(t2.app).post('/jobs').set('Authorization', tok).send(addJob).expect(201)).headers['openeo-identifier']);
        // Every start counted the active jobs before any of them was queued: 12 of 16 got through a limit of 10.
        const starts = await Promise.all(ids.map((id) => request(t2.app).post(`/jobs/${id}/results`).set('Authorization', tok)));
        const statuses = starts.map((r) => r.status);
        assert.equal(statuses.filter((s) => s === 202).length, 10, JSON.stringify(statuses));
        assert.equal(statuses.filter((s) => s === 429).length, 6, JSON.stringify(statuses));
        for (const r of starts.filter((r) => r.status === 429)) assert.equal(r.body.code, 'TooManyRequests');
        const jobs = (await request(t2.app).get('/jobs').set('Authorization', tok).expect(200)).body.jobs as { status: string }[];
        assert.equal(jobs.filter((j) => j.status === 'queued').length, 10);
        assert.equal(jobs.filter((j) => j.status === 'created').length, 6);
      } finally {
        await t2.close();
      }
    });
  }
});

/** Holds every run until it is aborted, so that the running state can be observed and canceled. */
class HoldingExecutor implements JobExecutor {
  started = 0;
  async execute(e: JobExecution): Promise<JobOutcome> {
    this.started++;
    await e.progress(37);
    await new Promise((_resolve, reject) => e.signal.addEventListener('abort', () => reject(e.signal.reason), { once: true }));
    throw new Error('unreachable');
  }
  async discardResults(): Promise<void> {
    // Nothing is ever written by this executor.
  }
}

describe('canceling a running job', () => {
  let t: TestApp;
  let token: string;
  let holder: HoldingExecutor;
  before(async () => {
    holder = new HoldingExecutor();
    t = await createTestApp({ runJobs: true, parts: { executor: holder } });
    token = await t.login('canceler');
  });
  after(() => t.close());

  it('running → canceled stops the run and keeps the job canceled', async () => {
    const id = (await request(t.app).post('/jobs').set('Authorization', token).send(addJob).expect(201)).headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    const running = await until(t, token, id, 'running');
    await waitFor(async () => ((await statusOf(t, token, id)).progress === 37 ? true : undefined));
    assert.ok(running.created);
    const partial = await request(t.app).get(`/jobs/${id}/results?partial=true`).set('Authorization', token).expect(200);
    assertOfficialResponse(partial);
    assert.equal(partial.body.properties['openeo:status'], 'running');
    const locked = await request(t.app).patch(`/jobs/${id}`).set('Authorization', token).send({ title: 'x' }).expect(400);
    assert.equal(locked.body.code, 'JobLocked');
    await request(t.app).delete(`/jobs/${id}/results`).set('Authorization', token).expect(204);
    await waitFor(async () => (t.ctx.runner!.running === 0 ? true : undefined), 5000, 'runner to stop the job');
    const job = await statusOf(t, token, id);
    assert.equal(job.status, 'canceled');
    const logs = await request(t.app).get(`/jobs/${id}/logs`).set('Authorization', token).expect(200);
    assert.ok(logs.body.logs.some((l: { message: string }) => /canceled/i.test(l.message)));
  });
});
