/**
 * Distributed runs end to end: the API in this process, two worker processes on the same Postgres and results
 * folder. An undisturbed run, a run with one worker SIGKILLed mid-job (same bytes), and a canceled run.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import request from 'supertest';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { distDb } from '../../src/distributed/schema.ts';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.ts';
import { floodJob } from '../e2e/flood-helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER_SCRIPT = path.join(here, 'worker-process.ts');

interface Worker {
  proc: ChildProcess;
  exited: Promise<number | null>;
  /** Lines the worker printed (`ready`, `task <queue> <jobId>`). */
  lines: string[];
}

describe('distributed job runs', { timeout: 240_000 }, () => {
  let t: TestApp;
  let token: string;
  const workers: Worker[] = [];

  function startWorker(): Promise<Worker> {
    const proc = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
      env: { ...process.env, DATA_DIR: t.dataDir, DATABASE_URL: t.ctx.config.databaseUrl!, LOG_LEVEL: 'warn', SIGNING_SECRET: 'test-signing-secret-0123456789', CHUNKS_PER_TASK: '2' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const w: Worker = { proc, exited, lines: [] };
    workers.push(w);
    return new Promise((resolve, reject) => {
      proc.stdout!.setEncoding('utf8');
      proc.stdout!.on('data', (text: string) => {
        w.lines.push(...text.split('\n').filter(Boolean));
        if (w.lines.includes('ready')) resolve(w);
      });
      proc.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
  }

  async function submit(body: unknown): Promise<string> {
    const created = await request(t.app).post('/jobs').set('Authorization', token).send(body as object).expect(201);
    const id = created.headers['openeo-identifier'];
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    // The API (EXECUTION_MODE=distributed) put the job on the queue; the workers take it from there.
    return id;
  }

  async function status(id: string): Promise<string> {
    const j = await request(t.app).get(`/jobs/${id}`).set('Authorization', token).expect(200);
    return j.body.status;
  }

  async function waitEnd(id: string): Promise<string> {
    const s = await waitFor(async () => {
      const s = await status(id);
      return ['finished', 'error', 'canceled'].includes(s) ? s : undefined;
    }, 150_000, `job ${id} to end`);
    if (s === 'error') {
      const logs = await request(t.app).get(`/jobs/${id}/logs`).set('Authorization', token);
      assert.fail(`job ended in error: ${JSON.stringify(logs.body.logs)}`);
    }
    return s;
  }

  async function doneChunks(id: string): Promise<{ done: number; total: number }> {
    const rows = await distDb(t.ctx.db)
      .selectFrom('job_chunks')
      .select((eb) => [eb.fn.countAll<string>().as('total'), eb.fn.count<string>('done_at').as('done')])
      .where('job_id', '=', id)
      .executeTakeFirstOrThrow();
    return { done: Number(rows.done), total: Number(rows.total) };
  }

  /** Every file below the job's Zarr store: relative path → sha256 and mtime. */
  async function zarrFiles(id: string): Promise<Map<string, { hash: string; mtimeMs: number }>> {
    const root = path.join(t.dataDir, 'results', 'jobs', id, 'result.zarr');
    const out = new Map<string, { hash: string; mtimeMs: number }>();
    const entries = await fs.readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isFile()) continue;
      const full = path.join(e.parentPath, e.name);
      const [bytes, st] = await Promise.all([fs.readFile(full), fs.stat(full)]);
      out.set(path.relative(root, full), { hash: createHash('sha256').update(bytes).digest('hex'), mtimeMs: st.mtimeMs });
    }
    return out;
  }

  const body = () => floodJob('gfm-flood-monthly.json', { chunk_size: 512 });
  let reference: Map<string, { hash: string; mtimeMs: number }>;

  before(async () => {
    t = await createTestApp({ env: { CHUNK_THREADS: '0', EXECUTION_MODE: 'distributed' } });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    token = await t.login('scientist');
    await Promise.all([startWorker(), startWorker()]);
  });

  after(async () => {
    for (const w of workers) w.proc.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await t?.close();
  });

  it('runs a job over two worker processes', async () => {
    const id = await submit(body());
    assert.equal(await waitEnd(id), 'finished');
    const { done, total } = await doneChunks(id);
    assert.ok(total >= 8, `many chunks (${total})`);
    assert.equal(done, total);
    const res = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', token).expect(200);
    assert.ok(res.body.assets['result.zarr'], `assets: ${Object.keys(res.body.assets)}`);
    reference = await zarrFiles(id);
    assert.ok(reference.size > total, `chunk files and metadata (${reference.size})`);
  });

  it('finishes with identical bytes when a worker is SIGKILLed mid-job', async (ctx) => {
    const victim = workers[0];
    const id = await submit(body());
    // killed while it holds a chunk task of this job (its second one, so that some chunks are done)
    await waitFor(async () => (victim.lines.filter((l) => l === `task openeo_run_chunks ${id}`).length >= 2 ? true : undefined), 60_000, 'a chunk task on the victim');
    victim.proc.kill('SIGKILL');
    const killed = Date.now();
    const before = await doneChunks(id);
    assert.ok(before.done < before.total, `killed mid-job (${before.done}/${before.total})`);
    assert.equal(await waitEnd(id), 'finished');
    ctx.diagnostic(`finished ${Date.now() - killed} ms after the kill`);
    const files = await zarrFiles(id);
    // the local store writes through a temporary file and a rename; a writer killed in between leaves that behind
    for (const k of files.keys()) if (path.basename(k).startsWith('.~tmp-')) files.delete(k);
    assert.deepEqual([...files.keys()].sort(), [...reference.keys()].sort());
    for (const [k, v] of files) assert.equal(v.hash, reference.get(k)!.hash, `${k} differs from the undisturbed run`);
    // the killed worker's task came back through its lease: a second attempt ran it
    const retried = await sql<{ n: string }>`select count(*) as n from pgboss.job
      where name = 'openeo_run_chunks' and data->>'jobId' = ${id} and retry_count > 0`.execute(t.ctx.db);
    assert.ok(Number(retried.rows[0].n) >= 1, 'a chunk task was taken over after the lease ran out');
    await startWorker();
  });

  it('stops writing chunks within seconds of a cancel', async () => {
    const id = await submit(body());
    await waitFor(async () => {
      const c = await doneChunks(id);
      return c.total > 0 && c.done >= 1 ? true : undefined;
    }, 60_000, 'the first chunks');
    await request(t.app).delete(`/jobs/${id}/results`).set('Authorization', token).expect(204);
    const acknowledged = Date.now();
    assert.equal(await status(id), 'canceled');
    const c = await doneChunks(id);
    assert.ok(c.done < c.total, `canceled mid-job (${c.done}/${c.total})`);
    await new Promise((r) => setTimeout(r, 8000));
    for (const [k, v] of await zarrFiles(id)) assert.ok(v.mtimeMs <= acknowledged + 5000, `${k} written ${v.mtimeMs - acknowledged} ms after the cancel`);
    assert.equal(await status(id), 'canceled');
  });
});
