import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import pino from 'pino';
import { createApp } from '../../src/app.ts';
import { hashPassword } from '../../src/auth/passwords.ts';
import { loadConfig } from '../../src/config.ts';
import { createContext, type AppContext, type ContextOptions } from '../../src/context.ts';
import { createPasswordUser } from '../../src/db/users.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestApp {
  ctx: AppContext;
  app: Express;
  dataDir: string;
  /** Creates a user with a password and returns a ready `Authorization` header value. */
  login(name: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions extends Omit<ContextOptions, 'logger'> {
  env?: Record<string, string>;
  /** Use the embedded database instead of a fresh real Postgres database. */
  embedded?: boolean;
}

export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'openeo-test-'));
  let database: TestDatabase | undefined;
  if (!opts.embedded) database = await createTestDatabase();
  const config = loadConfig({
    DATA_DIR: dataDir,
    PUBLIC_URL: 'http://openeo.test',
    SIGNING_SECRET: 'test-signing-secret-0123456789',
    LOG_LEVEL: 'silent',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...opts.env,
  });
  const ctx = await createContext(config, { ...opts, logger: pino({ level: 'silent' }) });
  const app = createApp(ctx);
  return {
    ctx,
    app,
    dataDir,
    async login(name, password = 'correct horse battery') {
      await createPasswordUser(ctx.db, name, await hashPassword(password));
      const res = await request(app).get('/credentials/basic').auth(name, password);
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return `Bearer basic//${res.body.access_token}`;
    },
    async close() {
      await ctx.close();
      await database?.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The environment of a child process (e.g. a `worker`) on the test app's database, data folder, store and secret. */
export function sharedEnv(t: TestApp, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: t.ctx.config.databaseUrl!,
    SIGNING_SECRET: t.ctx.config.signingSecret,
    DATA_DIR: t.dataDir,
    STORAGE_URL: t.ctx.config.storageUrl,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}
