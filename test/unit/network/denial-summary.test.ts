import { describe, expect, it } from 'vitest';
import { DenialTally } from '../../../src/network/denial-summary.js';
import { allowlistBanner } from '../../../src/launch/services/egress-proxy.js';

describe('the end-of-run line of refused connections', () => {
  it('says nothing when nothing was refused', () => {
    expect(new DenialTally().summary('~/log')).toBeNull();
  });

  it('names each destination once with its reason and count, the first few, then how many more', () => {
    const t = new DenialTally();
    t.add('10.0.2.2', 8080, 'the IP address 10.0.2.2 is not on the allowlist');
    t.add('10.0.2.2', 8080, 'the IP address 10.0.2.2 is not on the allowlist');
    t.add('example.com', 443, 'example.com is not on the allowlist');
    expect(t.summary('/s/network.log')).toBe(
      'ags: network: the proxy refused 3 connections: 10.0.2.2:8080 (the IP address 10.0.2.2 is not on the allowlist) ×2, example.com:443 (example.com is not on the allowlist); all decisions in /s/network.log',
    );
    for (const h of ['a.test', 'b.test', 'c.test']) t.add(h, 443, `${h} is not on the allowlist`);
    expect(t.summary('/l', 2)).toBe(
      'ags: network: the proxy refused 6 connections: 10.0.2.2:8080 (the IP address 10.0.2.2 is not on the allowlist) ×2, example.com:443 (example.com is not on the allowlist), and 3 more; all decisions in /l',
    );
  });

  it('keeps a bounded number of destinations and clips long names (the sandbox chooses them)', () => {
    const t = new DenialTally(2);
    const long = 'x'.repeat(500);
    t.add(long, 443, 'r');
    for (let i = 0; i < 1000; i++) t.add(`h${i}.test`, 443, 'r');
    const line = t.summary('/l')!;
    expect(line).toContain(`${'x'.repeat(120)}…:443`);
    expect(line).not.toContain('x'.repeat(121));
    expect(line).toMatch(
      /refused 1001 connections: .*h0\.test:443 \(r\), and 999 more; all decisions in \/l$/,
    );
  });
});

describe('the start line of an allowlist run', () => {
  it('counts the entries, shows the first eight, and says when host services are reachable', () => {
    expect(allowlistBanner({ allow: [], hostLoopback: false })).toBe(
      'ags: network: allowlist through the host proxy (no entries)',
    );
    expect(allowlistBanner({ allow: ['a.test'], hostLoopback: true })).toBe(
      'ags: network: allowlist through the host proxy (1 entry: a.test); host services at host.containers.internal',
    );
    const ten = Array.from({ length: 10 }, (_, i) => `h${i}.test`);
    expect(allowlistBanner({ allow: ten, hostLoopback: false })).toBe(
      `ags: network: allowlist through the host proxy (10 entries: ${ten.slice(0, 8).join(', ')}, …)`,
    );
  });
});
