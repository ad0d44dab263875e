import { describe, expect, it } from 'vitest';
import { inRange, isHostLocalAddress, isPublicAddress, unmapV4 } from '../../../src/network/address-class.js';
import { Allowlist, type AllowEntry, parseAllowEntry } from '../../../src/network/allowlist.js';
import { decideEgress } from '../../../src/network/egress-decision.js';
import { NETWORK_PRESETS, expandPresets } from '../../../src/network/presets.js';

function entries(texts: string[]): AllowEntry[] {
  return texts.map((t) => {
    const p = parseAllowEntry(t);
    if (!p.ok) throw new Error(p.reason);
    return p.entry;
  });
}

/** A list of a normal run with `allow_host_loopback = true`, the only posture where loopback can be listed. */
function list(...texts: string[]): Allowlist {
  return new Allowlist(entries(texts), { hostLoopback: true });
}

/** A list of a run that may not reach the host's loopback (lockdown, or allow_host_loopback = false). */
function noLoopback(...texts: string[]): Allowlist {
  return new Allowlist(entries(texts));
}

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.1.2.3',
    '64:ff9b::7f00:1',
    '64:ff9b::192.168.0.1',
    '2002:7f00:0001::1',
    '2002:c0a8:0101::',
    '2001:db8::1',
    'not-an-ip',
  ])('%s is not public', (a) => expect(isPublicAddress(a)).toBe(false));

  it.each([
    '1.1.1.1',
    '140.82.112.3',
    '172.32.0.1',
    '2606:4700::1111',
    '64:ff9b::8.8.8.8',
    '2002:0808:0808::1',
  ])('%s is public', (a) => expect(isPublicAddress(a)).toBe(true));
});

describe('parseAllowEntry', () => {
  it.each<[string, AllowEntry]>([
    ['api.anthropic.com', { kind: 'host', host: 'api.anthropic.com' }],
    ['API.Anthropic.COM.', { kind: 'host', host: 'api.anthropic.com' }],
    ['*.githubusercontent.com', { kind: 'subdomains', parent: 'githubusercontent.com' }],
    ['bücher.example', { kind: 'host', host: 'xn--bcher-kva.example' }],
    ['127.0.0.1', { kind: 'address', address: '127.0.0.1' }],
    ['[::1]', { kind: 'address', address: '::1' }],
    ['10.0.0.0/8', { kind: 'range', network: '10.0.0.0', prefix: 8 }],
  ])('%s', (text, entry) => expect(parseAllowEntry(text)).toEqual({ ok: true, entry }));

  it.each([
    '',
    '*',
    '*.com',
    'a.*.example.com',
    'example.*',
    'https://example.com',
    'example.com:443',
    'example.com/path',
    'user@example.com',
    'exa mple.com',
    '-bad.example',
    '10.0.0.0/33',
    'example.com/8',
    'a'.repeat(64) + '.example',
  ])('refuses %j', (text) => expect(parseAllowEntry(text).ok).toBe(false));
});

describe('Allowlist', () => {
  const l = list('api.example.com', '*.cdn.example', '127.0.0.1', '10.1.0.0/16');
  it('matches exact names, case and trailing dot aside', () => {
    expect(l.allowsName('api.example.com')).toBe(true);
    expect(l.allowsName('API.EXAMPLE.COM.')).toBe(true);
    expect(l.allowsName('example.com')).toBe(false);
    expect(l.allowsName('x.api.example.com')).toBe(false);
    expect(l.allowsName('api.example.com.evil.test')).toBe(false);
  });
  it('matches subdomains of a *. entry, not its apex or look-alikes', () => {
    expect(l.allowsName('a.cdn.example')).toBe(true);
    expect(l.allowsName('a.b.cdn.example')).toBe(true);
    expect(l.allowsName('cdn.example')).toBe(false);
    expect(l.allowsName('evilcdn.example')).toBe(false);
  });
  it('lists addresses and ranges', () => {
    expect(l.listsAddress('127.0.0.1')).toBe(true);
    expect(l.listsAddress('127.0.0.2')).toBe(false);
    expect(l.listsAddress('10.1.200.3')).toBe(true);
    expect(l.listsAddress('::ffff:127.0.0.1')).toBe(true);
  });
});

describe('decideEgress', () => {
  const l = list(
    'api.example.com',
    'rebind.example',
    'internal.example',
    '10.9.9.9',
    'localhost',
    '127.0.0.1',
  );
  const dns: Record<string, string[]> = {
    'api.example.com': ['93.184.216.34'],
    'rebind.example': ['93.184.216.34', '192.168.1.1'],
    'internal.example': ['10.1.1.1'],
    localhost: ['127.0.0.1'],
  };
  const resolve = async (name: string) => {
    const a = dns[name];
    if (!a) throw new Error('ENOTFOUND');
    return a;
  };
  const decide = (host: string, port = 443) => decideEgress(host, port, l, resolve);

  it('dials the checked address of an allowed public name', async () => {
    expect(await decide('api.example.com')).toEqual({ allowed: true, address: '93.184.216.34' });
  });
  it('refuses a name not on the list', async () => {
    expect(await decide('evil.example')).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('not on the allowlist'),
    });
  });
  it('refuses a listed name with any non-public answer (rebinding)', async () => {
    expect(await decide('rebind.example')).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('192.168.1.1'),
    });
    expect(await decide('internal.example')).toMatchObject({ allowed: false });
  });
  it('allows a private answer only where the address itself is listed', async () => {
    expect(await decide('localhost', 8080)).toEqual({ allowed: true, address: '127.0.0.1' });
  });
  it('refuses IP literals unless listed, in either notation', async () => {
    expect(await decide('93.184.216.34')).toMatchObject({ allowed: false });
    expect(await decide('10.9.9.9')).toEqual({ allowed: true, address: '10.9.9.9' });
    expect(await decide('[::1]')).toMatchObject({ allowed: false });
    expect(await decide('[::ffff:127.0.0.1]')).toEqual({ allowed: true, address: '127.0.0.1' });
  });
  it('dials a host alias at its address, and only names given as aliases', async () => {
    const aliases = new Map([['host.containers.internal', '127.0.0.1']]);
    expect(await decideEgress('host.containers.internal', 8080, l, resolve, aliases)).toEqual({
      allowed: true,
      address: '127.0.0.1',
    });
    expect(await decideEgress('host.containers.internal', 8080, l, resolve)).toMatchObject({
      allowed: false,
    });
  });
  it('refuses names that do not resolve, and impossible ports', async () => {
    expect(await decide('api.example.com', 0)).toMatchObject({ allowed: false });
    expect(await decide('api.example.com', 70000)).toMatchObject({ allowed: false });
    const l2 = list('gone.example');
    expect(await decideEgress('gone.example', 443, l2, resolve)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('does not resolve'),
    });
  });
});

describe('address ranges', () => {
  it('match only addresses of their own family', () => {
    expect(inRange('127.0.0.1', '::', 0)).toBe(false);
    expect(inRange('::1', '0.0.0.0', 0)).toBe(false);
    expect(inRange('::ffff:127.0.0.1', '0.0.0.0', 0)).toBe(false);
    expect(inRange('10.1.2.3', '10.0.0.0', 8)).toBe(true);
    expect(inRange('11.1.2.3', '10.0.0.0', 8)).toBe(false);
    expect(inRange('10.1.2.3', '10.1.2.2', 31)).toBe(true);
    expect(inRange('10.1.2.4', '10.1.2.2', 31)).toBe(false);
    expect(inRange('2001:db8::5', '2001:db8::', 32)).toBe(true);
    expect(inRange('2001:db9::5', '2001:db8::', 32)).toBe(false);
  });
  it('unmaps IPv4-mapped addresses, in either notation, and nothing else', () => {
    expect(unmapV4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(unmapV4('::FFFF:7f00:1')).toBe('127.0.0.1');
    expect(unmapV4('::1')).toBe('::1');
    expect(unmapV4('64:ff9b::7f00:1')).toBe('64:ff9b::7f00:1');
    expect(unmapV4('10.0.0.1')).toBe('10.0.0.1');
  });
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '0.0.0.0',
    '0.1.2.3',
    '::1',
    '::',
    '::ffff:127.0.0.1',
    '::ffff:0.0.0.0',
  ])('%s is the host itself', (a) => expect(isHostLocalAddress(a)).toBe(true));
  it.each(['10.0.0.1', '1.1.1.1', '::2', 'fe80::1', '::ffff:10.0.0.1'])('%s is not the host itself', (a) =>
    expect(isHostLocalAddress(a)).toBe(false),
  );
  it('counts the deprecated IPv4-compatible form as non-public', () => {
    expect(isPublicAddress('::7f00:1')).toBe(false);
  });
});

describe('the host loopback (finding B5)', () => {
  const wide = ['0.0.0.0/0', '::/0'];
  const dns: Record<string, string[]> = { 'loop.example': ['127.0.0.1'], 'v6loop.example': ['::1'] };
  const resolve = async (name: string) => dns[name] ?? ['127.0.0.1'];

  it('an IPv6 range never lists an IPv4 address, nor an IPv4 range an IPv6 one', () => {
    const v6 = noLoopback('::/0');
    expect(v6.listsAddress('93.184.216.34')).toBe(false);
    expect(v6.listsAddress('2606:4700::1111')).toBe(true);
    const v4 = noLoopback('0.0.0.0/0');
    expect(v4.listsAddress('2606:4700::1111')).toBe(false);
    expect(v4.listsAddress('93.184.216.34')).toBe(true);
    expect(v4.listsAddress('::ffff:93.184.216.34')).toBe(true);
  });

  it.each([
    ['0.0.0.0/0', '127.0.0.1'],
    ['0.0.0.0/0', '0.0.0.0'],
    ['0.0.0.0/0', '[::ffff:127.0.0.1]'],
    ['::/0', '127.0.0.1'],
    ['::/0', '[::1]'],
    ['::/0', '[::]'],
    ['0.0.0.0', '0.0.0.0'],
    ['::', '[::]'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '[::1]'],
    ['127.0.0.0/8', '127.0.0.1'],
    ['localhost', 'localhost'],
    ['loop.example', 'loop.example'],
    ['v6loop.example', 'v6loop.example'],
  ])('a run without host loopback refuses %s → %s', async (entry, host) => {
    const d = await decideEgress(host, 8080, noLoopback(entry, ...wide), resolve);
    expect(d).toMatchObject({
      allowed: false,
      hostLoopback: true,
      reason: expect.stringContaining('loopback'),
    });
  });

  it('with host loopback, a wide range never opts in; the address itself or a loopback range does', async () => {
    const wideOnly = new Allowlist(entries(wide), { hostLoopback: true });
    expect(wideOnly.listsAddress('127.0.0.1')).toBe(false);
    expect(wideOnly.listsAddress('::1')).toBe(false);
    expect(wideOnly.listsAddress('0.0.0.0')).toBe(false);
    expect(await decideEgress('127.0.0.1', 80, wideOnly, resolve)).toMatchObject({ allowed: false });
    const narrow = list('127.0.0.1', '::1', '127.5.0.0/16');
    expect(await decideEgress('127.0.0.1', 80, narrow, resolve)).toEqual({
      allowed: true,
      address: '127.0.0.1',
    });
    expect(await decideEgress('[::1]', 80, narrow, resolve)).toEqual({ allowed: true, address: '::1' });
    expect(await decideEgress('127.5.3.3', 80, narrow, resolve)).toEqual({
      allowed: true,
      address: '127.5.3.3',
    });
    expect(await decideEgress('127.0.0.2', 80, narrow, resolve)).toMatchObject({ allowed: false });
    expect(await decideEgress('[::ffff:127.0.0.1]', 80, narrow, resolve)).toEqual({
      allowed: true,
      address: '127.0.0.1',
    });
  });
});

describe('presets', () => {
  it('expand in place, without duplicates, and name unknown ones', () => {
    const r = expandPresets(['example.org', '@claude', 'api.anthropic.com', '@nope', '@toString']);
    expect(r.entries[0]).toBe('example.org');
    expect(r.entries).toContain('api.anthropic.com');
    expect(r.entries.filter((e) => e === 'api.anthropic.com')).toHaveLength(1);
    expect(r.unknown).toEqual(['@nope', '@toString']);
  });
  it('every preset entry is a valid allowlist entry', () => {
    for (const hosts of Object.values(NETWORK_PRESETS))
      for (const h of hosts) expect(parseAllowEntry(h), h).toMatchObject({ ok: true });
  });
});

describe("lockdown: the host's own addresses are out of every range", () => {
  const own = ['192.168.1.20', 'fe80::1234', '2001:4860::20', '203.0.114.9'];
  const locked = (...texts: string[]) => new Allowlist(entries(texts), { hostAddresses: () => own });
  const decide = (host: string, l: Allowlist, answer: string[] = []) =>
    decideEgress(host, 443, l, () => Promise.resolve(answer));

  it('a wide or a LAN range does not list them; other addresses in the range still are', () => {
    const l = locked('0.0.0.0/0', '::/0', '192.168.1.0/24');
    expect(l.listsAddress('192.168.1.20')).toBe(false);
    expect(l.listsAddress('::ffff:192.168.1.20')).toBe(false);
    expect(l.listsAddress('FE80:0:0:0:0:0:0:1234')).toBe(false);
    expect(l.listsAddress('2001:4860:0::20')).toBe(false);
    expect(l.listsAddress('192.168.1.21')).toBe(true);
    expect(l.listsAddress('8.8.8.8')).toBe(true);
    expect(l.isUnlistedHostAddress('192.168.1.20')).toBe(true);
  });

  it('an entry naming the address exactly (or as a /32) still lists it', () => {
    expect(locked('192.168.1.20').listsAddress('192.168.1.20')).toBe(true);
    expect(locked('192.168.1.20/32', '0.0.0.0/0').listsAddress('192.168.1.20')).toBe(true);
    expect(locked('[fe80::1234]').listsAddress('fe80:0::1234')).toBe(true);
  });

  it('a literal, or a listed name resolving to one (a public one too), is refused with a reason', async () => {
    const l = locked('0.0.0.0/0', '::/0', 'api.example.com');
    expect(await decide('192.168.1.20', l)).toEqual({
      allowed: false,
      reason:
        "the address 192.168.1.20 is this host's own address, which a lockdown run reaches only when that address itself is listed (--allow-domain 192.168.1.20)",
    });
    expect(await decide('[2001:4860::20]', l)).toMatchObject({ allowed: false });
    expect(await decide('api.example.com', l, ['8.8.8.8', '203.0.114.9'])).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/^api\.example\.com \(203\.0\.114\.9\) is this host's own address/),
    });
    expect(await decide('api.example.com', l, ['8.8.8.8'])).toEqual({ allowed: true, address: '8.8.8.8' });
    expect(await decide('192.168.1.21', l)).toEqual({ allowed: true, address: '192.168.1.21' });
  });

  it('outside lockdown (no host addresses given) a range lists them as before', () => {
    expect(noLoopback('0.0.0.0/0').listsAddress('192.168.1.20')).toBe(true);
  });
});
