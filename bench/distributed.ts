/**
 * Distributed execution (part of `npm run bench`): the flood job run by 1 and by 2 worker processes (one thread and
 * one chunk task at a time each) on one Postgres, and the queue overhead per chunk task against the same job run in
 * one process with one thread through the in-process task queue. Needs PostgreSQL (TEST_DATABASE_ADMIN_URL, default
 * local trust auth).
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
const CHUNK = 1024;
const CHUNKS_PER_TASK = 4;

export interface DistributedFigures {
  localMs: number;
  oneWorkerMs: number;
  twoWorkersMs: number;
  chunks: number;
  tasks: number;
}

/** `root` holds the demo collection (demo/gfm) the job reads; `shape` is the job's output grid [height, width]. */
export async function runDistributedBench(root: string, shape: [number, number]): Promise<DistributedFigures> {
  if (!existsSync(path.join(root, 'demo', 'gfm', 'collection.json'))) throw new Error(`no demo collection in ${root}`);
  const graph = JSON.parse(readFileSync(path.join(here, '../process-graphs/gfm-flood-monthly.json'), 'utf8'));
  graph.process.process_graph.save.arguments.options.chunk_size = CHUNK;
  const localMs = await run(root, graph, 'local', 1);
  const oneWorkerMs = await run(root, graph, 'distributed', 1);
  const twoWorkersMs = await run(root, graph, 'distributed', 2);
  const chunks = Math.ceil(shape[0] / CHUNK) * Math.ceil(shape[1] / CHUNK);
  // plus the plan and finalize tasks
  return { localMs, oneWorkerMs, twoWorkersMs, chunks, tasks: Math.ceil(chunks / CHUNKS_PER_TASK) + 2 };
}

async function run(root: string, graph: unknown, mode: 'local' | 'distributed', workers: number): Promise<number> {
  const db = await createTestDatabase();
  const env = {
    DATABASE_URL: db.url,
    SIGNING_SECRET: 'bench-signing-secret-0123456789',
    DATA_DIR: root,
    STORAGE_URL: path.join(root, `results-${mode}-${workers}`),
    LOG_LEVEL: 'silent',
    EXECUTION_MODE: mode,
    CHUNK_THREADS: '1',
    CHUNKS_PER_TASK: String(CHUNKS_PER_TASK),
  };
  const ctx = await createContext(loadConfig({ ...process.env, ...env }), { runJobs: mode === 'local', logger: pino({ level: 'silent' }) });
  const procs = [];
  for (let i = 0; i < (mode === 'distributed' ? workers : 0); i++) {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(here, '../test/distributed/worker-process.ts')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => p.stdout!.on('data', (d: Buffer) => String(d).includes('ready') && resolve()));
    procs.push(p);
  }
  const app = createApp(ctx);
  await createPasswordUser(ctx.db, 'bench', await hashPassword('bench-password'));
  const auth = `Bearer basic//${(await request(app).get('/credentials/basic').auth('bench', 'bench-password')).body.access_token}`;
  const t0 = performance.now();
  const id = (await request(app).post('/jobs').set('Authorization', auth).send(graph as object)).headers['openeo-identifier'];
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
