/** A tiny static file server for tests, with switchable misbehaviour of real-world servers. */
import { readFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface FixtureServer {
  url: string;
  /** Requests received, by path. */
  hits: Map<string, number>;
  /** 'range' honours Range; 'ignore-range' always answers 200 with the whole file. */
  mode: 'range' | 'ignore-range';
  /** The next N requests answer 503. */
  failNext: number;
  /** The next N requests never answer (until the client gives up). */
  hangNext: number;
  close(): Promise<void>;
}

export async function startFixtureServer(root: string): Promise<FixtureServer> {
  const state = { hits: new Map<string, number>(), mode: 'range' as FixtureServer['mode'], failNext: 0, hangNext: 0 };
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    state.hits.set(path, (state.hits.get(path) ?? 0) + 1);
    if (state.hangNext > 0) {
      state.hangNext--;
      return; // keep the socket open without answering
    }
    if (state.failNext > 0) {
      state.failNext--;
      res.writeHead(503).end('busy');
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(join(root, path));
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    const m = /^bytes=(\d+)-(\d+)?$/.exec(req.headers.range ?? '');
    if (state.mode === 'ignore-range' || !m) {
      res.writeHead(200, { 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(m[2] === undefined ? body.length - 1 : Number(m[2]), body.length - 1);
    if (start >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1 });
    res.end(body.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
