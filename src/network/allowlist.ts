import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { HOST_LOCAL_RANGES, addressBytes, inRange, isHostLocalAddress, unmapV4 } from './address-class.js';

/**
 * One entry of a network allowlist, as the user wrote it: a host name (`api.example.com`), every subdomain of one
 * (`*.example.com`, not the apex itself), an IP address, or an IP range in CIDR form. Names are compared in their
 * ASCII (punycode) form, lower case, without a trailing dot.
 */
export type AllowEntry =
  | { kind: 'host'; host: string }
  | { kind: 'subdomains'; parent: string }
  | { kind: 'address'; address: string }
  | { kind: 'range'; network: string; prefix: number };

/** Why an entry was refused, for a one-line config error; null when it is valid. */
export type ParsedEntry = { ok: true; entry: AllowEntry } | { ok: false; reason: string };

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A host name in the form the proxy compares, or null when it is not a valid DNS name. */
export function canonicalHost(name: string): string | null {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed.length === 0 || trimmed.length > 253) return null;
  const ascii = domainToASCII(trimmed);
  if (!ascii) return null;
  const labels = ascii.split('.');
  return labels.every((l) => LABEL.test(l)) ? ascii : null;
}

/** Parses one allowlist entry; refuses anything that is not exactly one of the four forms. */
export function parseAllowEntry(text: string): ParsedEntry {
  const s = text.trim().toLowerCase();
  const unbracketed = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  if (isIP(unbracketed)) return { ok: true, entry: { kind: 'address', address: unbracketed } };
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (cidr) {
    const family = isIP(cidr[1]!);
    const prefix = Number(cidr[2]);
    if (family === 0) return { ok: false, reason: `"${text}" is not an IP range (address/prefix)` };
    if (prefix > (family === 4 ? 32 : 128))
      return { ok: false, reason: `"${text}": the prefix is longer than the address` };
    return { ok: true, entry: { kind: 'range', network: cidr[1]!, prefix } };
  }
  if (s.startsWith('*.')) {
    const parent = canonicalHost(s.slice(2));
    if (!parent || !parent.includes('.'))
      return { ok: false, reason: `"${text}": "*." must be followed by a domain with a dot in it` };
    return { ok: true, entry: { kind: 'subdomains', parent } };
  }
  if (s.includes('*'))
    return { ok: false, reason: `"${text}": a wildcard is allowed only as a leading "*."` };
  if (/[:/@?#\s]/.test(s))
    return { ok: false, reason: `"${text}" is not a host name (no scheme, port, path or user)` };
  const host = canonicalHost(s);
  if (!host) return { ok: false, reason: `"${text}" is not a valid host name` };
  return { ok: true, entry: { kind: 'host', host } };
}

/** Options of a compiled allowlist. */
export interface AllowlistOptions {
  /**
   * Whether the host's loopback (and the unspecified addresses) may be dialled at all: only a normal run with
   * `[network] allow_host_loopback = true`, never lockdown. Even then only an entry naming the address itself
   * (or a range inside the loopback) opts in: a wide range such as 0.0.0.0/0 never does.
   */
  hostLoopback?: boolean;
  /**
   * The host's own addresses (its interfaces'), asked at each decision since they change during a run (a VPN,
   * DHCP): given in lockdown, where such an address counts as listed only when an entry names it exactly. A
   * range (`0.0.0.0/0`, the LAN's `/24`) or a public name that resolves to it does not reach the services the
   * host binds to all interfaces.
   */
  hostAddresses?: () => readonly string[];
}

/** An address in one spelling per address: IPv4 dotted, IPv6 as its 16 bytes (IPv4-mapped ones as IPv4). */
function addressKey(address: string): string | null {
  const a = unmapV4(address);
  return isIP(a) === 4 ? a : (addressBytes(a)?.join('.') ?? null);
}

type Range = { network: string; prefix: number };

/** A compiled allowlist: asks whether a requested name may be reached, and which addresses may be dialled. */
export class Allowlist {
  private readonly hosts = new Set<string>();
  private readonly parents: string[] = [];
  private readonly ranges: Range[] = [];
  /** The addresses entries name exactly (not through a range), by addressKey. */
  private readonly exact = new Set<string>();
  private readonly hostAddresses: (() => readonly string[]) | undefined;
  readonly hostLoopback: boolean;

  constructor(
    readonly entries: readonly AllowEntry[],
    options: AllowlistOptions = {},
  ) {
    this.hostLoopback = options.hostLoopback === true;
    this.hostAddresses = options.hostAddresses;
    for (const e of entries) {
      if (e.kind === 'host') this.hosts.add(e.host);
      else if (e.kind === 'subdomains') this.parents.push(e.parent);
      else if (e.kind === 'address') {
        this.ranges.push(normalRange(e.address, isIP(e.address) === 4 ? 32 : 128));
        const key = addressKey(e.address);
        if (key !== null) this.exact.add(key);
      } else {
        const r = normalRange(e.network, e.prefix);
        this.ranges.push(r);
        // a range of one address names it exactly
        const key = addressKey(r.network);
        if (key !== null && r.prefix === (isIP(r.network) === 4 ? 32 : 128)) this.exact.add(key);
      }
    }
  }

  /** Whether a requested host name (not an IP literal) matches a name entry. */
  allowsName(name: string): boolean {
    const host = canonicalHost(name);
    if (!host) return false;
    return this.hosts.has(host) || this.parents.some((p) => host.endsWith(`.${p}`));
  }

  /**
   * Whether an address was listed by the user itself (as an address or within a range of its own family). The
   * host's loopback counts only where the run allows it and an entry lies wholly inside the loopback range.
   */
  listsAddress(address: string): boolean {
    if (isIP(address) === 0) return false;
    const a = unmapV4(address);
    const matching = this.ranges.filter((r) => inRange(a, r.network, r.prefix));
    if (isHostLocalAddress(a)) return this.hostLoopback && matching.some(insideHostLocal);
    if (this.isUnlistedHostAddress(a)) return false;
    return matching.length > 0;
  }

  /** Whether `address` is one of the host's own (where the run keeps them out) and no entry names it exactly. */
  isUnlistedHostAddress(address: string): boolean {
    if (!this.hostAddresses) return false;
    const key = addressKey(address);
    if (key === null || this.exact.has(key)) return false;
    return this.hostAddresses().some((h) => addressKey(h) === key);
  }
}

/** An entry's range, with an IPv4-mapped IPv6 network written as the IPv4 range it is. */
function normalRange(network: string, prefix: number): Range {
  const v4 = unmapV4(network);
  if (v4 !== network && isIP(network) === 6)
    return prefix >= 96 ? { network: v4, prefix: prefix - 96 } : { network, prefix };
  return { network, prefix };
}

function insideHostLocal(r: Range): boolean {
  return HOST_LOCAL_RANGES.some(([net, prefix]) => r.prefix >= prefix && inRange(r.network, net, prefix));
}
