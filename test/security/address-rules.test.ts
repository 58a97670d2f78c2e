import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, ConfigError } from '../../src/config.ts';
import { AddressClassifier, embeddedIPv4 } from '../../src/security/address-ranges.ts';
import { isAllowed, parseAllowList } from '../../src/security/allow-list.ts';
import { collectionUrls, outboundPolicy } from '../../src/security/outbound.ts';

describe('address ranges', () => {
  const c = new AddressClassifier(false);
  const table: [string, string | undefined][] = [
    ['127.0.0.1', 'loopback'], ['127.255.1.2', 'loopback'], ['10.20.30.40', 'private'], ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'], ['172.32.0.1', undefined], ['192.168.1.1', 'private'], ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared (CGNAT)'], ['100.127.255.255', 'shared (CGNAT)'], ['100.128.0.1', undefined],
    ['0.0.0.0', 'unspecified'], ['224.0.0.251', 'multicast'], ['255.255.255.255', 'reserved'], ['8.8.8.8', undefined],
    ['93.184.216.34', undefined], ['::', 'unspecified'], ['::1', 'loopback'], ['fd00::1', 'unique-local'],
    ['fc00::1', 'unique-local'], ['fe80::1', 'link-local'], ['ff02::1', 'multicast'], ['2001:4860:4860::8888', undefined],
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::10.0.0.1', 'private'], ['2002:c0a8:0101::1', 'private'], ['::ffff:8.8.8.8', undefined], ['fe80::1%eth0', 'link-local'],
  ];
  it('classifies special-purpose addresses, including IPv4 embedded in IPv6', () => {
    for (const [ip, kind] of table) assert.equal(c.kind(ip), kind, ip);
    assert.equal(embeddedIPv4('::ffff:c0a8:101'), '192.168.1.1');
    assert.equal(embeddedIPv4('2001:db8::1'), undefined);
  });
  it('allows exactly what the configuration lists', () => {
    assert.equal(new AddressClassifier(true).refusal('10.0.0.1'), undefined);
    const some = new AddressClassifier(['127.0.0.1', '10.1.0.0/16']);
    assert.equal(some.refusal('127.0.0.1'), undefined);
    assert.equal(some.refusal('::ffff:127.0.0.1'), undefined);
    assert.equal(some.refusal('127.0.0.2'), 'loopback');
    assert.equal(some.refusal('10.1.200.3'), undefined);
    assert.equal(some.refusal('10.2.0.1'), 'private');
    assert.equal(some.refusal('::1'), 'loopback');
    assert.throws(() => new AddressClassifier(['10.0.0.0/33']), /not an IP address or CIDR/);
    assert.throws(() => new AddressClassifier(['example.org']), /not an IP address or CIDR/);
  });
});

describe('allow-list', () => {
  const rules = parseAllowList(['Earth-Search.aws.element84.com', '*.amazonaws.com', 'data.test:8443', 'https://cat.test/stac', 'https://root.test']);
  const ok = (u: string) => isAllowed(new URL(u), rules);
  it('matches hosts, subdomains, ports and URL prefixes on segment boundaries', () => {
    assert.ok(ok('https://earth-search.aws.element84.com/v1/search'));
    assert.ok(ok('http://earth-search.aws.element84.com:8080/v1'));
    assert.ok(ok('https://sentinel-cogs.s3.us-west-2.amazonaws.com/a.tif'));
    assert.ok(!ok('https://amazonaws.com.evil.test/'));
    assert.ok(!ok('https://evilamazonaws.com/'));
    assert.ok(ok('https://data.test:8443/x'));
    assert.ok(!ok('https://data.test/x'));
    assert.ok(ok('https://cat.test/stac'));
    assert.ok(ok('https://cat.test/stac/collections/x?limit=1'));
    assert.ok(!ok('https://cat.test/stacks'));
    assert.ok(!ok('https://cat.test/stac/../admin'));
    assert.ok(!ok('http://cat.test/stac/x'));
    assert.ok(ok('https://root.test/anything'));
    assert.ok(!ok('https://root.test.evil/anything'));
  });
  it('rejects entries that are neither hosts nor http(s) URLs', () => {
    assert.throws(() => parseAllowList(['example.org/path']), /not a host name/);
    assert.throws(() => parseAllowList(['ftp://example.org/']), /http\(s\)/);
    assert.throws(() => parseAllowList(['https://u:p@example.org/']), /credentials/);
  });
});

describe('outbound configuration', () => {
  it('defaults to the hosts of the configured collections and allows no private addresses', () => {
    const config = loadConfig({});
    assert.equal(config.outbound.allow, undefined);
    assert.equal(config.outbound.allowPrivate, false);
    const urls = collectionUrls([
      { source: { type: 'stac-api', url: 'https://stac.example.org:8443/api/v1' } },
      { source: { type: 'static', href: '/data/demo/gfm' } },
      { source: { type: 'static', href: 'https://static.example.org/catalog.json' } },
    ]);
    assert.deepEqual(outboundPolicy(config.outbound, urls).allow, ['stac.example.org:8443', 'static.example.org']);
  });
  it('reads OUTBOUND_* variables and rejects bad ones at startup', () => {
    const config = loadConfig({
      OUTBOUND_ALLOW: 'a.test, https://b.test/stac/',
      OUTBOUND_ALLOW_PRIVATE: '127.0.0.1, fd00::/8',
      OUTBOUND_MAX_BYTES: '2048',
      OUTBOUND_TIMEOUT_MS: '5000',
      OUTBOUND_MAX_REDIRECTS: '0',
    });
    assert.deepEqual(outboundPolicy(config.outbound, ['https://ignored.test/']), {
      allow: ['a.test', 'https://b.test/stac/'],
      allowPrivate: ['127.0.0.1', 'fd00::/8'],
      maxBytes: 2048,
      timeoutMs: 5000,
      maxRedirects: 0,
    });
    assert.equal(loadConfig({ OUTBOUND_ALLOW_PRIVATE: 'true' }).outbound.allowPrivate, true);
    assert.throws(() => loadConfig({ OUTBOUND_ALLOW_PRIVATE: '10.0.0.0/99' }), ConfigError);
    assert.throws(() => loadConfig({ OUTBOUND_ALLOW: 'ftp://x.test/' }), ConfigError);
  });
});
