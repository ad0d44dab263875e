import { describe, expect, it } from 'vitest';
import { describeRequest, domainMatches, policyDecision } from '../../../src/authproxy/approval.js';
import { analyzeUrl } from '../../../src/authproxy/url-analysis.js';

describe('domainMatches', () => {
  it('matches an exact host only', () => {
    expect(domainMatches('auth.example.com', 'auth.example.com')).toBe(true);
    expect(domainMatches('evil-auth.example.com', 'auth.example.com')).toBe(false);
    expect(domainMatches('auth.example.com.evil', 'auth.example.com')).toBe(false);
  });
  it('matches *. patterns on subdomains only, not the apex or lookalikes', () => {
    expect(domainMatches('a.example.com', '*.example.com')).toBe(true);
    expect(domainMatches('a.b.example.com', '*.example.com')).toBe(true);
    expect(domainMatches('example.com', '*.example.com')).toBe(false);
    expect(domainMatches('badexample.com', '*.example.com')).toBe(false);
  });
  it('ignores the case of the pattern', () => {
    expect(domainMatches('auth.example.com', 'Auth.Example.COM')).toBe(true);
  });
});

describe('policyDecision', () => {
  const policy = { autoAllowDomains: ['auth.example.com', '*.corp.example'], approval: 'prompt' as const };
  it('allows auto-allowed hosts, asks for the rest, denies under approval = "deny"', () => {
    expect(policyDecision('auth.example.com', policy)).toBe('allow');
    expect(policyDecision('sso.corp.example', policy)).toBe('allow');
    expect(policyDecision('other.example', policy)).toBe('ask');
    expect(policyDecision('other.example', { ...policy, approval: 'deny' })).toBe('deny');
    expect(policyDecision('auth.example.com', { ...policy, approval: 'deny' })).toBe('allow');
  });
});

describe('describeRequest', () => {
  it('shows scheme, host, path, query keys and the callback port, never query values', () => {
    const a = analyzeUrl(
      `https://auth.example.com/authorize?client_id=SECRETCLIENT&redirect_uri=${encodeURIComponent('http://localhost:4321/callback')}`,
    );
    if (!a.ok) throw new Error('expected ok');
    const text = describeRequest(a).join('\n');
    expect(text).toContain('scheme: https');
    expect(text).toContain('host:   auth.example.com');
    expect(text).toContain('path:   /authorize');
    expect(text).toContain('client_id, redirect_uri (values not shown)');
    expect(text).toContain('localhost:4321');
    expect(text).not.toContain('SECRETCLIENT');
  });
  it('escapes control and bidi characters a hostile URL could carry', () => {
    const a = analyzeUrl('https://example.com/%1B[2J?\u202ekey=1');
    if (!a.ok) throw new Error('expected ok');
    const text = describeRequest(a).join('\n');
    expect(text).not.toContain(String.fromCharCode(0x1b));
    expect(text).not.toContain('\u202e');
  });
});
