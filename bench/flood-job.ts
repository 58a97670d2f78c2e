/**
 * One flood job in a fresh process (so peak RSS belongs to this job alone), on the embedded default: submit the
 * graph over HTTP, wait, and print a JSON line with wall time (the job's created to finished timestamps), CPU time
 * of the process until the status poll saw it finished, peak RSS, output grid and the job's read figures.
 * With RUNS > 1 the same job is submitted again in the same process; `warm` then has the figures of the run with
 * the median wall time among the runs after the first, on a server whose worker threads have booted (loading the
 * TypeScript modules) and whose kernels are compiled (the median, because one run on a shared machine is noisy).
 * `id` is the reported job's id (its results are under the storage's `jobs/<id>/`).
 * Usage: tsx bench/flood-job.ts DATA_DIR GRAPH_JSON_FILE [RUNS]
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app.ts';
import { hashPassword } from '../src/auth/passwords.ts';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/context.ts';
import { createPasswordUser } from '../src/db/users.ts';

const [dataDir, graphFile, runsArg] = process.argv.slice(2);
const ctx = await createContext(loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '' }), {
  runJobs: true,
  logger: pino({ level: 'silent' }),
});
const app = createApp(ctx);
const name = `bench${Date.now()}`;
await createPasswordUser(ctx.db, name, await hashPassword('bench-password'));
const login = await request(app).get('/credentials/basic').auth(name, 'bench-password');
const auth = `Bearer basic//${login.body.access_token}`;
async function runJob() {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const created = await request(app).post('/jobs').set('Authorization', auth).send(JSON.parse(readFileSync(graphFile, 'utf8')));
  const id = created.headers['openeo-identifier'];
  await request(app).post(`/jobs/${id}/results`).set('Authorization', auth);
  let status = '';
  while (!['finished', 'error', 'canceled'].includes(status)) {
    await new Promise((r) => setTimeout(r, 100));
    status = (await request(app).get(`/jobs/${id}`).set('Authorization', auth)).body.status;
  }
  const cpu = process.cpuUsage(cpu0);
  // from the database's own clock, submit to finished: not rounded up to the next status poll (100 ms apart, which
  // added 50 ms on average to a job of about a second)
  const row = await ctx.db.selectFrom('jobs').select(['created', 'finished']).where('id', '=', id).executeTakeFirst();
  const wallMs = row?.finished ? new Date(row.finished).getTime() - new Date(row.created).getTime() : performance.now() - started;
  return { id, status, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}
const runs: Awaited<ReturnType<typeof runJob>>[] = [];
for (let k = 0; k < Math.max(1, Number(runsArg ?? 1)); k++) {
  runs.push(await runJob());
  if (runs[k].status !== 'finished') break;
}
const { wallMs, cpuMs } = runs[0];
const later = runs.slice(1).sort((a, b) => a.wallMs - b.wallMs);
const median = later[(later.length - 1) >> 1];
// the first run that did not finish, if any, is the one reported
const { id, status } = runs.find((r) => r.status !== 'finished') ?? runs[0];
const results = (await request(app).get(`/jobs/${id}/results`).set('Authorization', auth)).body;
const logs = (await request(app).get(`/jobs/${id}/logs`).set('Authorization', auth)).body.logs;
process.stdout.write(
  JSON.stringify({
    id,
    status,
    wallMs,
    cpuMs,
    ...(median ? { warm: { wallMs: median.wallMs, cpuMs: median.cpuMs, runs: later.length } } : {}),
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    shape: results.properties?.['proj:shape'],
    transform: results.properties?.['proj:transform'],
    error: status === 'error' ? logs.filter((l: { level: string }) => l.level === 'error') : undefined,
  }) + '\n',
);
await ctx.close();
process.exit(0);
