/** A tiny local HTTP server standing in for outside STAC/COG hosts: JSON, redirects, big and slow bodies. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fixture {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  /** Requests seen, as `METHOD path`. */
  seen: string[];
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const seen: string[] = [];
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    seen.push(`${req.method} ${url.pathname}`);
    open.add(res);
    res.on('close', () => open.delete(res));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      switch (url.pathname) {
        case '/echo':
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
          return;
        case '/redirect':
          res.statusCode = Number(url.searchParams.get('status') ?? 302);
          res.setHeader('location', url.searchParams.get('to') ?? '/echo');
          res.end();
          return;
        case '/loop':
          res.statusCode = 302;
          res.setHeader('location', '/loop');
          res.end();
          return;
        case '/big': {
          // streamed without content-length: only counting the body can stop it
          const block = Buffer.alloc(64 * 1024, 120);
          let left = Number(url.searchParams.get('bytes'));
          const pump = () => {
            while (left > 0) {
              const n = Math.min(left, block.length);
              left -= n;
              if (!res.write(block.subarray(0, n))) return void res.once('drain', pump);
            }
            res.end();
          };
          pump();
          return;
        }
        case '/declared':
          res.setHeader('content-length', String(10 * 1024 * 1024 * 1024));
          res.write('x');
          return; // never finishes; the client must give up on the header alone
        case '/stall':
          res.setHeader('content-type', 'application/json');
          res.write('{"a":');
          return; // never finishes
        default:
          res.statusCode = 404;
          res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
