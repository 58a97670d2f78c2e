import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { hashPassword } from '../auth/passwords.ts';
import { createApp } from '../app.ts';
import type { Config } from '../config.ts';
import { createContext, type AppContext } from '../context.ts';
import { countUsers, createPasswordUser } from '../db/users.ts';
import { startDistributedWorker } from '../distributed/index.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { demoDir } from './demo-data.ts';
import pino from 'pino';
import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { chunkMetrics } from '../jobs/chunk-metrics.ts';

/** On the embedded default only: a first user so that a fresh clone can be used right away. */
async function ensureDemoUser(ctx: AppContext): Promise<void> {
  if (ctx.dbKind !== 'pglite' || (await countUsers(ctx.db)) > 0) return;
  const password = ctx.config.demoPassword ?? randomBytes(12).toString('base64url');
  await createPasswordUser(ctx.db, ctx.config.demoUser, await hashPassword(password));
  const url = ctx.config.publicUrl;
  process.stdout.write(
    [
      '',
      `Created the user '${ctx.config.demoUser}' with the password: ${password}`,
      '(shown once; change it with `openeo-backend users passwd ' + ctx.config.demoUser + '`)',
      'Log in with:',
      `  curl -u '${ctx.config.demoUser}:${password}' ${url}/credentials/basic`,
      `  then send: Authorization: Bearer basic//<access_token>`,
      '',
    ].join('\n') + '\n',
  );
}

export async function serve(config: Config): Promise<{ ctx: AppContext; server: Server }> {
  const ctx = await createContext(config, { runJobs: config.runJobsInProcess });
  await ensureDemoUser(ctx);
  // In distributed mode a lone `serve` still runs jobs: it takes queue tasks like any worker.
  const inProcessWorker =
    config.execution === 'distributed' && config.runJobsInProcess
      ? await startDistributedWorker({
          config,
          logger: ctx.logger,
          concurrency: config.limits.jobConcurrency,
          chunksPerTask: config.queue.chunksPerTask,
          queue: { leaseSeconds: config.queue.leaseSeconds, retryLimit: config.queue.retryLimit },
          onChunk: chunkMetrics(ctx.metrics),
        })
      : undefined;
  const app = createApp(ctx);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s)).on('error', reject);
  });
  ctx.logger.info({ url: config.publicUrl, database: ctx.dbKind }, 'openEO backend listening');
  if (!existsSync(path.join(demoDir(config), 'collection.json')) && config.collectionsFile.endsWith(path.join('collections', 'demo.json'))) {
    process.stdout.write('The demo GFM collection has no data yet: run `npm run demo-data` (or `npm run demo` for the whole flood workflow).\n');
  }
  const shutdown = async () => {
    ctx.logger.info('shutting down');
    server.close();
    await inProcessWorker?.stop(30_000);
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return { ctx, server };
}

export async function worker(config: Config): Promise<void> {
  if (config.execution === 'distributed') {
    const logger = pino({ level: config.logLevel });
    const registry = new Registry();
    const w = await startDistributedWorker({
      config,
      logger,
      concurrency: config.limits.jobConcurrency,
      chunksPerTask: config.queue.chunksPerTask,
      queue: { leaseSeconds: config.queue.leaseSeconds, retryLimit: config.queue.retryLimit },
      onChunk: chunkMetrics(registry),
    });
    const metricsServer = config.metricsPort ? await serveMetrics(registry, config.host, config.metricsPort) : undefined;
    const drain = async () => {
      logger.info('worker draining');
      metricsServer?.close();
      await w.stop(30_000);
      process.exit(0);
    };
    process.once('SIGTERM', drain);
    process.once('SIGINT', drain);
    return;
  }
  const ctx = await createContext(config, { runJobs: true });
  ctx.logger.info({ database: ctx.dbKind, concurrency: config.limits.jobConcurrency }, 'worker started');
  const shutdown = async () => {
    ctx.logger.info('worker draining');
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** A worker's own /metrics (its chunks), for Prometheus to scrape each worker. */
async function serveMetrics(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.listen(port, host, resolve).once('error', reject));
  return server;
}
