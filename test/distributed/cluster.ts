/** An API in the test process plus worker processes on one Postgres and results folder, for the distributed tests. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { distDb } from '../../src/distributed/schema.ts';
import { waitFor, type TestApp } from '../helpers/app.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER_SCRIPT = path.join(here, 'worker-process.ts');

export interface WorkerProcess {
  proc: ChildProcess;
  exited: Promise<number | null>;
  /** Lines the worker printed (`ready`, `task <queue> <jobId>`). */
  lines: string[];
}

export interface ZarrFile {
  hash: string;
  mtimeMs: number;
}

export class Cluster {
  readonly workers: WorkerProcess[] = [];

  constructor(
    readonly t: TestApp,
    readonly token: string,
    private readonly workerEnv: Record<string, string> = {},
  ) {}

  startWorker(): Promise<WorkerProcess> {
    const proc = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
      env: {
        ...process.env,
        DATA_DIR: this.t.dataDir,
        DATABASE_URL: this.t.ctx.config.databaseUrl!,
        LOG_LEVEL: 'warn',
        SIGNING_SECRET: 'test-signing-secret-0123456789',
        CHUNKS_PER_TASK: '2',
        ...this.workerEnv,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const w: WorkerProcess = { proc, exited, lines: [] };
    this.workers.push(w);
    return new Promise((resolve, reject) => {
      proc.stdout!.setEncoding('utf8');
      proc.stdout!.on('data', (text: string) => {
        w.lines.push(...text.split('\n').filter(Boolean));
        if (w.lines.includes('ready')) resolve(w);
      });
      proc.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
  }

  async killAll(): Promise<void> {
    for (const w of this.workers) w.proc.kill('SIGKILL');
    await Promise.all(this.workers.map((w) => w.exited));
  }

  async submit(body: unknown): Promise<string> {
    const created = await request(this.t.app).post('/jobs').set('Authorization', this.token).send(body as object).expect(201);
    const id = created.headers['openeo-identifier'];
    await request(this.t.app).post(`/jobs/${id}/results`).set('Authorization', this.token).expect(202);
    // The API (EXECUTION_MODE=distributed) put the job on the queue; the workers take it from there.
    return id;
  }

  async status(id: string): Promise<string> {
    const j = await request(this.t.app).get(`/jobs/${id}`).set('Authorization', this.token).expect(200);
    return j.body.status;
  }

  /** Waits for the job to end; with `tolerateErrors`, failed polls (database down) are retried. */
  async waitEnd(id: string, tolerateErrors = false): Promise<string> {
    const s = await waitFor(async () => {
      const s = await this.status(id).catch((e) => {
        if (!tolerateErrors) throw e;
        return 'unknown';
      });
      return ['finished', 'error', 'canceled'].includes(s) ? s : undefined;
    }, 150_000, `job ${id} to end`);
    if (s === 'error') {
      const logs = await request(this.t.app).get(`/jobs/${id}/logs`).set('Authorization', this.token);
      assert.fail(`job ended in error: ${JSON.stringify(logs.body.logs)}`);
    }
    return s;
  }

  async doneChunks(id: string): Promise<{ done: number; total: number }> {
    const rows = await distDb(this.t.ctx.db)
      .selectFrom('job_chunks')
      .select((eb) => [eb.fn.countAll<string>().as('total'), eb.fn.count<string>('done_at').as('done')])
      .where('job_id', '=', id)
      .executeTakeFirstOrThrow();
    return { done: Number(rows.done), total: Number(rows.total) };
  }

  /** Every file below the job's Zarr store: relative path → sha256 and mtime (temporary files of killed writers left out). */
  async zarrFiles(id: string): Promise<Map<string, ZarrFile>> {
    const root = path.join(this.t.dataDir, 'results', 'jobs', id, 'result.zarr');
    const out = new Map<string, ZarrFile>();
    const entries = await fs.readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      // the local store writes through a temporary file and a rename; a writer killed in between leaves that behind
      if (!e.isFile() || e.name.startsWith('.~tmp-')) continue;
      const full = path.join(e.parentPath, e.name);
      const [bytes, st] = await Promise.all([fs.readFile(full), fs.stat(full)]);
      out.set(path.relative(root, full), { hash: createHash('sha256').update(bytes).digest('hex'), mtimeMs: st.mtimeMs });
    }
    return out;
  }
}

export function assertSameFiles(files: Map<string, ZarrFile>, reference: Map<string, ZarrFile>): void {
  assert.deepEqual([...files.keys()].sort(), [...reference.keys()].sort());
  for (const [k, v] of files) assert.equal(v.hash, reference.get(k)!.hash, `${k} differs from the undisturbed run`);
}
