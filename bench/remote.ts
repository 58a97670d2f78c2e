/**
 * The flood job over remote COGs: the same demo collection, its COGs served over HTTP from this process with every
 * request answered after `delayMs` (object stores and HTTPS hosts answer a range request after some 10 to 50 ms),
 * through a copy of the STAC items whose asset hrefs point at that server.
 */
import { execFile } from 'node:child_process';
import { createReadStream, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface RemoteJobResult {
  wallMs: number;
  warm: { wallMs: number; cpuMs: number; runs: number };
  maxRssMB: number;
  requests: number;
}

/** Serves files below `dir` with Range support (206), each answer after `delayMs`. */
function delayedFileServer(dir: string, delayMs: number): { server: Server; requests: () => number } {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const file = path.join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    setTimeout(() => {
      if (!file.startsWith(dir + path.sep)) return void res.writeHead(403).end();
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        return void res.writeHead(404).end();
      }
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (!m) {
        res.writeHead(200, { 'Content-Length': size, 'Accept-Ranges': 'bytes' });
        return void (req.method === 'HEAD' ? res.end() : createReadStream(file).pipe(res));
      }
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), size - 1);
      if (start >= size) return void res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      res.writeHead(206, { 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}` });
      createReadStream(file, { start, end }).pipe(res);
    }, delayMs);
  });
  return { server, requests: () => requests };
}

/**
 * Runs the job of `graphFile` (RUNS times, see flood-job.ts) on a data folder below `root` whose demo collection is
 * `collectionDir`'s items with their COGs behind the delayed server.
 */
export async function remoteFloodJob(root: string, collectionDir: string, graphFile: string, delayMs: number, runs = 4): Promise<RemoteJobResult> {
  const { server, requests } = delayedFileServer(collectionDir, delayMs);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dataDir = path.join(root, `remote-${delayMs}ms`);
    const copy = path.join(dataDir, 'demo', 'gfm');
    mkdirSync(path.join(copy, 'items'), { recursive: true });
    writeFileSync(path.join(copy, 'collection.json'), readFileSync(path.join(collectionDir, 'collection.json')));
    for (const f of readdirSync(path.join(collectionDir, 'items'))) {
      const item = JSON.parse(readFileSync(path.join(collectionDir, 'items', f), 'utf8'));
      for (const asset of Object.values(item.assets) as { href: string }[]) {
        const local = path.resolve(collectionDir, 'items', asset.href);
        asset.href = `${base}/${path.relative(collectionDir, local).split(path.sep).join('/')}`;
      }
      writeFileSync(path.join(copy, 'items', f), JSON.stringify(item));
    }
    // the reads must not block this process's event loop, which serves them
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(here, 'flood-job.ts'), dataDir, graphFile, String(runs)], {
      encoding: 'utf8',
      env: { ...process.env, STORAGE_URL: path.join(dataDir, 'results'), OUTBOUND_ALLOW: base, OUTBOUND_ALLOW_PRIVATE: 'true' },
      maxBuffer: 1 << 24,
    });
    const r = JSON.parse(stdout.trim().split('\n').pop()!);
    if (r.status !== 'finished') throw new Error(`remote bench job ended in ${r.status}: ${JSON.stringify(r.error)}`);
    return { wallMs: r.wallMs, warm: r.warm, maxRssMB: r.maxRssMB, requests: requests() };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
