/**
 * Which IP addresses an outbound request must never reach: loopback, private (RFC 1918, ULA), link-local (cloud
 * metadata services live there), CGNAT, multicast, unspecified and other special-purpose ranges. IPv6 forms that
 * embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the IPv4 address they carry, so
 * `::ffff:127.0.0.1` is loopback too.
 */
import { BlockList, isIP } from 'node:net';

export type AddressKind =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared (CGNAT)'
  | 'unique-local'
  | 'multicast'
  | 'reserved';

type Range = readonly [network: string, prefix: number, family: 'ipv4' | 'ipv6', kind: AddressKind];

const RANGES: readonly Range[] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'reserved'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  // 240/4 is reserved and holds the broadcast address 255.255.255.255
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['100::', 64, 'ipv6', 'reserved'],
  // Teredo hides an IPv4 address (obfuscated) that we cannot vet cheaply
  ['2001::', 32, 'ipv6', 'reserved'],
  ['fc00::', 7, 'ipv6', 'unique-local'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'private'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

/** The 8 16-bit groups of an IPv6 address (with an optional dotted IPv4 tail), or undefined if malformed. */
function ipv6Groups(ip: string): number[] | undefined {
  let text = ip.split('%')[0];
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const b = tail[1].split('.').map(Number);
    text = `${text.slice(0, -tail[1].length)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const parse = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const r = rest === undefined ? [] : parse(rest);
  const groups = rest === undefined ? h : [...h, ...new Array(8 - h.length - r.length).fill(0), ...r];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64 well-known prefix, 6to4), if any. */
export function embeddedIPv4(ip: string): string | undefined {
  const g = ipv6Groups(ip);
  if (!g) return undefined;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(5) && g[5] === 0xffff) return v4(g[6], g[7]); // ::ffff:a.b.c.d
  if (zeros(6) && (g[6] !== 0 || g[7] > 1)) return v4(g[6], g[7]); // ::a.b.c.d (deprecated compatible form)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4(g[6], g[7]); // 64:ff9b::/96
  if (g[0] === 0x2002) return v4(g[1], g[2]); // 6to4
  return undefined;
}

/** Classifies addresses; built once per guard (BlockLists are not shared between guards). */
export class AddressClassifier {
  private readonly lists = new Map<AddressKind, BlockList>();
  private readonly exceptions = new BlockList();
  private readonly allowAll: boolean;

  /** `allowed`: true to allow every special address, or CIDRs / addresses that may be contacted anyway. */
  constructor(allowed: boolean | readonly string[] = false) {
    for (const [net, prefix, family, kind] of RANGES) {
      let list = this.lists.get(kind);
      if (!list) this.lists.set(kind, (list = new BlockList()));
      list.addSubnet(net, prefix, family);
    }
    this.allowAll = allowed === true;
    if (Array.isArray(allowed)) for (const cidr of allowed) addCidr(this.exceptions, cidr);
  }

  /** The kind of special range an address is in; undefined for ordinary public addresses. */
  kind(ip: string): AddressKind | undefined {
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    const inner = family === 'ipv6' ? embeddedIPv4(ip) : undefined;
    if (inner !== undefined) return this.kind(inner);
    for (const [kind, list] of this.lists) if (list.check(ip, family)) return kind;
    return undefined;
  }

  /** Why a connection to `ip` is refused, or undefined when it is allowed. */
  refusal(ip: string): AddressKind | undefined {
    const kind = this.kind(ip);
    if (kind === undefined || this.allowAll) return undefined;
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (this.exceptions.check(ip, family)) return undefined;
    const inner = family === 'ipv6' ? embeddedIPv4(ip) : undefined;
    if (inner !== undefined && this.exceptions.check(inner, 'ipv4')) return undefined;
    return kind;
  }
}

/** Adds `a.b.c.d/n`, `x::y/n` or a single address; throws a plain Error naming the bad entry. */
export function addCidr(list: BlockList, cidr: string): void {
  const [addr, bits, extra] = cidr.trim().split('/');
  const family = isIP(addr);
  const max = family === 6 ? 128 : 32;
  const prefix = bits === undefined ? max : Number(bits);
  if (family === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) {
    throw new Error(`'${cidr}' is not an IP address or CIDR range`);
  }
  list.addSubnet(addr, prefix, family === 6 ? 'ipv6' : 'ipv4');
}
