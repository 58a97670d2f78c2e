/**
 * `openeo-backend demo`: the flood workflow of the EODC tutorial, end to end, as a user would run it. Generates the
 * demo GFM collection if missing, submits the graph as a batch job through the HTTP API (to the server running at
 * PUBLIC_URL, or to one started in this process), shows progress, reads the Zarr result over its signed link and
 * draws the mean flood likelihood (red colour map, colour bar, axes in the native CRS) into a PNG.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../app.ts';
import { hashPassword } from '../auth/passwords.ts';
import { hashToken, newToken } from '../auth/tokens.ts';
import { PROJECT_ROOT, type Config } from '../config.ts';
import pino from 'pino';
import { createContext } from '../context.ts';
import { insertToken } from '../db/tokens.ts';
import { createPasswordUser, findUserByName } from '../db/users.ts';
import { createProgressBar, type DemoSize } from '../demo-data/index.ts';
import { renderFigure } from '../formats/png/index.ts';
import { demoDataCommand, demoDir } from './demo-data.ts';
import { readZarrVariable, submitAndWait, type DemoApi } from './demo-client.ts';

const TUTORIAL_AOI = { west: 67.398376, south: 26.197341, east: 69.0271, north: 27.591066 };
// The small demo collection covers only part of the tutorial AOI.
const SMALL_AOI = { west: 68.3, south: 26.93, east: 68.85, north: 27.3 };

function demoJob(size: DemoSize) {
  const body = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'process-graphs', 'gfm-flood-monthly.json'), 'utf8'));
  body.process.process_graph.load.arguments.spatial_extent = size === 'small' ? SMALL_AOI : TUTORIAL_AOI;
  return body;
}

async function reachable(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/`, { signal: AbortSignal.timeout(1500) })).ok;
  } catch {
    return false;
  }
}

/** A server in this process on a free port, with a token of the demo user created directly. */
async function standalone(config: Config): Promise<{ api: DemoApi; close(): Promise<void> }> {
  const server = (await import('node:http')).createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  server.close();
  // The API is reached on this port, so links (signed result URLs) must point there.
  const cfg: Config = Object.freeze({ ...config, publicUrl: `http://127.0.0.1:${port}` });
  // the demo's own output is the progress bar: at the default level the in-process server would print a line per
  // request over it, so it logs only problems then (LOG_LEVEL=debug still shows everything)
  const level = cfg.logLevel === 'info' ? 'warn' : cfg.logLevel;
  const ctx = await createContext(cfg, { runJobs: true, logger: pino({ level }) });
  let user = await findUserByName(ctx.db, cfg.demoUser);
  if (!user) {
    const password = cfg.demoPassword ?? randomBytes(12).toString('base64url');
    user = await createPasswordUser(ctx.db, cfg.demoUser, await hashPassword(password));
    process.stdout.write(`Created the user '${cfg.demoUser}' with the password: ${password}\n`);
  }
  const token = newToken();
  await insertToken(ctx.db, hashToken(token), user.id, new Date(Date.now() + 3600_000));
  const listening = createApp(ctx).listen(port, '127.0.0.1');
  return {
    api: { base: cfg.publicUrl, auth: `Bearer basic//${token}` },
    async close() {
      listening.close();
      await ctx.close();
    },
  };
}

export async function demoCommand(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { size: { type: 'string', default: 'medium' }, user: { type: 'string' }, password: { type: 'string' }, out: { type: 'string' } },
  });
  const size = values.size as DemoSize;
  if (!['small', 'medium', 'large'].includes(size)) {
    process.stderr.write('--size must be small, medium or large.\n');
    return 2;
  }
  if (!existsSync(path.join(demoDir(config), 'collection.json'))) {
    const code = await demoDataCommand(config, ['--size', size]);
    if (code !== 0) return code;
  }
  const user = values.user ?? config.demoUser;
  const password = values.password ?? config.demoPassword;
  let session: { api: DemoApi; close(): Promise<void> };
  if (password && (await reachable(config.publicUrl))) {
    const login = await fetch(`${config.publicUrl}/credentials/basic`, { headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });
    if (!login.ok) {
      process.stderr.write(`Login as '${user}' at ${config.publicUrl} failed (${login.status}).\n`);
      return 1;
    }
    const { access_token } = (await login.json()) as { access_token: string };
    session = { api: { base: config.publicUrl, auth: `Bearer basic//${access_token}` }, close: async () => {} };
    process.stdout.write(`Using the backend at ${config.publicUrl} as '${user}'.\n`);
  } else {
    process.stdout.write('No running backend to log in to (start one with `npm start` and pass --password, or let the demo run its own): starting one in this process.\n');
    session = await standalone(config);
  }
  try {
    const bar = createProgressBar({ write: (s) => process.stderr.write(s), tty: process.stderr.isTTY });
    const started = Date.now();
    const { id, results } = await submitAndWait(session.api, demoJob(size), (p, status) => bar.update(p / 100, status));
    bar.done();
    const zarr = results.assets['result.zarr'];
    process.stdout.write(`Job ${id} finished in ${((Date.now() - started) / 1000).toFixed(1)} s.\nZarr store (signed link, open with xarray.open_zarr): ${zarr.href}\n`);
    const local = path.join(config.dataDir, 'results', 'jobs', id, 'result.zarr');
    if (existsSync(local)) process.stdout.write(`Zarr store on disk: ${local}\n`);
    const lik = await readZarrVariable(zarr.href, 'ensemble_likelihood', 900);
    const png = renderFigure(lik.values, lik.width, lik.height, {
      colormap: 'Reds',
      min: 0,
      max: 100,
      nodata: 0,
      title: 'GFM mean flood likelihood, August 2023 (demo data)',
      transform: lik.transform,
    });
    const out = path.resolve(values.out ?? path.join(config.dataDir, 'demo', 'flood-likelihood.png'));
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, png);
    process.stdout.write(`Plot of the mean flood likelihood: ${out}\n`);
    return 0;
  } finally {
    await session.close();
  }
}
