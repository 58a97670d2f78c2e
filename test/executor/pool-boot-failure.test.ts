/**
 * A thread that dies before it is given a chunk (its entry fails to load: a damaged or half-pruned bundle) must not
 * leave the pool waiting for an answer that never comes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createChunkPool } from '../../src/executor/pool.ts';
import { threadEntry } from '../../src/executor/thread-entry.ts';

const cacheDir = mkdtempSync(path.join(tmpdir(), 'pool-boot-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

it('answers a chunk even when its thread died while idle', async () => {
  const built = await threadEntry({ bundle: true, cacheDir, warn: (m) => assert.fail(m) });
  assert.equal(built.kind, 'bundle');
  // the cache checks the bundle's inputs, not the bundle: a damaged one is found and used
  writeFileSync(fileURLToPath(built.url), "throw new Error('damaged bundle');\n");
  const pool = createChunkPool(1, { storageUrl: cacheDir, s3: { region: 'us-east-1', forcePathStyle: true } } as never, { bundle: true, cacheDir });
  try {
    await sleep(1500); // the thread has loaded its entry (and died) before any chunk comes
    const chunk = pool.runChunk({ planId: 'p', plan: {} as never, prefix: 'x', window: { x0: 0, y0: 0, width: 1, height: 1 } as never }, new AbortController().signal);
    const outcome = await Promise.race([chunk.then(() => 'resolved', () => 'rejected'), sleep(5000).then(() => 'no answer')]);
    assert.notEqual(outcome, 'no answer');
  } finally {
    await pool.close();
  }
});

it('a thread that dies during a chunk fails that chunk and is replaced for the next', async () => {
  const pool = createChunkPool(1, { storageUrl: cacheDir, s3: { region: 'us-east-1', forcePathStyle: true } } as never, { bundle: true, cacheDir: path.join(cacheDir, 'fresh') });
  const run = () => pool.runChunk({ planId: 'p', plan: {} as never, prefix: 'x', window: { x0: 0, y0: 0, width: 1, height: 1 } as never }, new AbortController().signal);
  const answer = (p: Promise<unknown>) => Promise.race([p.then(() => 'resolved', (e: Error) => e.message), sleep(20_000).then(() => 'no answer')]);
  try {
    await answer(run()); // the thread is up
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots;
    const dying = run();
    await slots[0].worker.terminate();
    assert.match(await answer(dying), /stopped unexpectedly/);
    assert.notEqual(await answer(run()), 'no answer');
    assert.notEqual(slots[0].worker, undefined);
  } finally {
    await pool.close();
  }
});
