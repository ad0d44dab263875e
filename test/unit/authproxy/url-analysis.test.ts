import { describe, expect, it } from 'vitest';
import { analyzeUrl, redactUrl } from '../../../src/authproxy/url-analysis.js';

const enc = encodeURIComponent;

describe('analyzeUrl', () => {
  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>1</script>',
    'chrome://settings',
    'ftp://example.com/x',
    'about:blank',
    'not a url',
    'https://user:pw@example.com/',
  ])('refuses %s', (url) => {
    expect(analyzeUrl(url).ok).toBe(false);
  });

  it('opens a plain https URL with no callback', () => {
    const a = analyzeUrl('https://example.com/docs?x=1');
    expect(a).toMatchObject({ ok: true, callback: null });
  });

  it.each([
    ['redirect_uri', `http://localhost:54321/callback`],
    ['callback_url', `http://127.0.0.1:54321/callback`],
    ['return_url', `http://[::1]:54321/callback`],
    ['redirect_url', `http://localhost:54321/callback`],
  ])('finds the loopback callback in %s', (param, target) => {
    for (const value of [enc(target), target, enc(enc(target))]) {
      const a = analyzeUrl(`https://auth.example.com/authorize?client_id=c&${param}=${value}&state=s`);
      expect(a.ok && a.callback).toMatchObject({ port: 54321, path: '/callback' });
    }
  });

  it('keeps the callback path exactly, without its query', () => {
    const a = analyzeUrl(
      `https://a.example/auth?redirect_uri=${enc('http://localhost:1455/auth/callback?x=1')}`,
    );
    expect(a.ok && a.callback).toEqual({ host: 'localhost', port: 1455, path: '/auth/callback' });
  });

  it('ignores a redirect to a host that is not loopback', () => {
    const a = analyzeUrl(`https://a.example/auth?redirect_uri=${enc('https://app.example/cb')}`);
    expect(a).toMatchObject({ ok: true, callback: null });
  });

  it('refuses a loopback callback that is not plain http, names no port, or carries credentials', () => {
    for (const target of [
      'https://localhost:1234/cb',
      'http://localhost/cb',
      'http://u:p@localhost:1234/cb',
    ]) {
      expect(analyzeUrl(`https://a.example/auth?redirect_uri=${enc(target)}`).ok).toBe(false);
    }
  });

  it.each(['0', '00', '1', '443', '1023'])('refuses a loopback callback on port %s', (port) => {
    const a = analyzeUrl(`https://a.example/auth?redirect_uri=${enc(`http://127.0.0.1:${port}/cb`)}`);
    expect(a).toEqual({
      ok: false,
      reason: `the loopback callback port ${Number(port)} is outside 1024-65535, where a login callback can listen`,
    });
  });

  it.each([1024, 65535])('accepts a loopback callback on port %i', (port) => {
    const a = analyzeUrl(`https://a.example/auth?redirect_uri=${enc(`http://localhost:${port}/cb`)}`);
    expect(a.ok && a.callback?.port).toBe(port);
  });

  it('refuses two different loopback callbacks in one URL', () => {
    const a = analyzeUrl(
      `https://a.example/auth?redirect_uri=${enc('http://localhost:1111/cb')}&callback_url=${enc('http://localhost:2222/cb')}`,
    );
    expect(a.ok).toBe(false);
  });

  it('does not mistake 127.0.0.1 lookalikes for loopback', () => {
    for (const target of ['http://127.0.0.1.evil.example:1234/cb', 'http://localhost.evil.example:1234/cb']) {
      const a = analyzeUrl(`https://a.example/auth?redirect_uri=${enc(target)}`);
      expect(a).toMatchObject({ ok: true, callback: null });
    }
  });
});

describe('redactUrl', () => {
  it('keeps scheme, host, path and query keys, never query values or the fragment', () => {
    const url = new URL('https://auth.example.com:8443/o/authorize?code_challenge=SECRET&state=S2#frag');
    const shown = redactUrl(url);
    expect(shown).toBe('https://auth.example.com:8443/o/authorize?code_challenge=…&state=…#…');
    expect(shown).not.toContain('SECRET');
  });
});
