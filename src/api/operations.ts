/** Liveness, readiness and Prometheus metrics for operators. */
import { sql } from 'kysely';
import { Gauge, Registry } from 'prom-client';
import type { AppContext } from '../context.ts';
import { chunkBacklog } from '../distributed/run-state.ts';
import type { Handler } from './http.ts';

export const health: Handler = (_req, res) => {
  res.json({ status: 'ok' });
};

/** Ready when the database answers and the results store can be reached. */
export const ready: Handler = async (_req, res, ctx) => {
  const checks: Record<string, string> = {};
  await sql`select 1`.execute(ctx.db).then(
    () => (checks.database = 'ok'),
    () => (checks.database = 'unreachable'),
  );
  await ctx.store.head('.ready-probe', AbortSignal.timeout(5000)).then(
    () => (checks.storage = 'ok'),
    () => (checks.storage = 'unreachable'),
  );
  const ok = Object.values(checks).every((v) => v === 'ok');
  res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks });
};

/**
 * One registry per app (no process-global metrics): the database's figures, read when scraped, plus what this process
 * recorded itself (its chunks).
 */
export function metricsHandler(ctx: AppContext): Handler {
  const registry = new Registry();
  new Gauge({
    name: 'openeo_jobs',
    help: 'Batch jobs by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = await ctx.db.selectFrom('jobs').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('status').execute();
      this.reset();
      for (const r of rows) this.set({ status: r.status }, Number(r.n));
    },
  });
  new Gauge({
    name: 'openeo_queue_depth',
    help: 'Jobs waiting to run',
    registers: [registry],
    async collect() {
      const row = await ctx.db.selectFrom('jobs').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'queued').executeTakeFirstOrThrow();
      this.set(Number(row.n));
    },
  });
  new Gauge({
    name: 'openeo_pending_chunks',
    help: 'Output chunks of running jobs not yet written (all workers)',
    registers: [registry],
    async collect() {
      this.set(await chunkBacklog(ctx.db));
    },
  });
  new Gauge({
    name: 'openeo_running_jobs_in_process',
    help: 'Jobs this process is running',
    registers: [registry],
    collect() {
      this.set(ctx.runner?.running ?? 0);
    },
  });
  const all = Registry.merge([registry, ctx.metrics]);
  return async (_req, res) => {
    res.type(all.contentType).send(await all.metrics());
  };
}
