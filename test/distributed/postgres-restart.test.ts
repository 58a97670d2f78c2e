/**
 * The database restarts in the middle of a distributed job: the API, a worker process and the queue all lose their
 * connections, and the job must still finish, with the same bytes as an undisturbed run. Runs on a Postgres server
 * of its own (the shared one serves the other test files meanwhile).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.ts';
import { startOwnPostgres, type OwnPostgres } from '../helpers/own-postgres.ts';
import { floodJob } from '../e2e/flood-helpers.ts';
import { assertSameFiles, Cluster } from './cluster.ts';

describe('a Postgres restart during a distributed job', { timeout: 300_000 }, () => {
  let pg: OwnPostgres;
  let t: TestApp;
  let c: Cluster;

  before(async () => {
    pg = await startOwnPostgres();
    t = await createTestApp({ env: { CHUNK_THREADS: '0', EXECUTION_MODE: 'distributed', DATABASE_URL: pg.url } });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    c = new Cluster(t, await t.login('scientist'), { CHUNKS_PER_TASK: '1', CHUNK_THREADS: '1', WORKER_LOG_LEVEL: 'fatal' });
    await c.startWorker();
  });

  after(async () => {
    await c?.killAll();
    await t?.close();
    await pg?.stop();
  });

  it('finishes the job with the bytes of an undisturbed run', async (ctx) => {
    const body = floodJob('gfm-flood-monthly.json', { chunk_size: 256 });
    const reference = await c.zarrFiles(await finished(await c.submit(body)));

    const id = await c.submit(body);
    await waitFor(async () => {
      const chunks = await c.doneChunks(id);
      return chunks.done >= 2 ? chunks : undefined;
    }, 60_000, 'the first chunks');
    const before = await c.doneChunks(id);
    assert.ok(before.done < before.total, `restarted mid-job (${before.done}/${before.total})`);
    await pg.restart(3000);
    const restarted = Date.now();
    assert.equal(await c.waitEnd(id, true), 'finished');
    ctx.diagnostic(`finished ${Date.now() - restarted} ms after the restart (${before.done}/${before.total} chunks were done before)`);
    const after = await c.doneChunks(id);
    assert.equal(after.done, after.total);
    assertSameFiles(await c.zarrFiles(id), reference);
    const logs = await request(t.app).get(`/jobs/${id}/logs`).set('Authorization', c.token).expect(200);
    assert.ok(!logs.body.logs.some((l: { level: string }) => l.level === 'error'), JSON.stringify(logs.body.logs));
  });

  async function finished(id: string): Promise<string> {
    assert.equal(await c.waitEnd(id), 'finished');
    return id;
  }
});
