import { describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../../src/network/address-class.js';
import { Allowlist, type AllowEntry, parseAllowEntry } from '../../../src/network/allowlist.js';
import { decideEgress } from '../../../src/network/egress-decision.js';
import { NETWORK_PRESETS, expandPresets } from '../../../src/network/presets.js';

function list(...texts: string[]): Allowlist {
  return new Allowlist(
    texts.map((t) => {
      const p = parseAllowEntry(t);
      if (!p.ok) throw new Error(p.reason);
      return p.entry;
    }),
  );
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
    expect(await decide('[::ffff:127.0.0.1]')).toEqual({ allowed: true, address: '::ffff:127.0.0.1' });
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
