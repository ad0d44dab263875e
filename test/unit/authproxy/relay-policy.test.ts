import { describe, expect, it } from 'vitest';
import { callbackRequest, followableRedirect } from '../../../src/authproxy/relay-policy.js';

const policy = { autoAllowDomains: ['auth.example', '*.corp.example'], approval: 'prompt' as const };

describe('callbackRequest', () => {
  it('relays a GET with only Accept, Accept-Language and User-Agent, and no body', () => {
    expect(
      callbackRequest('GET', [
        'Host',
        'localhost:5000',
        'Cookie',
        'sid=secret',
        'Authorization',
        'Bearer x',
        'Proxy-Authorization',
        'Basic x',
        'Origin',
        'http://localhost:3000',
        'Referer',
        'http://localhost:3000/',
        'Sec-Fetch-Site',
        'same-site',
        'User-Agent',
        'UA/1',
        'Accept',
        'text/html',
        'Accept-Language',
        'en',
        'Content-Type',
        'text/plain',
      ]),
    ).toEqual({
      ok: true,
      method: 'GET',
      headers: [
        ['user-agent', 'UA/1'],
        ['accept', 'text/html'],
        ['accept-language', 'en'],
      ],
      withBody: false,
    });
  });
  it('relays a form_post with its Content-Type', () => {
    expect(
      callbackRequest('POST', ['Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8']),
    ).toEqual({
      ok: true,
      method: 'POST',
      headers: [['content-type', 'application/x-www-form-urlencoded; charset=UTF-8']],
      withBody: true,
    });
  });
  it.each([
    ['PUT', [], 405],
    ['OPTIONS', [], 405],
    ['HEAD', [], 405],
    ['POST', [], 415],
    ['POST', ['Content-Type', 'application/json'], 415],
    ['POST', ['Content-Type', 'multipart/form-data; boundary=x'], 415],
  ] as const)('refuses %s %j with %i', (method, headers, status) => {
    expect(callbackRequest(method, [...headers])).toMatchObject({ ok: false, status });
  });
  it('drops a relayed header with a control character or of excessive length', () => {
    const r = callbackRequest('GET', ['User-Agent', 'a\u0000b', 'Accept', 'x'.repeat(2000)]);
    expect(r.ok && r.headers).toEqual([]);
  });
});

describe('followableRedirect', () => {
  it.each([
    [302, 'https://auth.example/done', 'x.example', 'https://auth.example/done'],
    [303, 'https://a.corp.example/ok', 'x.example', 'https://a.corp.example/ok'],
    [307, 'https://sso.example/ok', 'sso.example', 'https://sso.example/ok'],
    [302, 'https://SSO.example/ok', 'sso.example', 'https://sso.example/ok'],
  ])('follows %i to %s (approved host %s)', (status, location, approved, href) => {
    expect(followableRedirect(status, location, policy, approved)?.href).toBe(href);
  });
  it.each([
    [200, 'https://auth.example/'],
    [302, null],
    [302, '/callback?x'],
    [302, '//evil.example/'],
    [302, 'http://auth.example/'],
    [302, 'http://localhost:3000/'],
    [302, 'https://localhost:3000/'],
    [302, 'https://evil.example/'],
    [302, 'https://corp.example/'],
    [302, 'https://auth.example.evil.example/'],
    [302, 'https://u:p@auth.example/'],
    [302, 'javascript:alert(1)'],
    [302, 'data:text/html,x'],
  ])('does not follow %i to %s', (status, location) => {
    expect(followableRedirect(status, location, policy, 'sso.example')).toBeNull();
  });
  it('compares the approved host with its port', () => {
    expect(followableRedirect(302, 'https://localhost:8443/ok', policy, 'localhost:8443')?.href).toBe(
      'https://localhost:8443/ok',
    );
    expect(followableRedirect(302, 'https://localhost:3000/', policy, 'localhost:8443')).toBeNull();
    expect(followableRedirect(302, 'https://localhost/', policy, 'localhost:8443')).toBeNull();
  });
});
