import { BlockList, isIP } from 'node:net';
import { domainToASCII } from 'node:url';

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

/** A compiled allowlist: asks whether a requested name may be reached, and which addresses may be dialled. */
export class Allowlist {
  private readonly hosts = new Set<string>();
  private readonly parents: string[] = [];
  private readonly addresses = new BlockList();

  constructor(readonly entries: readonly AllowEntry[]) {
    for (const e of entries) {
      if (e.kind === 'host') this.hosts.add(e.host);
      else if (e.kind === 'subdomains') this.parents.push(e.parent);
      else if (e.kind === 'address') this.addresses.addAddress(e.address, familyOf(e.address));
      else this.addresses.addSubnet(e.network, e.prefix, familyOf(e.network));
    }
  }

  /** Whether a requested host name (not an IP literal) matches a name entry. */
  allowsName(name: string): boolean {
    const host = canonicalHost(name);
    if (!host) return false;
    return this.hosts.has(host) || this.parents.some((p) => host.endsWith(`.${p}`));
  }

  /** Whether an address was listed by the user itself (as an address or within a range). */
  listsAddress(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.addresses.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 4 ? 'ipv4' : 'ipv6';
}
