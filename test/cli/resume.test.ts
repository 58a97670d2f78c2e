/**
 * A job whose process dies goes on from its last written chunk: a `worker` (local mode) is SIGKILLed mid-job, and a
 * second one notices the missing heartbeat, resumes the run without recomputing the written chunks, and finishes
 * with the bytes of an undisturbed run.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { distDb } from '../../src/distributed/schema.ts';
import { assertSameFiles, Cluster } from '../distributed/cluster.ts';
import { floodJob } from '../e2e/flood-helpers.ts';
import { createTestApp, sharedEnv, waitFor, type TestApp } from '../helpers/app.ts';

const BIN = fileURLToPath(new URL('../../bin/openeo-backend.js', import.meta.url));

describe('resuming a job after its process died (local mode)', { timeout: 300_000 }, () => {
  let t: TestApp;
  let c: Cluster;
  const workers: ChildProcess[] = [];

  function startWorker(extra: Record<string, string> = {}): ChildProcess {
    const env = sharedEnv(t, { CHUNK_THREADS: '1', CHUNKS_PER_TASK: '1', ...extra });
    const w = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    workers.push(w);
    return w;
  }

  const chunkMarks = (id: string) =>
    distDb(t.ctx.db).selectFrom('job_chunks').select(['idx', 'done_at']).where('job_id', '=', id).orderBy('idx').execute();

  before(async () => {
    t = await createTestApp({ runJobs: false });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    c = new Cluster(t, await t.login('scientist'));
  });
  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await t.close();
  });

  it('goes on from the last written chunk and writes the bytes of an undisturbed run', async () => {
    const body = floodJob('gfm-flood-monthly.json', { chunk_size: 256 });
    const first = startWorker();
    const id = await c.submit(body);
    const before = await waitFor(async () => {
      const marks = await chunkMarks(id);
      return marks.filter((m) => m.done_at).length >= 3 ? marks : undefined;
    }, 120_000, 'the first chunks');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const written = new Map((await chunkMarks(id)).filter((m) => m.done_at).map((m) => [m.idx, m.done_at!.valueOf()]));
    assert.ok(written.size < before.length, `killed mid-job (${written.size}/${before.length})`);

    startWorker({ JOB_STALE_SECONDS: '2' });
    assert.equal(await c.waitEnd(id), 'finished');
    const after = await chunkMarks(id);
    assert.ok(after.every((m) => m.done_at));
    for (const m of after) if (written.has(m.idx)) assert.equal(m.done_at!.valueOf(), written.get(m.idx), `chunk ${m.idx} was written again`);
    const logs = (await request(t.app).get(`/jobs/${id}/logs`).set('Authorization', c.token).expect(200)).body.logs as { level: string; code?: string; message: string }[];
    assert.ok(logs.some((l) => l.level === 'warning' && l.code === 'JobResumed'), JSON.stringify(logs));
    assert.ok(logs.some((l) => /Resuming the run: \d+ of \d+ chunk/.test(l.message)), JSON.stringify(logs));

    const reference = await c.submit(body);
    assert.equal(await c.waitEnd(reference), 'finished');
    assertSameFiles(await c.zarrFiles(id), await c.zarrFiles(reference));
  });
});
