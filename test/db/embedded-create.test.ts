/**
 * A new embedded database is created in a child process (initdb), so that the WebAssembly memory initdb leaves
 * behind is not in the server's process; the database it creates is the one the server then opens and keeps.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'embedded-create-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('a new embedded database is created outside this process, and what is written to it stays', async () => {
  const before = process.memoryUsage().external;
  const first = await openDatabase({ dataDir });
  // the running instance's memory is ~150 MB; created in this process, initdb's instance added ~450 MB more
  const grown = process.memoryUsage().external - before;
  try {
    assert.ok(existsSync(path.join(dataDir, 'pglite', 'PG_VERSION')));
    assert.ok(grown < 300e6, `external memory grew by ${(grown / 1e6).toFixed(0)} MB on opening a new embedded database`);
    await sql`create table kept (v int)`.execute(first.db);
    await sql`insert into kept values (42)`.execute(first.db);
  } finally {
    await first.close();
  }
  const again = await openDatabase({ dataDir });
  try {
    const { rows } = await sql<{ v: number }>`select v from kept`.execute(again.db);
    assert.deepEqual(rows.map((r) => Number(r.v)), [42]);
  } finally {
    await again.close();
  }
});
