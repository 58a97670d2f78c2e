/**
 * Distributed execution: the flood job on the medium demo collection run by 1 and by 2 worker processes (one
 * chunk task at a time each) on one Postgres, and the queue overhead per chunk task against a local run of the same
 * job in one process with one thread. Needs PostgreSQL (TEST_DATABASE_ADMIN_URL, default local trust auth).
 * Run: `node --import tsx bench/distributed.ts` (after `npm run bench` generated /tmp/openeo-bench-medium).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app.ts';
import { hashPassword } from '../src/auth/passwords.ts';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { createPasswordUser } from '../src/db/users.ts';
import { createTestDatabase } from '../test/helpers/database.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(tmpdir(), 'openeo-bench-medium');
if (!existsSync(path.join(root, 'demo', 'gfm', 'collection.json'))) throw new Error('run `npm run bench` first (it generates the medium demo data)');
const graph = JSON.parse(readFileSync(path.join(here, '../process-graphs/gfm-flood-monthly.json'), 'utf8'));
const CHUNK = 1024;
graph.process.process_graph.save.arguments.options.chunk_size = CHUNK;

async function run(mode: 'local' | 'distributed', workers: number): Promise<number> {
  const db = await createTestDatabase();
  const env = {
    DATABASE_URL: db.url,
    SIGNING_SECRET: 'bench-signing-secret-0123456789',
    DATA_DIR: root,
    STORAGE_URL: path.join(root, `results-${mode}-${workers}`),
    LOG_LEVEL: 'silent',
    EXECUTION_MODE: mode,
    CHUNK_THREADS: '1',
  };
  const ctx = await createContext(loadConfig({ ...process.env, ...env }), { runJobs: mode === 'local', logger: pino({ level: 'silent' }) });
  const procs = [];
  for (let i = 0; i < (mode === 'distributed' ? workers : 0); i++) {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(here, '../test/distributed/worker-process.ts')], {
      env: { ...process.env, ...env, CHUNKS_PER_TASK: '4' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => p.stdout!.on('data', (d: Buffer) => String(d).includes('ready') && resolve()));
    procs.push(p);
  }
  const app = createApp(ctx);
  await createPasswordUser(ctx.db, 'bench', await hashPassword('bench-password'));
  const auth = `Bearer basic//${(await request(app).get('/credentials/basic').auth('bench', 'bench-password')).body.access_token}`;
  const t0 = performance.now();
  const id = (await request(app).post('/jobs').set('Authorization', auth).send(graph)).headers['openeo-identifier'];
  await request(app).post(`/jobs/${id}/results`).set('Authorization', auth);
  let status = '';
  while (!['finished', 'error'].includes(status)) {
    await new Promise((r) => setTimeout(r, 100));
    status = (await request(app).get(`/jobs/${id}`).set('Authorization', auth)).body.status;
  }
  const ms = performance.now() - t0;
  if (status !== 'finished') throw new Error(`${mode}/${workers}: job ${status}`);
  for (const p of procs) p.kill('SIGTERM');
  await ctx.close();
  await db.drop();
  return ms;
}

const local = await run('local', 1);
const one = await run('distributed', 1);
const two = await run('distributed', 2);
const chunks = Math.ceil(9936 / CHUNK) * Math.ceil(10030 / CHUNK);
const tasks = Math.ceil(chunks / 4) + 2;
process.stdout.write(
  [
    `flood job, medium demo, ${chunks} chunks of ${CHUNK} px in ${tasks} queue tasks`,
    `local, 1 thread:            ${(local / 1000).toFixed(2)} s`,
    `distributed, 1 worker:      ${(one / 1000).toFixed(2)} s`,
    `distributed, 2 workers:     ${(two / 1000).toFixed(2)} s  → throughput ratio 2 vs 1 workers: ${(one / two).toFixed(2)}`,
    `queue overhead per task:    ${(((one - local) / tasks)).toFixed(0)} ms (1 worker vs local, same thread count${one < local ? '; negative = below the noise of this machine' : ''})`,
  ].join('\n') + '\n',
);
process.exit(0);
