import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrateToLatest, openDatabase, openMemoryDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { cancelJob, claimQueuedJob, completeJob, failStaleJobs, findJob, insertJob, listJobs, patchJob, queueJob } from '../../src/db/jobs.ts';
import { insertLog, listLogs } from '../../src/db/job-logs.ts';
import { createPasswordUser, upsertOidcUser } from '../../src/db/users.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const process = { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } };

/** The same contract on both drivers: the embedded default must behave like the real server. */
function contract(name: string, open: () => Promise<{ handle: DatabaseHandle; cleanup(): Promise<void> }>) {
  describe(`database layer on ${name}`, () => {
    let handle: DatabaseHandle;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ handle, cleanup } = await open());
      await migrateToLatest(handle.db);
      // Migrating twice is a no-op.
      assert.deepEqual((await migrateToLatest(handle.db)).results, []);
    });
    after(() => cleanup());

    it('runs the job state machine with ownership, claims and run numbers', async () => {
      const db = handle.db;
      const u = await createPasswordUser(db, 'u1', 'hash');
      const other = await createPasswordUser(db, 'u2', 'hash');
      const job = await insertJob(db, { userId: u.id, process, logLevel: 'info', title: 'T' });
      assert.equal(job.status, 'created');
      assert.deepEqual(job.process, process);
      assert.equal(await findJob(db, other.id, job.id), undefined);
      assert.equal((await patchJob(db, other.id, job.id, { title: 'x' })).reason, 'missing');
      const queued = await queueJob(db, u.id, job.id);
      assert.equal(queued?.status, 'queued');
      assert.equal(queued?.run, 1);
      assert.equal(await queueJob(db, u.id, job.id), undefined, 'queued again is a no-op');
      assert.equal((await patchJob(db, u.id, job.id, { title: 'x' })).reason, 'locked');
      const claimed = await claimQueuedJob(db);
      assert.equal(claimed?.id, job.id);
      assert.equal(claimed?.status, 'running');
      assert.equal(await claimQueuedJob(db), undefined, 'nothing left to claim');
      await insertLog(db, job.id, 1, { level: 'info', message: 'hello' });
      await insertLog(db, job.id, 1, { level: 'error', message: 'bad', code: 'X', data: { a: 1 }, path: [{ node: 'a' }] });
      assert.equal((await listLogs(db, job.id, 1, { minLevel: 'warning', limit: 10 })).length, 1);
      const all = await listLogs(db, job.id, 1, { minLevel: 'debug', limit: 10 });
      assert.deepEqual(all.map((l) => l.message), ['hello', 'bad']);
      // bigint columns come back as strings from both drivers (PGlite's default was a number)
      assert.equal(typeof all[0].seq, 'string');
      assert.deepEqual(all[1].data, { a: 1 });
      assert.deepEqual((await listLogs(db, job.id, 1, { minLevel: 'debug', limit: 10, afterSeq: all[0].seq })).map((l) => l.message), ['bad']);
      assert.equal(await completeJob(db, job.id, 1, { status: 'finished', results: { assets: {} } }), true);
      assert.equal(await completeJob(db, job.id, 1, { status: 'error' }), false, 'a finished run cannot end twice');
      const restarted = await queueJob(db, u.id, job.id);
      assert.equal(restarted?.run, 2);
      assert.equal(restarted?.results, null);
      assert.deepEqual(await listLogs(db, job.id, 1, { minLevel: 'debug', limit: 10 }), [], 'old run logs removed');
      assert.equal((await cancelJob(db, u.id, job.id))?.status, 'canceled');
      assert.equal(await cancelJob(db, u.id, job.id), undefined);
    });

    it('pages jobs by (created, id) and declares stale running jobs lost', async () => {
      const db = handle.db;
      const u = await createPasswordUser(db, 'pager', 'hash');
      for (let i = 0; i < 5; i++) await insertJob(db, { userId: u.id, process, logLevel: 'info' });
      const first = await listJobs(db, u.id, 3);
      const last = first[first.length - 1];
      const rest = await listJobs(db, u.id, 3, { created: new Date(last.created).toISOString(), id: last.id });
      assert.equal(first.length + rest.length, 5);
      assert.equal(new Set([...first, ...rest].map((j) => j.id)).size, 5);
      const j = await insertJob(db, { userId: u.id, process, logLevel: 'info' });
      await queueJob(db, u.id, j.id);
      await claimQueuedJob(db, j.id);
      await db.updateTable('jobs').set({ updated: new Date(Date.now() - 3_600_000) }).where('id', '=', j.id).execute();
      const lost = await failStaleJobs(db, new Date(Date.now() - 60_000));
      assert.deepEqual(lost.map((x) => x.id), [j.id]);
      assert.equal(lost[0].status, 'error');
    });

    it('creates an OIDC user once per subject', async () => {
      const a = await upsertOidcUser(handle.db, 'op', 'sub-1', { email: 'a@example.org' });
      const b = await upsertOidcUser(handle.db, 'op', 'sub-1', {});
      assert.equal(a.id, b.id);
      assert.equal(a.email, 'a@example.org');
    });
  });
}

let database: TestDatabase;
contract('real Postgres (pg)', async () => {
  database = await createTestDatabase();
  const handle = await openDatabase({ url: database.url, dataDir: os.tmpdir() });
  return { handle, cleanup: async () => { await handle.close(); await database.drop(); } };
});
contract('embedded PGlite (in memory)', async () => {
  const handle = await openMemoryDatabase();
  return { handle, cleanup: () => handle.close() };
});
contract('embedded PGlite (persisted in a folder)', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pglite-'));
  const handle = await openDatabase({ dataDir: dir });
  return { handle, cleanup: async () => { await handle.close(); await fs.rm(dir, { recursive: true, force: true }); } };
});
