import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fetchJson } from '../../src/catalog/http-json.ts';
import { openStacUrl } from '../../src/catalog/load-stac.ts';
import { OpenEOError } from '../../src/errors.ts';
import { HttpSource } from '../../src/raster/http-source.ts';
import { createGuardedFetch, type GuardedFetch, type OutboundPolicy, type Resolver } from '../../src/security/outbound.ts';
import { startFixture, type Fixture } from './fixture-server.ts';

const policy = (p: Partial<OutboundPolicy>): OutboundPolicy => ({
  allow: [],
  allowPrivate: false,
  maxBytes: 1024 * 1024,
  timeoutMs: 10_000,
  maxRedirects: 3,
  ...p,
});

/** Test host names resolved without DNS: the guard must still check and connect to exactly these answers. */
const names: Record<string, string[]> = {
  'stac.test': ['127.0.0.1'],
  'other.test': ['127.0.0.1'],
  'metadata.test': ['169.254.169.254'],
  'mixed.test': ['93.184.216.34', '10.1.2.3'],
  'ula.test': ['fd12::1'],
};
const resolve: Resolver = async (host) => {
  const list = names[host];
  if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

async function refusal(p: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof OpenEOError, `expected an OpenEOError, got ${e}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('guarded outbound fetch', () => {
  let fx: Fixture;
  const guards: GuardedFetch[] = [];
  const guard = (p: Partial<OutboundPolicy>) => {
    const g = createGuardedFetch(policy(p), { resolve });
    guards.push(g);
    return g;
  };
  before(async () => {
    fx = await startFixture();
  });
  after(async () => {
    for (const g of guards) await g.close();
    await fx.close();
  });

  it('fetches from an allow-listed host when its private address is explicitly allowed', async () => {
    const f = guard({ allow: [`127.0.0.1:${fx.port}`], allowPrivate: ['127.0.0.1'] });
    const res = await f(`${fx.origin}/echo`, { method: 'POST', body: '{"q":1}', headers: { 'content-type': 'application/json' } });
    assert.ok(res instanceof Response);
    assert.equal(res.status, 200);
    assert.equal(res.url, `${fx.origin}/echo`);
    const body = (await res.json()) as { method: string; body: string };
    assert.equal(body.method, 'POST');
    assert.equal(body.body, '{"q":1}');
  });

  it('refuses hosts and prefixes outside the allow-list before connecting', async () => {
    const before = fx.seen.length;
    const f = guard({ allow: ['example.org', `http://127.0.0.1:${fx.port}/stac`], allowPrivate: true });
    await refusal(f(`http://other.test:${fx.port}/echo`), 'PermissionsInsufficient', /other\.test.*not on this backend's allow-list/);
    await refusal(f(`${fx.origin}/stacks`), 'PermissionsInsufficient', /allow-list/);
    await refusal(f(`${fx.origin}/stac/../echo`), 'PermissionsInsufficient', /allow-list/);
    await refusal(f(`${fx.origin}/stac/%2e%2e/echo`), 'PermissionsInsufficient', /allow-list/);
    assert.equal(fx.seen.length, before);
    const ok = await f(`${fx.origin}/stac/x`);
    assert.equal(ok.status, 404); // reached the fixture: the prefix allows its own subtree
  });

  it('refuses other schemes, credentials in URLs and invalid URLs', async () => {
    const f = guard({ allow: ['127.0.0.1', 'example.org'], allowPrivate: true });
    await refusal(f('file:///etc/passwd'), 'PermissionsInsufficient', /only http and https/);
    await refusal(f('ftp://example.org/x'), 'PermissionsInsufficient', /only http and https/);
    await refusal(f(`http://user:pw@127.0.0.1:${fx.port}/echo`), 'PermissionsInsufficient', /credentials/);
    await refusal(f('not a url'), 'PermissionsInsufficient', /not a valid URL/);
  });

  it('refuses loopback, private and link-local IP literals even when allow-listed', async () => {
    const before = fx.seen.length;
    const f = guard({ allow: ['127.0.0.1', '10.0.0.1', '169.254.169.254', '[::1]', '[fd00::1]', '[::ffff:7f00:1]', '0.0.0.0', '100.64.0.1', '224.0.0.1'] });
    await refusal(f(`${fx.origin}/echo`), 'PermissionsInsufficient', /loopback address \(127\.0\.0\.1\)/);
    await refusal(f('http://10.0.0.1/'), 'PermissionsInsufficient', /private address/);
    await refusal(f('http://169.254.169.254/latest/meta-data/'), 'PermissionsInsufficient', /link-local address/);
    await refusal(f('http://[::1]/'), 'PermissionsInsufficient', /loopback/);
    await refusal(f('http://[fd00::1]/'), 'PermissionsInsufficient', /unique-local/);
    await refusal(f('http://[::ffff:127.0.0.1]/'), 'PermissionsInsufficient', /loopback/);
    await refusal(f('http://0.0.0.0/'), 'PermissionsInsufficient', /unspecified/);
    await refusal(f('http://100.64.0.1/'), 'PermissionsInsufficient', /CGNAT/);
    await refusal(f('http://224.0.0.1/'), 'PermissionsInsufficient', /multicast/);
    assert.equal(fx.seen.length, before);
  });

  it('checks the addresses DNS returns and connects to the checked address', async () => {
    const before = fx.seen.length;
    const strict = guard({ allow: ['stac.test', 'metadata.test', 'mixed.test', 'ula.test', 'localhost'] });
    await refusal(strict(`http://stac.test:${fx.port}/echo`), 'PermissionsInsufficient', /stac\.test.*loopback address/);
    await refusal(strict('http://metadata.test/latest/'), 'PermissionsInsufficient', /link-local address \(169\.254\.169\.254\)/);
    // one private answer among public ones is enough to refuse the name
    await refusal(strict('http://mixed.test/'), 'PermissionsInsufficient', /private address \(10\.1\.2\.3\)/);
    await refusal(strict('http://ula.test/'), 'PermissionsInsufficient', /unique-local/);
    assert.equal(fx.seen.length, before);
    // the system resolver path: localhost comes from the hosts file
    const system = createGuardedFetch(policy({ allow: ['localhost'] }));
    guards.push(system);
    await refusal(system(`http://localhost:${fx.port}/echo`), 'PermissionsInsufficient', /loopback/);
    // allowed: the request reaches the fixture at the address the guard resolved, with the name as Host
    const relaxed = guard({ allow: ['stac.test'], allowPrivate: ['127.0.0.0/8'] });
    const res = await relaxed(`http://stac.test:${fx.port}/echo`);
    const echo = (await res.json()) as { headers: Record<string, string> };
    assert.equal(echo.headers.host, `stac.test:${fx.port}`);
  });

  it('follows redirects by hand and checks every hop', async () => {
    const f = guard({ allow: [`127.0.0.1:${fx.port}`, '10.0.0.1', '169.254.169.254', 'metadata.test', '[fd00::1]'], allowPrivate: ['127.0.0.1'] });
    const to = (target: string, status = 302) => `${fx.origin}/redirect?status=${status}&to=${encodeURIComponent(target)}`;
    const same = await f(to('/echo'));
    assert.equal(same.status, 200);
    assert.equal(same.redirected, true);
    assert.equal(same.url, `${fx.origin}/echo`);
    const seen = fx.seen.length;
    await refusal(f(to('http://10.0.0.1/admin')), 'PermissionsInsufficient', /private address/);
    await refusal(f(to('http://169.254.169.254/latest/meta-data/', 301)), 'PermissionsInsufficient', /link-local/);
    await refusal(f(to('http://metadata.test/latest/meta-data/', 307)), 'PermissionsInsufficient', /link-local/);
    await refusal(f(to('http://[fd00::1]/', 308)), 'PermissionsInsufficient', /unique-local/);
    await refusal(f(to('https://elsewhere.example/')), 'PermissionsInsufficient', /elsewhere\.example.*allow-list/);
    await refusal(f(to('file:///etc/passwd')), 'PermissionsInsufficient', /only http and https/);
    // each refused chain reached the fixture once (the redirect) and no further
    assert.equal(fx.seen.length, seen + 6);
    await refusal(f(`${fx.origin}/loop`), 'UpstreamInvalid', /redirected more than 3 times/);
  });

  it('keeps the body on 307, drops it on 303, and drops credentials when the origin changes', async () => {
    const f = guard({ allow: [`127.0.0.1:${fx.port}`, 'stac.test'], allowPrivate: ['127.0.0.1'] });
    const to = (target: string, status: number) => `${fx.origin}/redirect?status=${status}&to=${encodeURIComponent(target)}`;
    const init = { method: 'POST', body: 'payload', headers: { authorization: 'Bearer secret', 'content-type': 'text/plain' } };
    const kept = (await (await f(to('/echo', 307), init)).json()) as { method: string; body: string; headers: Record<string, string> };
    assert.deepEqual([kept.method, kept.body, kept.headers.authorization], ['POST', 'payload', 'Bearer secret']);
    const seeOther = (await (await f(to('/echo', 303), init)).json()) as { method: string; body: string; headers: Record<string, string> };
    assert.deepEqual([seeOther.method, seeOther.body, seeOther.headers['content-type']], ['GET', '', undefined]);
    const cross = (await (await f(to(`http://stac.test:${fx.port}/echo`, 307), init)).json()) as { body: string; headers: Record<string, string> };
    assert.equal(cross.body, 'payload');
    assert.equal(cross.headers.authorization, undefined);
  });

  it('limits response sizes, declared or streamed', async () => {
    const f = guard({ allow: [`127.0.0.1:${fx.port}`], allowPrivate: true, maxBytes: 256 * 1024 });
    const small = await f(`${fx.origin}/big?bytes=${200 * 1024}`);
    assert.equal((await small.arrayBuffer()).byteLength, 200 * 1024);
    const big = await f(`${fx.origin}/big?bytes=${4 * 1024 * 1024}`);
    await refusal(big.arrayBuffer(), 'UpstreamInvalid', /larger than the limit of 262144 bytes/);
    await refusal(f(`${fx.origin}/declared`), 'UpstreamInvalid', /larger than the limit/);
  });

  it('limits the time of a request, body included, and honours the caller’s abort', async () => {
    const f = guard({ allow: [`127.0.0.1:${fx.port}`], allowPrivate: true, timeoutMs: 300 });
    const res = await f(`${fx.origin}/stall`);
    await assert.rejects(res.text(), (e: Error) => e.name === 'TimeoutError');
    const slow = guard({ allow: [`127.0.0.1:${fx.port}`], allowPrivate: true, timeoutMs: 60_000 });
    const ctl = new AbortController();
    const pending = slow(`${fx.origin}/stall`, { signal: ctl.signal }).then((r) => r.text());
    setTimeout(() => ctl.abort(new Error('stop')), 50);
    await assert.rejects(pending, /stop/);
  });

  it('is used by the catalog and raster HTTP clients, which do not retry a refusal', async () => {
    const f = guard({ allow: [`127.0.0.1:${fx.port}`, '10.0.0.1'], allowPrivate: ['127.0.0.1'] });
    const redirectToPrivate = `${fx.origin}/redirect?to=${encodeURIComponent('http://10.0.0.1/stac/collection.json')}`;
    let seen = fx.seen.length;
    await refusal(fetchJson({ url: redirectToPrivate }, { fetch: f, retries: 3, backoffMs: 1 }), 'PermissionsInsufficient', /private address/);
    assert.equal(fx.seen.length, seen + 1);
    await refusal(openStacUrl(redirectToPrivate, { fetch: f, retries: 3, backoffMs: 1 }), 'PermissionsInsufficient', /private address/);
    await refusal(openStacUrl('http://169.254.169.254/collection.json', { fetch: f, retries: 3 }), 'PermissionsInsufficient', /allow-list/);
    seen = fx.seen.length;
    const cog = new HttpSource(redirectToPrivate, { fetch: f, retries: 3, backoffMs: 1 });
    await refusal(cog.read([{ offset: 0, length: 16 }]), 'PermissionsInsufficient', /private address/);
    assert.equal(fx.seen.length, seen + 1);
    const ok = new HttpSource(`${fx.origin}/big?bytes=1000`, { fetch: f });
    const [bytes] = await ok.read([{ offset: 10, length: 20 }]);
    assert.equal(bytes.length, 20);
  });
});
