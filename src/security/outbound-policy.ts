/** The outbound policy as plain data (config and worker threads carry it), and how the default is chosen. */
import { hostsOf } from './allow-list.ts';

/** Plain data, so that worker threads can build the same guard from their workerData. */
export interface OutboundPolicy {
  /** Hosts (`example.com`, `*.example.com`, `host:port`) or URL prefixes (`https://example.com/stac/`). */
  allow: readonly string[];
  /** true: any address; false: public addresses only; a list: public addresses plus these CIDRs / addresses. */
  allowPrivate: boolean | readonly string[];
  /** Largest response body in bytes (after decompression). */
  maxBytes: number;
  /** Whole request, from connecting to the last body byte. */
  timeoutMs: number;
  maxRedirects: number;
}

/** The settings read from the environment (see config.ts); `allow` unset → the collections' hosts. */
export type OutboundSettings = Omit<OutboundPolicy, 'allow'> & { allow?: readonly string[] };

export const OUTBOUND_DEFAULTS = { maxBytes: 256 * 1024 * 1024, timeoutMs: 120_000, maxRedirects: 5 } as const;

/** The policy for this deployment: the configured allow-list, or the hosts of the collections' STAC URLs. */
export function outboundPolicy(settings: OutboundSettings, collectionUrls: Iterable<string>): OutboundPolicy {
  return { ...settings, allow: settings.allow ?? hostsOf(collectionUrls) };
}

/** The STAC URLs of configured collections (STAC API roots and static catalog hrefs). */
export function collectionUrls(entries: Iterable<{ source: { type: string; url?: string; href?: string } }>): string[] {
  const urls: string[] = [];
  for (const e of entries) {
    const u = e.source.url ?? e.source.href;
    if (u) urls.push(u);
  }
  return urls;
}
