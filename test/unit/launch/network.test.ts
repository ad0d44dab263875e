import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/config/schema.js';
import { effectiveNetwork } from '../../../src/launch/network.js';

const cfg = (network: object, agents: object = {}) =>
  ConfigSchema.parse({ network, agents }) as Parameters<typeof effectiveNetwork>[0];

describe('effectiveNetwork', () => {
  it('open by default, host loopback off', () => {
    expect(effectiveNetwork(cfg({}), 'shell', { allowDomain: [] })).toEqual({
      network: { mode: 'open', hostLoopback: false },
      egress: null,
    });
  });
  it('allowlist: the agent preset first, then the config, the agent and the flags, presets expanded', () => {
    const r = effectiveNetwork(
      cfg(
        { mode: 'allowlist', allow_domains: ['example.org'] },
        { claude: { network: { allow_domains: ['@git'] } } },
      ),
      'claude',
      { allowDomain: ['10.0.0.0/8'] },
    );
    expect(r.network).toMatchObject({ mode: 'proxied', socket: '/run/ags-net/egress.sock' });
    expect(r.egress?.allow[0]).toBe('api.anthropic.com');
    expect(r.egress?.allow).toContain('example.org');
    expect(r.egress?.allow).toContain('github.com');
    expect(r.egress?.allow.at(-1)).toBe('10.0.0.0/8');
    expect(r.egress?.maxConnections).toBe(64);
  });
  it('the flag wins over the agent, which wins over [network]', () => {
    const c = cfg({ mode: 'open' }, { pi: { network: { mode: 'none' } } });
    expect(effectiveNetwork(c, 'pi', { allowDomain: [] }).network).toEqual({ mode: 'none' });
    expect(effectiveNetwork(c, 'pi', { network: 'allowlist', allowDomain: [] }).network.mode).toBe('proxied');
    expect(effectiveNetwork(c, 'shell', { allowDomain: [] }).network.mode).toBe('open');
  });
  it('refuses --allow-domain outside allowlist, and malformed entries, as usage errors', () => {
    expect(() => effectiveNetwork(cfg({}), 'shell', { allowDomain: ['x.example'] })).toThrow(
      /applies to the allowlist/,
    );
    expect(() =>
      effectiveNetwork(cfg({ mode: 'allowlist' }), 'shell', { allowDomain: ['http://x/'] }),
    ).toThrow(/--allow-domain/);
    expect(() => effectiveNetwork(cfg({ mode: 'allowlist' }), 'shell', { allowDomain: ['@nope'] })).toThrow(
      /unknown network preset @nope/,
    );
  });
});

describe('effectiveNetwork in lockdown', () => {
  const locked = (lockdown: object, network: object = {}, agents: object = {}) =>
    ConfigSchema.parse({ lockdown, network, agents }) as Parameters<typeof effectiveNetwork>[0];

  it('allowlist by default: the agent preset and [lockdown] allow_domains only, no host loopback', () => {
    const c = locked(
      { allow_domains: ['mock.example'] },
      { mode: 'open', allow_host_loopback: true, allow_domains: ['wide.example'] },
      { claude: { network: { mode: 'open', allow_domains: ['agent.example'] } } },
    );
    const r = effectiveNetwork(c, 'claude', { allowDomain: [], lockdown: true });
    expect(r.network).toMatchObject({ mode: 'proxied', hostLoopback: false });
    expect(r.egress?.allow[0]).toBe('api.anthropic.com');
    expect(r.egress?.allow.at(-1)).toBe('mock.example');
    expect(r.egress?.allow).not.toContain('wide.example');
    expect(r.egress?.allow).not.toContain('agent.example');
    expect(r.egress?.hostLoopback).toBe(false);
  });
  it('--allow-domain adds to the lockdown list; --network none and [lockdown] network = "none" close it', () => {
    const r = effectiveNetwork(locked({}), 'shell', { allowDomain: ['x.example'], lockdown: true });
    expect(r.egress?.allow).toEqual(['x.example']);
    expect(
      effectiveNetwork(locked({}), 'shell', { network: 'none', allowDomain: [], lockdown: true }).network,
    ).toEqual({ mode: 'none' });
    expect(
      effectiveNetwork(locked({ network: 'none' }), 'shell', { allowDomain: [], lockdown: true }).network,
    ).toEqual({ mode: 'none' });
  });
  it('refuses --network open as a usage error', () => {
    expect(() =>
      effectiveNetwork(locked({}), 'shell', { network: 'open', allowDomain: [], lockdown: true }),
    ).toThrow(/--network open cannot be used in lockdown/);
  });
  it('[lockdown] network = "open" is not a valid config', () => {
    expect(() => ConfigSchema.parse({ lockdown: { network: 'open' } })).toThrow();
  });
});
