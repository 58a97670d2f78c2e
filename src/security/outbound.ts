/**
 * The guarded `fetch` for every request the backend sends on a user's behalf (load_stac, STAC API search, COG
 * reads over HTTP). It enforces, per hop of a redirect chain:
 * - http(s) only, no credentials in URLs, the host or URL prefix on the allow-list;
 * - no loopback / private / link-local / CGNAT / multicast / unspecified address, checked on the addresses DNS
 *   returns, inside the connection's own lookup, so the address checked is the address connected to (a second,
 *   rebinding answer never gets used);
 * - redirects followed by hand, each target checked like the first URL;
 * - a size limit on every response body (counted after decompression) and a time limit per request.
 * Refusals are OpenEOErrors, which the HTTP clients of the catalog and raster modules do not retry.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { OpenEOError } from '../errors.ts';
import { AddressClassifier } from './address-ranges.ts';
import { isAllowed, parseAllowList, type AllowRule } from './allow-list.ts';
import type { OutboundPolicy } from './outbound-policy.ts';

export * from './outbound-policy.ts';

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface GuardOptions {
  /** DNS resolution (default: the system resolver, as `dns.lookup` with `all`); tests may name test hosts. */
  resolve?: Resolver;
}

export interface GuardedFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Closes the guard's connection pool. */
  close(): Promise<void>;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 204, 205, 304]);
/** Sent on to another origin these would hand our (or a catalog's) credentials to it. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

const where = (u: URL) => `${u.protocol}//${u.host}${u.pathname}`;

function refused(url: URL, why: string): OpenEOError {
  return new OpenEOError('PermissionsInsufficient', `Request to ${where(url)} refused: ${why}.`);
}

/** Thrown errors carry our refusal as a cause somewhere down the chain (fetch wraps connect errors). */
function findOpenEOError(e: unknown): OpenEOError | undefined {
  for (let c = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    if (c instanceof OpenEOError) return c;
  }
  return undefined;
}

export class OutboundGuard {
  readonly rules: AllowRule[];
  readonly addresses: AddressClassifier;

  constructor(readonly policy: OutboundPolicy) {
    this.rules = parseAllowList(policy.allow);
    this.addresses = new AddressClassifier(policy.allowPrivate);
  }

  /** Checks a URL before any connection: scheme, credentials, allow-list, and IP literals. */
  check(input: string | URL): URL {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new OpenEOError('PermissionsInsufficient', `Request refused: '${String(input).slice(0, 200)}' is not a valid URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused(url, `only http and https URLs are allowed, not ${url.protocol}`);
    if (url.username || url.password) throw refused(url, 'URLs with credentials are not allowed');
    if (!isAllowed(url, this.rules)) throw refused(url, `the host '${url.host}' is not on this backend's allow-list of outbound hosts`);
    const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(literal)) this.checkAddress(url, literal);
    return url;
  }

  checkAddress(url: URL, ip: string): void {
    const kind = this.addresses.refusal(ip);
    if (kind) throw refused(url, `it resolves to a ${kind} address (${ip}), which this backend does not contact`);
  }
}

/** A dns lookup for sockets that refuses names with any special-range address among its answers. */
function guardedLookup(guard: OutboundGuard, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (answers) => {
        const url = new URL(`http://${hostname.includes(':') ? `[${hostname}]` : hostname}`);
        for (const a of answers) guard.checkAddress(url, a.address);
        const wanted = options.family === 4 || options.family === 6 ? answers.filter((a) => a.family === options.family) : answers;
        if (wanted.length === 0) throw Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
        if (options.all) (callback as (e: null, a: typeof wanted) => void)(null, wanted);
        else callback(null, wanted[0].address, wanted[0].family);
      },
    ).catch((e: NodeJS.ErrnoException) => callback(e, '', 0));
  };
}

/** Passes a body on, failing with an openEO error once it has exceeded `max` bytes. */
function limitBody(body: ReadableStream<Uint8Array>, max: number, url: URL): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        seen += chunk.byteLength;
        if (seen > max) ctl.error(new OpenEOError('UpstreamInvalid', `The response of ${where(url)} is larger than the limit of ${max} bytes.`));
        else ctl.enqueue(chunk);
      },
    }),
  );
}

function tooLarge(res: { headers: Headers }, max: number): boolean {
  const len = Number(res.headers.get('content-length') ?? NaN);
  return Number.isFinite(len) && len > max;
}

/** Builds the guarded fetch for a policy. Invalid allow-list entries or CIDRs throw here, at startup. */
export function createGuardedFetch(policy: OutboundPolicy, options: GuardOptions = {}): GuardedFetch {
  const guard = new OutboundGuard(policy);
  const resolve: Resolver = options.resolve ?? ((host) => dnsLookup(host, { all: true, verbatim: true }));
  const agent = new Agent({ connect: { lookup: guardedLookup(guard, resolve) } });

  async function guarded(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    if (typeof input !== 'string' && !(input instanceof URL)) {
      if (input.body) throw new TypeError('guarded fetch: pass the URL and init, not a Request with a body');
      init = { method: input.method, headers: input.headers, signal: input.signal, ...init };
      input = input.url;
    }
    let url = guard.check(input);
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body ?? undefined;
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      // a stream could not be sent again after a 307/308 redirect
      throw new TypeError('guarded fetch: bodies must be strings or Uint8Arrays');
    }
    const headers = new Headers(init.headers);
    const timeout = AbortSignal.timeout(policy.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    for (let hop = 0; ; hop++) {
      let res: Awaited<ReturnType<typeof undiciFetch>>;
      try {
        res = await undiciFetch(url, { method, headers: [...headers], body, redirect: 'manual', signal, dispatcher: agent });
      } catch (e) {
        throw findOpenEOError(e) ?? e;
      }
      const location = REDIRECT.has(res.status) ? res.headers.get('location') : null;
      if (location !== null) {
        await res.body?.cancel().catch(() => undefined);
        if (hop >= policy.maxRedirects) throw new OpenEOError('UpstreamInvalid', `${where(url)} redirected more than ${policy.maxRedirects} times.`);
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new OpenEOError('UpstreamInvalid', `${where(url)} redirected to an invalid URL.`);
        }
        if (next.origin !== url.origin) for (const h of CREDENTIAL_HEADERS) headers.delete(h);
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
          headers.delete('content-type');
        }
        url = guard.check(next);
        continue;
      }
      if (tooLarge(res, policy.maxBytes)) {
        await res.body?.cancel().catch(() => undefined);
        throw new OpenEOError('UpstreamInvalid', `The response of ${where(url)} is larger than the limit of ${policy.maxBytes} bytes.`);
      }
      const stream = res.body && !NULL_BODY.has(res.status) ? limitBody(res.body as ReadableStream<Uint8Array>, policy.maxBytes, url) : null;
      const out = new Response(stream, { status: res.status, statusText: res.statusText, headers: res.headers as unknown as Headers });
      Object.defineProperties(out, { url: { value: url.href }, redirected: { value: hop > 0 } });
      return out;
    }
  }
  return Object.assign(guarded, { close: () => agent.close() });
}
