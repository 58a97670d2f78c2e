/**
 * Chunk marks of a run on both drivers: marking a chunk written adds its costs to the run and moves the job's
 * progress in the same statement, counts each chunk once, and never moves the progress back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrateToLatest, openDatabase, openMemoryDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { claimQueuedJob, findJobById, insertJob, queueJob, setJobProgress } from '../../src/db/jobs.ts';
import { createPasswordUser } from '../../src/db/users.ts';
import { markChunkDone, runUsage, storeRunPlan } from '../../src/distributed/run-state.ts';
import type { OutputPlan } from '../../src/executor/output-plan.ts';
import { createTestDatabase } from '../helpers/database.ts';

const process = { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } };
const stats = (cpuMs: number) => ({ ms: cpuMs + 1, cpuMs, bytesRead: 1000, bytesWritten: 10 });

function contract(name: string, open: () => Promise<{ handle: DatabaseHandle; cleanup(): Promise<void> }>) {
  describe(`chunk marks on ${name}`, () => {
    let handle: DatabaseHandle;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ handle, cleanup } = await open());
      await migrateToLatest(handle.db);
    });
    after(() => cleanup());

    /** A running job (run 1) with one output of `chunks` windows. */
    async function runningJob(user: string, chunks: number) {
      const db = handle.db;
      const u = await createPasswordUser(db, user, 'hash');
      const job = await insertJob(db, { userId: u.id, process, logLevel: 'info' });
      await queueJob(db, u.id, job.id);
      assert.equal((await claimQueuedJob(db, job.id))?.status, 'running');
      const windows = Array.from({ length: chunks }, (_, i) => ({ x0: i * 16, y0: 0, width: 16, height: 16 }));
      await storeRunPlan(db, job.id, 1, [{ prefix: `jobs/${job.id}`, plan: {} as OutputPlan, windows }]);
      return job.id;
    }
    const progressOf = async (id: string) => (await findJobById(handle.db, id))?.progress;

    it('counts each chunk once, adds every attempt to the costs and moves the progress', async () => {
      const db = handle.db;
      const id = await runningJob('marks', 4);
      assert.deepEqual(await markChunkDone(db, id, 1, 0, 2, stats(5)), { done: 1, total: 4 });
      assert.equal(await progressOf(id), 24);
      // a chunk written again (its task retried) is still one chunk; what the attempt cost is counted
      assert.deepEqual(await markChunkDone(db, id, 1, 0, 2, stats(7)), { done: 1, total: 4 });
      assert.equal(await progressOf(id), 24);
      assert.deepEqual(await markChunkDone(db, id, 1, 0, 0, stats(1)), { done: 2, total: 4 });
      assert.deepEqual(await markChunkDone(db, id, 1, 0, 3, stats(1)), { done: 3, total: 4 });
      assert.equal(await progressOf(id), 74);
      assert.deepEqual(await markChunkDone(db, id, 1, 0, 1, stats(1)), { done: 4, total: 4 });
      assert.equal(await progressOf(id), 99, 'the last percent is for writing the results');
      assert.deepEqual(await runUsage(db, id, 1), { cpuMs: 15, bytesRead: 5000, bytesWritten: 50 });
    });

    it('never moves the progress back, and leaves other runs and ended jobs alone', async () => {
      const db = handle.db;
      const id = await runningJob('order', 4);
      // a task that finished later committed first
      await setJobProgress(db, id, 1, 60);
      assert.deepEqual(await markChunkDone(db, id, 1, 0, 0, stats(1)), { done: 1, total: 4 });
      assert.equal(await progressOf(id), 60);
      // a stale run's mark changes nothing of the current run
      assert.deepEqual(await markChunkDone(db, id, 2, 0, 1, stats(1)), { done: 0, total: 0 });
      assert.equal(await progressOf(id), 60);
      assert.deepEqual(await runUsage(db, id, 1), { cpuMs: 1, bytesRead: 1000, bytesWritten: 10 });
      await db.updateTable('jobs').set({ status: 'canceled' }).where('id', '=', id).execute();
      await markChunkDone(db, id, 1, 0, 1, stats(1));
      await markChunkDone(db, id, 1, 0, 2, stats(1));
      await markChunkDone(db, id, 1, 0, 3, stats(1));
      assert.equal(await progressOf(id), 60, 'a canceled job keeps its progress');
    });
  });
}

contract('real Postgres (pg)', async () => {
  const database = await createTestDatabase();
  const handle = await openDatabase({ url: database.url, dataDir: '/nonexistent' });
  return { handle, cleanup: async () => { await handle.close(); await database.drop(); } };
});
contract('embedded PGlite (in memory)', async () => {
  const handle = await openMemoryDatabase();
  return { handle, cleanup: () => handle.close() };
});
