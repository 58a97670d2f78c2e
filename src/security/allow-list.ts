/**
 * The outbound allow-list: entries are host names (`example.com`, `example.com:8443`, `*.example.com`, an IP
 * address) or URL prefixes (`https://example.com/stac/`). A host entry without a port allows every port of
 * that host; a prefix matches on path-segment boundaries, so `https://a.org/stac` does not allow
 * `https://a.org/stacks`. URLs are compared after WHATWG parsing, which resolves `..` and percent-encoded dots.
 */

export type AllowRule =
  | { kind: 'host'; hostname: string; port?: string; subdomains: boolean }
  | { kind: 'prefix'; prefix: string };

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** Parses allow-list entries; throws a plain Error naming the first bad entry. */
export function parseAllowList(entries: readonly string[]): AllowRule[] {
  return entries
    .map((e) => e.trim())
    .filter(Boolean)
    .map((entry) => {
      if (entry.includes('://')) {
        let u: URL;
        try {
          u = new URL(entry);
        } catch {
          throw new Error(`allow-list entry '${entry}' is not a valid URL`);
        }
        if (!(u.protocol in DEFAULT_PORT)) throw new Error(`allow-list entry '${entry}' must be an http(s) URL`);
        if (u.username || u.password) throw new Error(`allow-list entry '${entry}' must not contain credentials`);
        return { kind: 'prefix', prefix: u.href };
      }
      const subdomains = entry.startsWith('*.');
      let u: URL;
      try {
        u = new URL(`http://${subdomains ? entry.slice(2) : entry}`);
      } catch {
        throw new Error(`allow-list entry '${entry}' is not a host name`);
      }
      if (u.pathname !== '/' || u.search || u.username || !u.hostname) {
        throw new Error(`allow-list entry '${entry}' is not a host name (use a full URL for a prefix)`);
      }
      // `new URL` drops the default port 80; keep what was written so `host:80` means port 80 only
      const port = /:(\d+)$/.exec(entry)?.[1];
      return { kind: 'host', hostname: u.hostname, port, subdomains };
    });
}

/** The hosts (with port) of the http(s) URLs given: the default allow-list from the configured collections. */
export function hostsOf(urls: Iterable<string>): string[] {
  const hosts = new Set<string>();
  for (const url of urls) {
    try {
      const u = new URL(url);
      if (u.protocol in DEFAULT_PORT) hosts.add(u.host);
    } catch {
      // not a URL (a local path): nothing to allow
    }
  }
  return [...hosts];
}

function prefixMatches(prefix: string, href: string): boolean {
  if (!href.startsWith(prefix)) return false;
  if (href.length === prefix.length || /[/?#]$/.test(prefix)) return true;
  return '/?#'.includes(href[prefix.length]);
}

export function isAllowed(url: URL, rules: readonly AllowRule[]): boolean {
  const port = url.port || DEFAULT_PORT[url.protocol];
  return rules.some((r) => {
    if (r.kind === 'prefix') return prefixMatches(r.prefix, url.href);
    if (r.port !== undefined && r.port !== port) return false;
    return url.hostname === r.hostname || (r.subdomains && url.hostname.endsWith(`.${r.hostname}`));
  });
}
