/**
 * A thread forgets a plan when a chunk of it is aborted; the pool must then send the plan again with the plan's next
 * chunk on that thread (another task of the same plan may still be running), not assume the thread still holds it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { createChunkPool } from '../../src/executor/pool.ts';

const cacheDir = mkdtempSync(path.join(tmpdir(), 'pool-abort-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

it('after an aborted chunk, the next chunk of the same plan on that thread brings the plan along', async () => {
  const pool = createChunkPool(1, { storageUrl: cacheDir, s3: { region: 'us-east-1', forcePathStyle: true } } as never, { bundle: false });
  // an empty plan: each chunk fails in the thread, but it is known there (and the failure says so)
  const run = (signal: AbortSignal) => pool.runChunk({ planId: 'p', plan: {} as never, prefix: 'x', window: { x0: 0, y0: 0, width: 1, height: 1 } as never }, signal);
  const cause = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => String((e.cause as Error | undefined)?.message ?? e.message));
  try {
    await cause(run(new AbortController().signal)); // the thread is up and has seen the plan
    const aborted = new AbortController();
    const first = cause(run(aborted.signal));
    aborted.abort(new Error('lease lost'));
    await first;
    const next = await cause(run(new AbortController().signal));
    assert.doesNotMatch(next, /unknown plan/);
  } finally {
    await pool.close();
  }
});
