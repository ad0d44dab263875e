import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isHostLocalAddress, isPublicAddress, unmapV4 } from './address-class.js';
import { type Allowlist, canonicalHost } from './allowlist.js';

/** Resolves a name to every address the host's resolver gives (the same lookup the proxy then dials). */
export type Resolve = (name: string) => Promise<string[]>;

export const systemResolve: Resolve = async (name) =>
  (await lookup(name, { all: true, verbatim: true })).map((a) => a.address);

/** What the proxy does with one requested destination: dial exactly `address`, or refuse with a reason. */
export type EgressDecision =
  { allowed: true; address: string } | { allowed: false; reason: string; hostLoopback?: true };

/** The refusal of a destination on the host's own loopback, for a run that may not reach it. */
function loopbackRefusal(what: string): EgressDecision {
  return {
    allowed: false,
    reason: `${what} is the host's own loopback, which this run cannot reach`,
    hostLoopback: true,
  };
}

/** The refusal of one of the host's own addresses that only a range (or a name) led to, in lockdown. */
function hostAddressRefusal(what: string, address: string): EgressDecision {
  return {
    allowed: false,
    reason: `${what} is this host's own address, which a lockdown run reaches only when that address itself is listed (--allow-domain ${address})`,
  };
}

/** Names that always mean the host itself (RFC 6761), whatever a resolver says. */
function isLoopbackName(name: string): boolean {
  const host = canonicalHost(name);
  return host === 'localhost' || (host?.endsWith('.localhost') ?? false);
}

const RESOLVE_TIMEOUT_MS = 5_000;

/**
 * Decides one destination. A name must match the allowlist, and every address it resolves to must be public or
 * listed by address: one private answer among public ones is what a rebinding name looks like, so it refuses the
 * name rather than picking the public one. The caller connects to the returned address, never to the name
 * again, so the name cannot resolve differently between this check and the connection.
 */
export async function decideEgress(
  host: string,
  port: number,
  allowlist: Allowlist,
  resolve: Resolve = systemResolve,
  hostAliases: ReadonlyMap<string, string> = new Map(),
): Promise<EgressDecision> {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return { allowed: false, reason: `port ${port} is not a TCP port` };
  // the names the sandbox knows the host's own services by: the host's loopback, only where the run allows it
  const alias = hostAliases.get(host.toLowerCase());
  if (alias !== undefined) return { allowed: true, address: alias };
  const bracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bracketed)) {
    const literal = unmapV4(bracketed);
    if (isHostLocalAddress(literal) && !allowlist.hostLoopback)
      return loopbackRefusal(`the address ${literal}`);
    if (allowlist.isUnlistedHostAddress(literal))
      return hostAddressRefusal(`the address ${literal}`, literal);
    return allowlist.listsAddress(literal)
      ? { allowed: true, address: literal }
      : {
          allowed: false,
          reason: `the IP address ${literal} is not on the allowlist (list the address itself)`,
        };
  }
  if (isLoopbackName(host) && !allowlist.hostLoopback) return loopbackRefusal(host);
  if (!allowlist.allowsName(host)) return { allowed: false, reason: `${host} is not on the allowlist` };
  let addresses: string[];
  try {
    addresses = await withTimeout(resolve(host), RESOLVE_TIMEOUT_MS);
  } catch {
    return { allowed: false, reason: `${host} does not resolve` };
  }
  if (addresses.length === 0) return { allowed: false, reason: `${host} does not resolve` };
  addresses = addresses.map(unmapV4);
  const local = addresses.find(isHostLocalAddress);
  if (local !== undefined && !allowlist.hostLoopback) return loopbackRefusal(`${host} (${local})`);
  const own = addresses.find((a) => allowlist.isUnlistedHostAddress(a));
  if (own !== undefined) return hostAddressRefusal(`${host} (${own})`, own);
  const inner = addresses.find((a) => !isPublicAddress(a) && !allowlist.listsAddress(a));
  if (inner !== undefined)
    return {
      allowed: false,
      reason: `${host} resolves to the non-public address ${inner} (list that address to allow it)`,
    };
  return { allowed: true, address: addresses[0]! };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
