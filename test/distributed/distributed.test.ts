/**
 * Distributed runs end to end: the API in this process, two worker processes on the same Postgres and results
 * folder. An undisturbed run, a run with one worker SIGKILLed mid-job (same bytes), and a canceled run.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import request from 'supertest';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.ts';
import { floodJob } from '../e2e/flood-helpers.ts';
import { assertSameFiles, Cluster, type ZarrFile } from './cluster.ts';

describe('distributed job runs', { timeout: 240_000 }, () => {
  let t: TestApp;
  let c: Cluster;

  const body = () => floodJob('gfm-flood-monthly.json', { chunk_size: 512 });
  let reference: Map<string, ZarrFile>;

  before(async () => {
    t = await createTestApp({ env: { CHUNK_THREADS: '0', EXECUTION_MODE: 'distributed' } });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    // one running job per user: a user's next job waits, other users' jobs run alongside
    c = new Cluster(t, await t.login('scientist'), { LIMIT_RUNNING_JOBS_PER_USER: '1' });
    await Promise.all([c.startWorker(), c.startWorker()]);
  });

  after(async () => {
    await c?.killAll();
    await t?.close();
  });

  it('runs a job over two worker processes', async () => {
    const id = await c.submit(body());
    assert.equal(await c.waitEnd(id), 'finished');
    const { done, total } = await c.doneChunks(id);
    assert.ok(total >= 8, `many chunks (${total})`);
    assert.equal(done, total);
    const { usage } = (await request(t.app).get(`/jobs/${id}`).set('Authorization', c.token).expect(200)).body;
    // summed over the chunks, whichever worker wrote them
    assert.ok(usage.cpu.value > 0 && usage.input.value > 100_000 && usage.output.value > 10_000, JSON.stringify(usage));
    const res = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', c.token).expect(200);
    assert.ok(res.body.assets['result.zarr'], `assets: ${Object.keys(res.body.assets)}`);
    reference = await c.zarrFiles(id);
    assert.ok(reference.size > total, `chunk files and metadata (${reference.size})`);
  });

  it('finishes with identical bytes when a worker is SIGKILLed mid-job', async (ctx) => {
    const victim = c.workers[0];
    const id = await c.submit(body());
    // killed while it holds a chunk task of this job (its second one, so that some chunks are done)
    await waitFor(async () => (victim.lines.filter((l) => l === `task openeo_run_chunks ${id}`).length >= 2 ? true : undefined), 60_000, 'a chunk task on the victim');
    victim.proc.kill('SIGKILL');
    const killed = Date.now();
    const before = await c.doneChunks(id);
    assert.ok(before.done < before.total, `killed mid-job (${before.done}/${before.total})`);
    assert.equal(await c.waitEnd(id), 'finished');
    ctx.diagnostic(`finished ${Date.now() - killed} ms after the kill`);
    assertSameFiles(await c.zarrFiles(id), reference);
    // the killed worker's task came back through its lease: a second attempt ran it
    const retried = await sql<{ n: string }>`select count(*) as n from pgboss.job
      where name = 'openeo_run_chunks' and data->>'jobId' = ${id} and retry_count > 0`.execute(t.ctx.db);
    assert.ok(Number(retried.rows[0].n) >= 1, 'a chunk task was taken over after the lease ran out');
    await c.startWorker();
  });

  it('stops writing chunks within seconds of a cancel', async () => {
    const id = await c.submit(body());
    await waitFor(async () => {
      const chunks = await c.doneChunks(id);
      return chunks.total > 0 && chunks.done >= 1 ? true : undefined;
    }, 60_000, 'the first chunks');
    await request(t.app).delete(`/jobs/${id}/results`).set('Authorization', c.token).expect(204);
    const acknowledged = Date.now();
    assert.equal(await c.status(id), 'canceled');
    const chunks = await c.doneChunks(id);
    assert.ok(chunks.done < chunks.total, `canceled mid-job (${chunks.done}/${chunks.total})`);
    await new Promise((r) => setTimeout(r, 8000));
    for (const [k, v] of await c.zarrFiles(id)) assert.ok(v.mtimeMs <= acknowledged + 5000, `${k} written ${v.mtimeMs - acknowledged} ms after the cancel`);
    assert.equal(await c.status(id), 'canceled');
  });

  it('drains a worker on SIGTERM: its task is finished, not lost to a lease', async () => {
    const id = await c.submit(body());
    const holder = await waitFor(async () => c.workers.find((w) => w.proc.exitCode === null && w.lines.includes(`task openeo_run_chunks ${id}`)), 60_000, 'a chunk task of the job');
    holder.proc.kill('SIGTERM');
    assert.equal(await holder.exited, 0, 'the worker exits cleanly');
    assert.equal(await c.waitEnd(id), 'finished');
    const retried = await sql<{ n: string }>`select count(*) as n from pgboss.job
      where data->>'jobId' = ${id} and retry_count > 0`.execute(t.ctx.db);
    assert.equal(Number(retried.rows[0].n), 0, 'no task of the job had to be retried');
    await c.startWorker();
  });

  it("interleaves users: a user's second job waits for the first, another user's job runs alongside", async () => {
    const other = await t.login('hydrologist');
    const first = await c.submit(body());
    const second = await c.submit(body());
    const created = await request(t.app).post('/jobs').set('Authorization', other).send(body()).expect(201);
    const third = created.headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${third}/results`).set('Authorization', other).expect(202);
    for (const id of [first, second]) assert.equal(await c.waitEnd(id), 'finished');
    await waitFor(async () => {
      const s = (await request(t.app).get(`/jobs/${third}`).set('Authorization', other).expect(200)).body.status;
      return s === 'finished' ? s : undefined;
    }, 150_000, 'the other user\'s job');
    const times = async (id: string, auth: string) => {
      const j = (await request(t.app).get(`/jobs/${id}`).set('Authorization', auth).expect(200)).body;
      return { started: Date.parse(j.started), finished: Date.parse(j.finished) };
    };
    const [a, b, o] = [await times(first, c.token), await times(second, c.token), await times(third, other)];
    assert.ok(b.started >= a.finished, `the second job started ${b.started - a.finished} ms before the first finished`);
    assert.ok(o.started < a.finished, 'the other user did not wait for the first job');
    const logs = await request(t.app).get(`/jobs/${second}/logs`).set('Authorization', c.token).expect(200);
    assert.ok(logs.body.logs.some((l: { message: string }) => /started/i.test(l.message)));
  });
});
