import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OpenRateLimit } from '../../src/authproxy/open-limits.js';
import { hostBrowserOpener } from '../../src/authproxy/opener.js';
import { type HostMessage, TOKEN_HEADER } from '../../src/authproxy/protocol.js';
import {
  type AuthProxy,
  type AuthProxyOptions,
  newToken,
  startAuthProxy,
} from '../../src/authproxy/server.js';
import { REPO_ROOT } from '../support/host.js';

// The host auth proxy on a real Unix socket. The sandbox side is real processes: the built browser shim
// (dist/sandbox/auth-browser.mjs), run by a stand-in agent in its own network namespace (loopback only, like a
// container), so the host's callback port and the agent's are the same number on different loopbacks. The host
// "browser" is a fake $BROWSER script that records what it was asked to open; the test plays the user's browser
// by sending the callback to the host's loopback. Hostile cases talk to the socket with raw websocket clients.

const SHIM = join(REPO_ROOT, 'dist/sandbox/auth-browser.mjs');
const FAKE_AGENT = join(REPO_ROOT, 'test/fixtures/authproxy/fake-agent.mjs');
const enc = encodeURIComponent;

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** An HTTP request to the host's loopback, as the user's browser would send after the login page. */
function browserRequest(
  host: string,
  port: number,
  path: string,
  opts: { method?: string; body?: Buffer; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host, port, path, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The error code of a connection to the host's loopback port (ECONNREFUSED when nothing listens). */
async function connectError(port: number): Promise<string | null> {
  try {
    await browserRequest('127.0.0.1', port, '/');
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
}

interface Harness {
  dir: string;
  proxy: AuthProxy;
  token: string;
  log: string[];
  opened: () => string[];
}

const harnesses: Harness[] = [];
const children: ChildProcess[] = [];
let root: string;

async function startHarness(over: Partial<AuthProxyOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(root, 'session-'));
  chmodSync(dir, 0o700);
  const token = newToken();
  writeFileSync(join(dir, 'token'), token, { mode: 0o600 });
  const record = join(dir, 'opened.txt');
  const browser = join(dir, 'fake-browser');
  writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${record}'\n`, { mode: 0o755 });
  const log: string[] = [];
  const proxy = await startAuthProxy({
    socketPath: join(dir, 'sock'),
    token,
    policy: { autoAllowDomains: ['auth.example.test'], approval: 'deny' },
    ask: () => Promise.resolve(false),
    openBrowser: hostBrowserOpener({ BROWSER: browser }),
    timeoutMs: 20_000,
    log: (l) => log.push(l),
    ...over,
  });
  const h: Harness = {
    dir,
    proxy,
    token,
    log,
    opened: () => (existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter(Boolean) : []),
  };
  harnesses.push(h);
  return h;
}

interface AgentRun {
  events: Record<string, unknown>[];
  exit: Promise<{ code: number; stderr: string }>;
}

/** The stand-in agent in a new network namespace: listens on its loopback PORT PATH and runs the shim with URL. */
function runAgent(h: Harness, port: number, path: string, url: string): AgentRun {
  const child = spawn(
    'unshare',
    [
      '--user',
      '--map-root-user',
      '--net',
      'sh',
      '-c',
      'ip link set lo up && exec "$0" "$@"',
      process.execPath,
      FAKE_AGENT,
      String(port),
      path,
      url,
      SHIM,
    ],
    { env: { ...process.env, AGS_AUTH_PROXY_DIR: h.dir }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  const events: Record<string, unknown>[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      events.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  const exit = new Promise<{ code: number; stderr: string }>((resolve) => {
    child.on('exit', () => {
      const e = events.find((x) => x.event === 'shim-exit');
      resolve({ code: (e?.code as number) ?? -1, stderr: (e?.stderr as string) ?? '' });
    });
  });
  return { events, exit };
}

/** The shim run on its own (no listener needed) with URL; its exit code and stderr. */
function runShim(h: Harness, url: string, token?: string): Promise<{ code: number; stderr: string }> {
  if (token !== undefined) writeFileSync(join(h.dir, 'token'), token);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SHIM, url], {
      env: { ...process.env, AGS_AUTH_PROXY_DIR: h.dir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/** A raw websocket client on the proxy's socket, with the token unless told otherwise. */
function rawClient(h: Harness, headers: Record<string, string> = { [TOKEN_HEADER]: h.token }) {
  const ws = new WebSocket(`ws+unix:${join(h.dir, 'sock')}:/`, { headers });
  const messages: HostMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d)) as HostMessage));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, messages, opened, closed };
}

const loginUrl = (port: number, path = '/callback', host = 'auth.example.test') =>
  `https://${host}/authorize?client_id=c1&redirect_uri=${enc(`http://localhost:${port}${path}`)}&state=good`;

beforeAll(() => {
  if (!existsSync(SHIM))
    throw new Error('run `node scripts/build.mjs` first: dist/sandbox/auth-browser.mjs is missing');
  root = mkdtempSync(join(tmpdir(), 'ags-authproxy-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const h of harnesses.splice(0)) await h.proxy.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('auth proxy: a login flow through real processes', () => {
  it('opens the approved URL on the host and relays the callback into the sandbox, once', async () => {
    const h = await startHarness();
    const port = await freePort();
    const url = loginUrl(port);
    const agent = runAgent(h, port, '/callback', url);
    await until('the host browser to be opened', () => h.opened().length > 0);
    expect(h.opened()).toEqual([url]);

    // a wrong state, as a form_post: relayed, answered 400 by the agent, and the flow goes on (as Claude
    // Code's listener does); the browser sees the host's page saying so, not the agent's
    const body = Buffer.from('code=x&state=bad&x=%00%FF');
    const bad = await browserRequest('127.0.0.1', port, '/callback?code=x&state=bad', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toContain('reported an error (status 400)');
    expect(bad.body.toString()).not.toContain('bad state');
    // a path the URL did not name never reaches the sandbox
    expect((await browserRequest('127.0.0.1', port, '/favicon.ico')).status).toBe(404);
    // nor a method or body an OAuth callback does not use
    expect((await browserRequest('127.0.0.1', port, '/callback?state=good', { method: 'PUT' })).status).toBe(
      405,
    );
    const json = { method: 'POST', body: Buffer.from('{}'), headers: { 'content-type': 'application/json' } };
    expect((await browserRequest('127.0.0.1', port, '/callback?state=good', json)).status).toBe(415);

    // the host browser's credentials for other localhost apps (cookies are per host, not per port) stay on
    // the host; only the path, the query and harmless headers go in
    const ok = await browserRequest('127.0.0.1', port, '/callback?code=abc&state=good', {
      headers: {
        cookie: 'session=host-app-secret',
        authorization: 'Bearer host-secret',
        'proxy-authorization': 'Basic host-secret',
        origin: 'http://localhost:3000',
        referer: 'http://localhost:3000/admin',
        'x-csrf-token': 'host-secret',
        'user-agent': 'TestBrowser/1.0',
        accept: 'text/html',
      },
    });
    // the browser gets the host's page: no byte, cookie or header of the agent's answer, no scripts
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toContain('Login finished');
    expect(ok.body.includes(Buffer.from([0, 1, 2, 255, 254]))).toBe(false);
    expect(ok.headers['set-cookie']).toBeUndefined();
    expect(ok.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(ok.headers['content-security-policy']).toContain("default-src 'none'");

    const { code, stderr } = await agent.exit;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const callbacks = agent.events.filter((e) => e.event === 'callback');
    expect(callbacks.map((c) => [c.method, c.url])).toEqual([
      ['POST', '/callback?code=x&state=bad'],
      ['GET', '/callback?code=abc&state=good'],
    ]);
    expect(callbacks[0]!.bodySha).toBe(createHash('sha256').update(body).digest('hex'));
    const sent = callbacks[1]!.headers as Record<string, string>;
    expect(sent['user-agent']).toBe('TestBrowser/1.0');
    expect(sent.accept).toBe('text/html');
    expect(JSON.stringify(sent)).not.toContain('secret');
    expect(Object.keys(sent).sort()).toEqual([
      'accept',
      'connection',
      'content-length',
      'host',
      'user-agent',
    ]);
    // the flow is over: the host no longer listens on the port
    expect(await connectError(port)).toBe('ECONNREFUSED');
    // the audit log has the request, the decision and the callbacks, without query values
    const log = h.log.join('\n');
    expect(log).toContain('url=https://auth.example.test/authorize?client_id=…&redirect_uri=…&state=…');
    expect(log).toContain('approved (auto_allow_domains)');
    expect(log).toContain(`callback on port ${port} answered 200`);
    expect(log).not.toContain('abc');
    expect(log).not.toContain('c1');
  });

  it('listens on [::1] too, for a browser that resolves localhost to it', async () => {
    const h = await startHarness();
    const port = await freePort();
    const agent = runAgent(h, port, '/cb', loginUrl(port, '/cb'));
    await until('the host browser to be opened', () => h.opened().length > 0);
    const ok = await browserRequest('::1', port, '/cb?state=good');
    expect(ok.status).toBe(200);
    expect((await agent.exit).code).toBe(0);
  });

  it('times out a callback that never comes, closing the port and telling the agent', async () => {
    const h = await startHarness({ timeoutMs: 1500 });
    const port = await freePort();
    const agent = runAgent(h, port, '/callback', loginUrl(port));
    const { code, stderr } = await agent.exit;
    expect(code).toBe(1);
    expect(stderr).toContain('ags: the login was not completed in time');
    expect(await connectError(port)).toBe('ECONNREFUSED');
    expect(h.log.join('\n')).toContain(`login on port ${port} ended: timeout`);
  });

  it('names the port and the options that move it when the host port is taken', async () => {
    const h = await startHarness();
    const busy = createTcpServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as AddressInfo).port;
    try {
      const { code, stderr } = await runShim(h, loginUrl(port));
      expect(code).toBe(1);
      expect(stderr).toContain(`the login callback port ${port} is already in use on the host`);
      expect(stderr).toContain('MCP_OAUTH_CALLBACK_PORT');
      expect(h.opened()).toEqual([]);
    } finally {
      busy.close();
    }
  });
});

describe('auth proxy: what the browser gets back', () => {
  // the agent answers its callback with 302 to `to`; the browser follows only to an approved https host
  it.each([
    ['an auto-allowed https host', 'https://auth.example.test/done', 'https://auth.example.test/done'],
    ['a subdomain auto-allowed by a wildcard', 'https://a.wild.example/ok', 'https://a.wild.example/ok'],
    [
      'the host the user approved for this login',
      'https://sso.example/success',
      'https://sso.example/success',
    ],
    ['another host', 'https://evil.example/phish', null],
    ['another localhost port', 'http://localhost:3000/admin?do=delete', null],
    ['plain http on an allowed host', 'http://auth.example.test/done', null],
    ['a relative path, back onto the callback port', '/callback?leak=1', null],
    ['credentials in the URL', 'https://u:p@auth.example.test/', null],
  ])('a redirect to %s', async (_what, to, followed) => {
    const h = await startHarness({
      policy: { autoAllowDomains: ['auth.example.test', '*.wild.example'], approval: 'prompt' },
      ask: () => Promise.resolve(true),
    });
    const port = await freePort();
    const agent = runAgent(h, port, '/callback', loginUrl(port, '/callback', 'sso.example'));
    await until('the host browser to be opened', () => h.opened().length > 0);
    const r = await browserRequest('127.0.0.1', port, `/callback?state=redirect&to=${enc(to)}`);
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    if (followed) {
      expect(r.status).toBe(303);
      expect(r.headers.location).toBe(followed);
    } else {
      expect(r.status).toBe(200);
      expect(r.headers.location).toBeUndefined();
      expect(r.body.toString()).toContain('Login finished');
    }
    expect((await agent.exit).code).toBe(0);
  });

  it("never serves the agent's page: no script, no cookie reaches the browser", async () => {
    const h = await startHarness();
    const port = await freePort();
    const agent = runAgent(h, port, '/callback', loginUrl(port));
    await until('the host browser to be opened', () => h.opened().length > 0);
    const r = await browserRequest('127.0.0.1', port, '/callback?state=page');
    expect(r.status).toBe(200);
    expect(r.body.toString()).not.toContain('<script');
    expect(r.body.toString()).not.toContain('fetch');
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(
      "default-src 'none'; frame-ancestors 'none'; form-action 'none'",
    );
    expect((await agent.exit).code).toBe(0);
  });
});

describe('auth proxy: refusals', () => {
  it.each(['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,<b>x</b>', 'chrome://settings'])(
    'never opens %s',
    async (url) => {
      const h = await startHarness({
        policy: { autoAllowDomains: ['*'], approval: 'prompt' },
        ask: () => Promise.resolve(true),
      });
      const { code, stderr } = await runShim(h, url);
      expect(code).toBe(1);
      expect(stderr).toContain('only http and https URLs are opened');
      expect(h.opened()).toEqual([]);
    },
  );

  it.each([0, 80, 1023])('refuses a callback on port %i, and listens on nothing', async (port) => {
    const h = await startHarness();
    const { code, stderr } = await runShim(h, loginUrl(port));
    expect(code).toBe(1);
    if (port === 80)
      expect(stderr).toContain('names no port'); // the URL parser drops http's default port
    else expect(stderr).toContain(`the loopback callback port ${port} is outside 1024-65535`);
    expect(h.opened()).toEqual([]);
    expect(h.log.join('\n')).not.toContain('callback=localhost');
  });

  it('under approval = "deny", refuses a host not auto-allowed and listens on nothing', async () => {
    const h = await startHarness();
    const port = await freePort();
    const { code, stderr } = await runShim(h, loginUrl(port, '/callback', 'evil.example'));
    expect(code).toBe(1);
    expect(stderr).toContain('evil.example is not in [auth_proxy] auto_allow_domains');
    expect(h.opened()).toEqual([]);
    expect(await connectError(port)).toBe('ECONNREFUSED');
  });

  it('asks the user for other hosts, showing no query values; a no opens nothing', async () => {
    const asked: string[][] = [];
    const h = await startHarness({
      policy: { autoAllowDomains: [], approval: 'prompt' },
      ask: (lines) => {
        asked.push(lines);
        return Promise.resolve(false);
      },
    });
    const port = await freePort();
    const { code, stderr } = await runShim(h, loginUrl(port, '/callback', 'sso.example'));
    expect(code).toBe(1);
    expect(stderr).toContain('the user did not approve it');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.join('\n')).toContain('sso.example');
    expect(asked[0]!.join('\n')).toContain(`localhost:${port}`);
    expect(asked[0]!.join('\n')).not.toContain('c1');
    expect(h.opened()).toEqual([]);
  });

  it('a yes opens it', async () => {
    const h = await startHarness({
      policy: { autoAllowDomains: [], approval: 'prompt' },
      ask: () => Promise.resolve(true),
    });
    const { code } = await runShim(h, 'https://docs.example/page');
    expect(code).toBe(0);
    expect(h.opened()).toEqual(['https://docs.example/page']);
  });

  it('refuses a missing or wrong token before any websocket exists', async () => {
    const h = await startHarness();
    const none = rawClient(h, {});
    await expect(none.opened).rejects.toThrow('HTTP 401');
    const wrong = rawClient(h, { [TOKEN_HEADER]: 'f'.repeat(64) });
    await expect(wrong.opened).rejects.toThrow('HTTP 401');
    const { code, stderr } = await runShim(h, 'https://auth.example.test/', 'not-the-token');
    expect(code).toBe(1);
    expect(stderr).toContain('refused the connection (HTTP 401)');
    expect(h.opened()).toEqual([]);
  });

  it('allows one connection at a time', async () => {
    const h = await startHarness();
    const first = rawClient(h);
    await first.opened;
    const second = rawClient(h);
    await expect(second.opened).rejects.toThrow('HTTP 409');
    first.ws.close();
    await first.closed;
    const third = rawClient(h);
    await third.opened;
    third.ws.close();
  });

  it.each([
    ['a malformed frame', (ws: WebSocket) => ws.send('{not json')],
    [
      'an unknown message type',
      (ws: WebSocket) => ws.send(JSON.stringify({ type: 'exec', cmd: 'xdg-open file:///' })),
    ],
    ['a binary frame', (ws: WebSocket) => ws.send(Buffer.from([1, 2, 3]))],
    [
      'an oversized frame',
      (ws: WebSocket) =>
        ws.send(
          JSON.stringify({ type: 'open', id: 'a', url: `https://auth.example.test/${'a'.repeat(400_000)}` }),
        ),
    ],
    [
      'a response to no request',
      (ws: WebSocket) =>
        ws.send(JSON.stringify({ type: 'response-head', relay: 'nope', status: 200, headers: [] })),
    ],
    [
      'a response end to no request',
      (ws: WebSocket) => ws.send(JSON.stringify({ type: 'response-end', relay: 'r1' })),
    ],
    [
      'a message the host sends, sent to it',
      (ws: WebSocket) =>
        ws.send(JSON.stringify({ type: 'open-result', id: 'a', outcome: 'opened', message: 'x' })),
    ],
    [
      'an open request with an extra key',
      (ws: WebSocket) =>
        ws.send(JSON.stringify({ type: 'open', id: 'a', url: 'https://auth.example.test/', port: 22 })),
    ],
    [
      'a URL longer than the limit',
      (ws: WebSocket) =>
        ws.send(
          JSON.stringify({ type: 'open', id: 'a', url: `https://auth.example.test/${'a'.repeat(9000)}` }),
        ),
    ],
    [
      'a repeated request id',
      (ws: WebSocket) => {
        ws.send(JSON.stringify({ type: 'open', id: 'same', url: 'https://auth.example.test/' }));
        ws.send(JSON.stringify({ type: 'open', id: 'same', url: 'https://auth.example.test/' }));
      },
    ],
  ])('closes the connection on %s, and serves the next one', async (_what, hostile) => {
    const h = await startHarness();
    const c = rawClient(h);
    await c.opened;
    hostile(c.ws);
    expect([1008, 1009, 1006]).toContain(await c.closed);
    const { code } = await runShim(h, 'https://auth.example.test/after');
    expect(code).toBe(0);
    expect(h.opened().filter((u) => !u.endsWith('/after')).length).toBeLessThanOrEqual(1);
  });

  it('closes a connection that answers before the head, and the browser gets an error, not a hang', async () => {
    const h = await startHarness();
    const port = await freePort();
    const c = rawClient(h);
    await c.opened;
    c.ws.send(JSON.stringify({ type: 'open', id: 'f1', url: loginUrl(port) }));
    await until('the open result', () => c.messages.find((m) => m.type === 'open-result'));
    const reply = browserRequest('127.0.0.1', port, '/callback?state=good');
    const req = await until('the relayed request', () => c.messages.find((m) => m.type === 'request'));
    if (req.type !== 'request') throw new Error('unreachable');
    expect(req.port).toBe(port);
    c.ws.send(JSON.stringify({ type: 'response-body', relay: req.relay, data: 'AAAA' }));
    expect(await c.closed).toBe(1008);
    expect((await reply).status).toBe(502);
    expect(await connectError(port)).toBe('ECONNREFUSED');
  });
});

describe("auth proxy: the callback port and path are the URL's only", () => {
  it('while a login waits, nothing else is relayed: other ports, other paths, oversized bodies, and after the flow', async () => {
    const h = await startHarness();
    const port = await freePort();
    const other = await freePort();
    const c = rawClient(h);
    await c.opened;
    c.ws.send(JSON.stringify({ type: 'open', id: 'f1', url: loginUrl(port) }));
    await until('the open result', () => c.messages.find((m) => m.type === 'open-result'));
    // a port the URL did not name: the host listens on nothing there
    expect(await connectError(other)).toBe('ECONNREFUSED');
    // lookalike paths never reach the sandbox
    for (const path of ['/callbackx', '/callback/', '//callback', '/x/../callback', '/CALLBACK', '*']) {
      expect((await browserRequest('127.0.0.1', port, path)).status, path).toBe(404);
    }
    // a body larger than one relayed chunk is refused on the host
    const big = await browserRequest('127.0.0.1', port, '/callback', {
      method: 'POST',
      body: Buffer.alloc(300 * 1024, 0x61),
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, // a form_post, the one body relayed
    }).catch((err: NodeJS.ErrnoException) => ({ status: err.code }));
    expect([413, 'ECONNRESET', 'EPIPE']).toContain(big.status);
    expect(c.messages.filter((m) => m.type === 'request')).toEqual([]);
    // the real callback is relayed, answered, and ends the flow
    const reply = browserRequest('127.0.0.1', port, '/callback?state=good');
    const req = await until('the relayed request', () => c.messages.find((m) => m.type === 'request'));
    if (req.type !== 'request') throw new Error('unreachable');
    expect([req.port, req.path]).toEqual([port, '/callback?state=good']);
    c.ws.send(JSON.stringify({ type: 'response-head', relay: req.relay, status: 200, headers: [] }));
    c.ws.send(JSON.stringify({ type: 'response-end', relay: req.relay }));
    expect((await reply).status).toBe(200);
    await until('the flow end', () => c.messages.find((m) => m.type === 'flow-end'));
    // a second browser request after the flow: the port is closed
    expect(await connectError(port)).toBe('ECONNREFUSED');
    expect(c.messages.filter((m) => m.type === 'request')).toHaveLength(1);
    c.ws.close();
  });
});

describe('auth proxy: many flows', () => {
  it('holds at most 3 logins waiting at once, however many a connection asks for, and carries each', async () => {
    const h = await startHarness({ openLimit: new OpenRateLimit(100, 1000) });
    const c = rawClient(h);
    await c.opened;
    const ports: number[] = [];
    while (ports.length < 40) {
      const p = await freePort();
      if (!ports.includes(p)) ports.push(p);
    }
    ports.forEach((p, i) => c.ws.send(JSON.stringify({ type: 'open', id: `f${i}`, url: loginUrl(p) })));
    await until('40 open results', () => c.messages.filter((m) => m.type === 'open-result').length === 40);
    const results = c.messages.flatMap((m) => (m.type === 'open-result' ? [m] : []));
    const opened = results.filter((m) => m.outcome === 'opened');
    expect(opened.map((m) => m.id)).toEqual(['f0', 'f1', 'f2']);
    for (const m of results.filter((r) => r.outcome === 'refused'))
      expect(m.message).toContain('3 browser requests from this sandbox are already waiting');
    expect(h.opened()).toHaveLength(3);
    // the refused ones got no host listener
    for (const p of ports.slice(3)) expect(await connectError(p)).toBe('ECONNREFUSED');
    // play the shim: answer every relayed request; each login ends and frees its place
    c.ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as HostMessage;
      if (m.type !== 'request') return;
      c.ws.send(JSON.stringify({ type: 'response-head', relay: m.relay, status: 200, headers: [] }));
      c.ws.send(JSON.stringify({ type: 'response-end', relay: m.relay }));
    });
    const replies = await Promise.all(
      ports.slice(0, 3).map((p) => browserRequest('127.0.0.1', p, '/callback?state=good')),
    );
    for (const r of replies) expect(r.status).toBe(200);
    await until('3 flow ends', () => c.messages.filter((m) => m.type === 'flow-end').length === 3);
    c.ws.send(JSON.stringify({ type: 'open', id: 'again', url: loginUrl(ports[3]!) }));
    const again = await until('the next open result', () =>
      c.messages.find((m) => m.type === 'open-result' && m.id === 'again'),
    );
    expect(again.type === 'open-result' && again.outcome).toBe('opened');
    c.ws.close();
  });

  it('rate-limits browser opens, with and without a callback, auto-allowed or approved', async () => {
    const h = await startHarness({
      policy: { autoAllowDomains: ['auth.example.test'], approval: 'prompt' },
      ask: () => Promise.resolve(true),
    });
    const c = rawClient(h);
    await c.opened;
    for (let i = 0; i < 30; i++) {
      const host = i % 2 ? 'auth.example.test' : 'docs.example';
      c.ws.send(JSON.stringify({ type: 'open', id: `p${i}`, url: `https://${host}/page${i}` }));
      await until(`open result ${i}`, () =>
        c.messages.find((m) => m.type === 'open-result' && m.id === `p${i}`),
      );
    }
    const results = c.messages.flatMap((m) => (m.type === 'open-result' ? [m] : []));
    expect(results.filter((m) => m.outcome === 'opened')).toHaveLength(4);
    expect(h.opened()).toHaveLength(4);
    const refused = results.filter((m) => m.outcome === 'refused');
    expect(refused).toHaveLength(26);
    expect(refused[0]!.message).toMatch(/too many browser opens from this sandbox .* try again in \d+ s/);
    // a reconnect does not reset it
    c.ws.close();
    await c.closed;
    const { code, stderr } = await runShim(h, 'https://auth.example.test/later');
    expect(code).toBe(1);
    expect(stderr).toContain('too many browser opens');
    expect(h.opened()).toHaveLength(4);
  });

  it('asks one question at a time, and never for a connection that has gone', async () => {
    let asking = 0;
    let most = 0;
    const asked: string[] = [];
    const h = await startHarness({
      policy: { autoAllowDomains: [], approval: 'prompt' },
      ask: async (lines) => {
        asked.push(lines.join('\n'));
        most = Math.max(most, ++asking);
        await new Promise((r) => setTimeout(r, 100));
        asking -= 1;
        return false;
      },
    });
    const c = rawClient(h);
    await c.opened;
    for (const i of [0, 1, 2])
      c.ws.send(JSON.stringify({ type: 'open', id: `q${i}`, url: `https://sso${i}.example/` }));
    await until('the first question', () => asked.length === 1);
    c.ws.close();
    await c.closed;
    await new Promise((r) => setTimeout(r, 400));
    expect(most).toBe(1);
    expect(asked).toHaveLength(1);
  });

  it('a question refused is not free to repeat: questions share the bound on opens', async () => {
    const asked: string[] = [];
    const h = await startHarness({
      policy: { autoAllowDomains: [], approval: 'prompt' },
      ask: (lines) => {
        asked.push(lines.join('\n'));
        return Promise.resolve(false);
      },
    });
    const c = rawClient(h);
    await c.opened;
    for (let i = 0; i < 25; i++) {
      c.ws.send(JSON.stringify({ type: 'open', id: `z${i}`, url: `https://spam${i}.example/login` }));
      await until(`result ${i}`, () => c.messages.filter((m) => m.type === 'open-result').length === i + 1);
    }
    const results = c.messages.flatMap((m) => (m.type === 'open-result' ? [m] : []));
    expect(asked).toHaveLength(4);
    expect(
      results.slice(4).every((m) => m.outcome === 'refused' && /too many questions/.test(m.message ?? '')),
    ).toBe(true);
    expect(h.opened()).toEqual([]);
    c.ws.close();
  });

  it('refuses a second login on a port that is already waiting', async () => {
    const h = await startHarness();
    const port = await freePort();
    const c = rawClient(h);
    await c.opened;
    c.ws.send(JSON.stringify({ type: 'open', id: 'a', url: loginUrl(port) }));
    c.ws.send(JSON.stringify({ type: 'open', id: 'b', url: loginUrl(port, '/other') }));
    await until('two open results', () => c.messages.filter((m) => m.type === 'open-result').length === 2);
    const outcomes = Object.fromEntries(
      c.messages.flatMap((m) => (m.type === 'open-result' ? [[m.id, m.outcome]] : [])),
    );
    expect(outcomes).toEqual({ a: 'opened', b: 'refused' });
    expect(h.opened()).toHaveLength(1);
    c.ws.close();
  });
});
