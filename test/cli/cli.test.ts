import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const BIN = fileURLToPath(new URL('../../bin/openeo-backend.js', import.meta.url));

function cli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('openeo-backend CLI', () => {
  let db: TestDatabase;
  let dataDir: string;
  before(async () => {
    db = await createTestDatabase();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-'));
  });
  after(async () => {
    await db.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('prints the usage for --help, also after a command, without touching the data folder', () => {
    for (const args of [['--help'], ['demo-data', '--help'], ['demo', '-h'], ['serve', '--help']]) {
      const r = cli(args, { DATA_DIR: path.join(dataDir, 'help-only') });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
      assert.match(r.out, /^openeo-backend <command>/, args.join(' '));
    }
    assert.equal(existsSync(path.join(dataDir, 'help-only')), false);
  });

  it('migrates, adds users, changes passwords and lists users on Postgres', () => {
    const env = { DATABASE_URL: db.url, SIGNING_SECRET: 'cli-test-secret-0123456789', DATA_DIR: dataDir };
    assert.equal(cli(['migrate'], env).code, 0);
    const add = cli(['users', 'add', 'scientist', 'a-long-password'], env);
    assert.equal(add.code, 0, add.err);
    assert.equal(cli(['users', 'add', 'scientist', 'another-password'], env).code, 1, 'duplicate refused');
    assert.equal(cli(['users', 'add', 'short', 'abc'], env).code, 2, 'short password refused');
    const generated = cli(['users', 'add', 'second'], env);
    assert.match(generated.out, /Password: \S{12,}/);
    assert.equal(cli(['users', 'passwd', 'scientist', 'a-new-long-password'], env).code, 0);
    assert.equal(cli(['users', 'passwd', 'nobody', 'a-new-long-password'], env).code, 1);
    const list = cli(['users', 'list'], env);
    assert.match(list.out, /^scientist\tbasic\t/m);
    assert.match(list.out, /^second\tbasic\t/m);
    assert.equal(cli(['bogus'], env).code, 2);
    const bad = cli(['migrate'], { ...env, PORT: 'eighty' });
    assert.equal(bad.code, 1);
    assert.match(bad.err, /PORT must be an integer/);
  });

  it('serves on the embedded database with a demo user and prints how to log in', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DEMO_PASSWORD: 'demo-password-123', LOG_LEVEL: 'warn' };
    delete (env as Record<string, string | undefined>).DATABASE_URL;
    const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 60_000;
      let caps: Response | undefined;
      while (!caps && Date.now() < deadline) {
        caps = await fetch(base + '/').catch(() => undefined);
        if (!caps) await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(caps, `server did not start: ${out}`);
      assert.equal(((await caps.json()) as { api_version: string }).api_version, '1.2.0');
      assert.match(out, /Created the user 'demo'/);
      assert.match(out, /curl -u 'demo:demo-password-123'/);
      const login = await fetch(base + '/credentials/basic', { headers: { Authorization: `Basic ${Buffer.from('demo:demo-password-123').toString('base64')}` } });
      assert.equal(login.status, 200);
      const { access_token } = (await login.json()) as { access_token: string };
      const me = await fetch(base + '/me', { headers: { Authorization: `Bearer basic//${access_token}` } });
      assert.equal(((await me.json()) as { name: string }).name, 'demo');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    // The embedded database persisted under the data folder.
    assert.ok((await fs.stat(path.join(dataDir, 'pglite'))).isDirectory());
  });
});
