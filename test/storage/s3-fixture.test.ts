/**
 * S3 client behaviour that a healthy test server cannot show: retries on throttling and 5xx, giving up, and the
 * exact headers of DeleteObjects. A tiny local HTTP server plays the S3 endpoint.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { OpenEOError } from '../../src/errors.ts';
import { S3ObjectStore } from '../../src/storage/s3-store.ts';
import { backoffDelay } from '../../src/storage/s3-retry.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type Reply = (req: Seen, res: ServerResponse) => void;

const errorXml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

function fail(status: number, code: string): Reply {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(errorXml(code, `fixture says ${code}`));
  };
}

const ok: Reply = (req, res) => {
  if (req.method === 'POST' && req.url.includes('delete')) {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>');
    return;
  }
  if (req.method === 'GET' && req.url.includes('list-type=2')) {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(
      '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Name>fixture</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>' +
        '<Contents><Key>p/a</Key><Size>1</Size></Contents><Contents><Key>p/b</Key><Size>2</Size></Contents></ListBucketResult>',
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '2' });
  res.end('ok');
};

describe('S3ObjectStore against a fixture endpoint', () => {
  let server: Server;
  let seen: Seen[] = [];
  let replies: Reply[] = [];
  let store: S3ObjectStore;

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
        seen.push(s);
        (replies.shift() ?? ok)(s, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    store = new S3ObjectStore({
      bucket: 'fixture',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    });
  });
  after(async () => {
    await store?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });
  beforeEach(() => {
    seen = [];
    replies = [];
  });

  for (const [status, code] of [
    [503, 'SlowDown'],
    [429, 'TooManyRequests'],
    [500, 'InternalError'],
    [502, 'BadGateway'],
  ] as const) {
    test(`retries after ${status} ${code}`, async () => {
      replies = [fail(status, code), fail(status, code)];
      assert.equal(new TextDecoder().decode(await store.get('k')), 'ok');
      assert.equal(seen.length, 3);
    });
  }

  test('gives up after maxAttempts with a StorageFailure naming the cause', async () => {
    replies = Array.from({ length: 10 }, () => fail(503, 'SlowDown'));
    await assert.rejects(
      store.get('k'),
      (e: unknown) => e instanceof OpenEOError && e.code === 'StorageFailure' && /SlowDown/.test(e.message) && /503/.test(e.message),
    );
    assert.equal(seen.length, 4);
  });

  test('does not retry errors that will not go away', async () => {
    replies = [fail(501, 'NotImplemented'), fail(403, 'AccessDenied')];
    await assert.rejects(store.get('k'), OpenEOError);
    assert.equal(seen.length, 1);
    await assert.rejects(store.get('k'), /Access denied/);
    assert.equal(seen.length, 2);
  });

  test('DeleteObjects carries Content-MD5 of its body and no flexible checksum headers', async () => {
    assert.equal(await store.deletePrefix('p/'), 2);
    const del = seen.find((s) => s.method === 'POST');
    assert.ok(del, 'a DeleteObjects request was sent');
    assert.equal(del.headers['content-md5'], createHash('md5').update(del.body).digest('base64'));
    assert.deepEqual(
      Object.keys(del.headers).filter((h) => h.startsWith('x-amz-checksum-') || h === 'x-amz-sdk-checksum-algorithm'),
      [],
    );
    // Content-MD5 is covered by the signature (added before signing).
    assert.match(String(del.headers.authorization), /SignedHeaders=[^,]*content-md5/);
    assert.match(del.body.toString(), /<Key>p\/a<\/Key>/);
  });

  test('plain uploads send no checksum headers and no aws-chunked encoding', async () => {
    await store.put('up/x', new Uint8Array([1, 2, 3]));
    const put = seen.find((s) => s.method === 'PUT');
    assert.ok(put);
    assert.equal(put.headers['content-length'], '3');
    assert.equal(put.headers['content-encoding'], undefined);
    assert.deepEqual(Object.keys(put.headers).filter((h) => h.startsWith('x-amz-checksum-')), []);
  });
});

test('backoff grows exponentially, waits longer for throttling and is capped', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(backoffDelay(policy, 1, false, 1), 100);
  assert.equal(backoffDelay(policy, 3, false, 1), 400);
  assert.equal(backoffDelay(policy, 2, true, 1), 800);
  assert.equal(backoffDelay(policy, 9, false, 1), 1000);
  assert.equal(backoffDelay(policy, 5, false, 0), 0);
});
