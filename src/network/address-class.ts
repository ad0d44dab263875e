import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * Address ranges a name on an allowlist must never lead to unless the user lists the address itself: the host's
 * own loopback, its local networks, link-local (cloud metadata lives at 169.254.169.254), and the ranges no public
 * service uses. A name that resolves into one of these is how a hostile page or repository turns "api.example.com
 * is allowed" into "the user's router admin page is allowed".
 */
const NON_PUBLIC_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT, often tailnets
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255
];

const NON_PUBLIC_V6: [string, number][] = [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['100::', 64], // discard
  ['2001::', 32], // Teredo: tunnels to an address this check cannot see
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some stacks)
  ['ff00::', 8], // multicast
];

const nonPublic = new BlockList();
for (const [net, prefix] of NON_PUBLIC_V4) nonPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of NON_PUBLIC_V6) nonPublic.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address an IPv6 address carries inside it (NAT64 64:ff9b::/96, 6to4 2002::/16), if any. */
function embeddedV4(address: string): string | null {
  const groups = expandV6(address);
  if (!groups) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0))
    return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!);
  return null;
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
export function expandV6(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...new Array<number>(fill).fill(0), ...right];
}

/** Whether an IP address belongs to the public internet (and not to the host, its networks or a reserved range). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (nonPublic.check(address, family === 4 ? 'ipv4' : 'ipv6')) return false;
  const inner = family === 6 ? embeddedV4(address) : null;
  return inner === null || !nonPublic.check(inner, 'ipv4');
}

/** The bytes of an IP address (4 for IPv4, 16 for IPv6), or null when it is not one. */
export function addressBytes(address: string): number[] | null {
  if (isIP(address) === 4) return address.split('.').map(Number);
  const groups = expandV6(address);
  return groups ? groups.flatMap((g) => [g >> 8, g & 0xff]) : null;
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it is; any other address as given. */
export function unmapV4(address: string): string {
  const b = addressBytes(address);
  if (!b || b.length !== 16 || !b.slice(0, 10).every((x) => x === 0) || b[10] !== 0xff || b[11] !== 0xff)
    return address;
  return b.slice(12).join('.');
}

/** Whether `address` lies in network/prefix of the same family (an IPv6 range never matches IPv4, nor back). */
export function inRange(address: string, network: string, prefix: number): boolean {
  const a = addressBytes(address);
  const n = addressBytes(network);
  if (!a || !n || a.length !== n.length || prefix < 0 || prefix > a.length * 8) return false;
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((a[bit >> 3]! & mask) !== (n[bit >> 3]! & mask)) return false;
  }
  return true;
}

/**
 * The host's own loopback and the unspecified addresses (which a connection on the host also lands on the
 * loopback with): 127.0.0.0/8, 0.0.0.0/8, ::1, ::, and their IPv4-mapped forms. A proxy on the host that dials
 * one of these reaches the user's local services.
 */
export const HOST_LOCAL_RANGES: readonly [string, number][] = [
  ['127.0.0.0', 8],
  ['0.0.0.0', 8],
  ['::1', 128],
  ['::', 128],
];

export function isHostLocalAddress(address: string): boolean {
  const a = unmapV4(address);
  return HOST_LOCAL_RANGES.some(([net, prefix]) => inRange(a, net, prefix));
}

/** Every address of the host's own interfaces, loopback included (asked anew at each call). */
export function hostInterfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}
