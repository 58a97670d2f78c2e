/**
 * A slot whose thread died idle and cannot be started again must not take chunks that a living free thread can run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createChunkPool } from '../../src/executor/pool.ts';

const cacheDir = mkdtempSync(path.join(tmpdir(), 'pool-dead-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

it('a chunk goes to a living free thread rather than failing on a dead slot that cannot be restarted', async () => {
  const pool = createChunkPool(2, { storageUrl: cacheDir, s3: { region: 'us-east-1', forcePathStyle: true } } as never, { bundle: false });
  const run = () => pool.runChunk({ planId: 'p', plan: {} as never, prefix: 'x', window: { x0: 0, y0: 0, width: 1, height: 1 } as never }, new AbortController().signal);
  const answer = (p: Promise<unknown>) => Promise.race([p.then(() => 'resolved', (e: Error) => e.message), sleep(20_000).then(() => 'no answer')]);
  const internals = pool as unknown as { slots: { worker: { terminate(): Promise<number> }; exited: boolean }[]; spawn(): unknown };
  try {
    await answer(Promise.all([run(), run()])); // both threads are up
    await internals.slots[0].worker.terminate();
    await sleep(50);
    assert.equal(internals.slots[0].exited, true);
    // no new thread can be started from now on (e.g. out of memory or thread limits)
    internals.spawn = () => {
      throw new Error('cannot start a thread');
    };
    const got = await answer(run());
    assert.notEqual(got, 'no answer');
    assert.doesNotMatch(got, /could not be started/, 'the living thread was free');
  } finally {
    await pool.close();
  }
});
