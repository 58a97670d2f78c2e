/**
 * The embedded database folder belongs to one process: a second process is refused with a message saying which
 * process holds it, a lock left by a dead process is taken over, and closing releases it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { openDatabase } from '../../src/db/database.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'embedded-lock-'));
const lockFile = path.join(dataDir, 'pglite.lock');
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('a second process is refused while the first holds the embedded database; closing releases it', async () => {
  const other = spawn('sleep', ['60']);
  try {
    writeFileSync(lockFile, String(other.pid));
    // an open that wrongly succeeds is closed again, so that the failure is an assertion and not a hang
    const outcome = await openDatabase({ dataDir }).then(
      (h) => h.close().then(() => 'opened'),
      (e: Error) => e,
    );
    assert.ok(outcome instanceof Error, 'the second process was let in');
    assert.match(outcome.message, new RegExp(`in use by process ${other.pid}`));
    assert.match(outcome.message, /DATABASE_URL/);
    assert.equal(readFileSync(lockFile, 'utf8'), String(other.pid), 'the holder keeps its lock');
  } finally {
    other.kill();
  }
});

test('a lock left by a process that is gone is taken over, and released on close', async () => {
  const gone = spawnSync('true').pid!;
  writeFileSync(lockFile, String(gone));
  const handle = await openDatabase({ dataDir });
  try {
    assert.equal(readFileSync(lockFile, 'utf8'), String(process.pid));
    const r = await handle.db.selectNoFrom((eb) => eb.val(1).as('one')).executeTakeFirstOrThrow();
    assert.equal(Number(r.one), 1);
  } finally {
    await handle.close();
  }
  assert.equal(existsSync(lockFile), false);
});
