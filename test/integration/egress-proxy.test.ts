import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { type AddressInfo, type Socket, connect, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Allowlist, parseAllowEntry } from '../../src/network/allowlist.js';
import { type EgressLogEntry, type EgressProxy, startEgressProxy } from '../../src/network/egress-proxy.js';
import { REPO_ROOT, type TestHost, loadTestHost, podman } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';

// The host egress proxy on a real Unix socket, against real servers on this host's loopback, driven by raw
// clients that send exactly the bytes a hostile sandbox could.

/** The list of a normal run with `allow_host_loopback = true`: these servers live on the host's loopback. */
function allow(...texts: string[]): Allowlist {
  return new Allowlist(
    texts.map((t) => (parseAllowEntry(t) as { ok: true; entry: never }).entry),
    { hostLoopback: true },
  );
}

/** Sends raw bytes on a new connection to the proxy and collects everything until it closes (or `until`). */
function exchange(
  socket: string,
  bytes: string | Buffer,
  until?: (seen: string) => boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(socket);
    let seen = '';
    c.on('data', (d) => {
      seen += d.toString('latin1');
      if (until?.(seen)) {
        c.destroy();
        resolve(seen);
      }
    });
    c.on('close', () => resolve(seen));
    c.on('error', reject);
    c.write(bytes);
  });
}

describe('egress proxy', () => {
  let dir: string;
  let web: Server;
  let webPort: number;
  let seenHosts: string[];
  let echo: ReturnType<typeof createTcpServer>;
  let echoPort: number;
  let echoed: string;
  const proxies: EgressProxy[] = [];
  let log: EgressLogEntry[];

  const proxyAt = async (
    name: string,
    list: Allowlist,
    extra: { maxConnections?: number; headersTimeoutMs?: number } = {},
  ) => {
    const socketPath = join(dir, name);
    proxies.push(
      await startEgressProxy({
        socketPath,
        allowlist: list,
        maxConnections: extra.maxConnections ?? 64,
        log: (e) => log.push(e),
        denialHint: (h) => `allow it with --allow-domain ${h}`,
        ...(extra.headersTimeoutMs ? { headersTimeoutMs: extra.headersTimeoutMs } : {}),
      }),
    );
    return socketPath;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ags-egress-'));
    seenHosts = [];
    web = createServer((req, res) => {
      seenHosts.push(String(req.headers.host));
      res.end(`hello ${req.url}`);
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    webPort = (web.address() as AddressInfo).port;
    echoed = '';
    echo = createTcpServer((s: Socket) => {
      s.on('data', (d) => {
        echoed += d.toString('latin1');
        s.write(d);
      });
      s.on('error', () => s.destroy());
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
    web.close();
    echo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards plain HTTP to a listed destination, with the Host header of the checked name', async () => {
    log = [];
    const sock = await proxyAt('a.sock', allow('localhost', '127.0.0.1'));
    const r = await exchange(
      sock,
      `GET http://localhost:${webPort}/x?y=1 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`,
    );
    expect(r).toMatch(/^HTTP\/1\.1 200/);
    expect(r).toContain('hello /x?y=1');
    expect(seenHosts.at(-1)).toBe(`localhost:${webPort}`);
    expect(log).toEqual([
      expect.objectContaining({ host: 'localhost', allowed: true, address: '127.0.0.1' }),
    ]);
  });

  it('tunnels CONNECT to a listed destination; later CONNECT bytes go into the tunnel, not to a new host', async () => {
    log = [];
    const sock = await proxyAt('b.sock', allow('localhost', '127.0.0.1'));
    const second = 'CONNECT denied.example:443 HTTP/1.1\r\n\r\n';
    const r = await exchange(
      sock,
      `CONNECT localhost:${echoPort} HTTP/1.1\r\nHost: localhost:${echoPort}\r\n\r\n${second}`,
      (seen) => seen.includes(second),
    );
    expect(r).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\n/);
    expect(echoed).toContain(second);
    await new Promise((res) => setTimeout(res, 100));
    expect(log.every((e) => e.host === 'localhost')).toBe(true);
  });

  it('never dials the host loopback for a run without it, however it is listed or spelled (B5)', async () => {
    log = [];
    const entries = ['0.0.0.0/0', '::/0', '127.0.0.1', '::1', '0.0.0.0', '::', 'localhost'];
    const list = new Allowlist(entries.map((t) => (parseAllowEntry(t) as { ok: true; entry: never }).entry));
    const sock = await proxyAt('loop.sock', list);
    const before = echoed;
    for (const target of ['127.0.0.1', '0.0.0.0', '[::ffff:127.0.0.1]', '[::1]', '[::]', 'localhost']) {
      const reply = await exchange(sock, `CONNECT ${target}:${echoPort} HTTP/1.1\r\n\r\nhello`);
      expect(reply, target).toMatch(/^HTTP\/1\.1 403 ags: [^\r]*host's own loopback/);
      const plain = await exchange(sock, `GET http://${target}:${webPort}/ HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(plain, target).toMatch(/^HTTP\/1\.1 403/);
    }
    expect(echoed).toBe(before);
    expect(log.every((e) => !e.allowed)).toBe(true);
  });

  it('refuses what is not listed with 403 and a reason naming the fix', async () => {
    log = [];
    const sock = await proxyAt('c.sock', allow('localhost'));
    // localhost is listed by name, but it resolves to loopback, which is not listed by address
    const byName = await exchange(sock, `CONNECT localhost:${echoPort} HTTP/1.1\r\n\r\n`);
    expect(byName).toMatch(/^HTTP\/1\.1 403/);
    expect(byName).toContain('non-public address 127.0.0.1');
    const literal = await exchange(sock, `GET http://127.0.0.1:${webPort}/ HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(literal).toMatch(/^HTTP\/1\.1 403/);
    expect(literal).toContain('allow it with --allow-domain 127.0.0.1');
    const other = await exchange(sock, 'CONNECT example.com:443 HTTP/1.1\r\n\r\n');
    expect(other).toContain('example.com is not on the allowlist');
    expect(log.map((e) => e.allowed)).toEqual([false, false, false]);
  });

  it('answers malformed and oversized requests with an error, and keeps serving', async () => {
    const sock = await proxyAt('d.sock', allow('localhost', '127.0.0.1'));
    expect(await exchange(sock, 'NONSENSE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await exchange(sock, 'CONNECT nohostport HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await exchange(sock, 'GET /relative HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await exchange(sock, `GET https://localhost:${webPort}/ HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 400/,
    );
    const huge = `GET http://localhost:${webPort}/ HTTP/1.1\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`;
    // refused either way: the 431, or a reset when the kernel drops the unread rest of what the client sent
    const tooBig = await exchange(sock, huge).catch((e: NodeJS.ErrnoException) => e.code ?? 'error');
    expect(tooBig).toMatch(/^(HTTP\/1\.1 431|ECONNRESET|EPIPE)/);
    const ok = await exchange(
      sock,
      `GET http://localhost:${webPort}/ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(ok).toContain('hello /ok');
  });

  it('drops a client that sends its headers too slowly', async () => {
    const sock = await proxyAt('e.sock', allow('localhost', '127.0.0.1'), { headersTimeoutMs: 500 });
    const c = connect(sock);
    let answer = '';
    c.on('data', (d) => (answer += String(d)));
    c.write('GET http://localhost/ HTTP/1.1\r\n');
    const closed = await new Promise<boolean>((resolve) => {
      c.on('close', () => resolve(true));
      c.on('error', () => resolve(true));
      setTimeout(() => resolve(false), 5_000);
    });
    expect(closed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('500 connections at once: beyond the cap they are closed, and the proxy still serves afterwards', async () => {
    const sock = await proxyAt('f.sock', allow('localhost', '127.0.0.1'), { maxConnections: 32 });
    const clients: Socket[] = [];
    const ends = [];
    for (let i = 0; i < 500; i++) {
      const c = connect(sock);
      c.on('error', () => undefined);
      clients.push(c);
      ends.push(new Promise((r) => c.on('close', r)));
    }
    await new Promise((r) => setTimeout(r, 500));
    const open = clients.filter((c) => !c.destroyed && c.readyState === 'open').length;
    expect(open).toBeLessThanOrEqual(32);
    for (const c of clients) c.destroy();
    await Promise.all(ends);
    const ok = await exchange(
      sock,
      `GET http://localhost:${webPort}/after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(ok).toContain('hello /after');
  });

  it('refuses a socket path longer than a Unix socket may have, where Node would bind a cut-short one', async () => {
    const deep = join(dir, 'd'.repeat(Math.max(1, 108 - Buffer.byteLength(dir) - '/egress.sock'.length)));
    mkdirSync(deep);
    const socketPath = join(deep, 'egress.sock');
    expect(Buffer.byteLength(socketPath)).toBeGreaterThan(107);
    await expect(proxyAt(join(deep.slice(dir.length + 1), 'egress.sock'), allow())).rejects.toThrow(
      new RegExp(
        `its socket .* would be ${Buffer.byteLength(socketPath)} bytes, over the 107 a Unix socket path may have`,
      ),
    );
    expect(readdirSync(deep)).toEqual([]);
  });
});

// The in-sandbox half: a container with no network but loopback reaches the host's proxy only through the
// forwarder, and Node inside honours the proxy variables when told to.
describe('egress proxy from a container without a network', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let web: Server;
  let webPort: number;
  let proxy: EgressProxy;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    web = createServer((req, res) => res.end(`reached ${req.url}`));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    webPort = (web.address() as AddressInfo).port;
    proxy = await startEgressProxy({
      socketPath: join(tmp.dir, 'egress.sock'),
      allowlist: allow('localhost', '127.0.0.1'),
      maxConnections: 16,
      log: () => undefined,
      denialHint: (h) => `allow it with --allow-domain ${h}`,
    });
  });
  afterAll(async () => {
    await proxy?.close();
    web?.close();
    tmp?.cleanup();
  });

  it('an allowed name answers, a denied one gets the reason, and nothing else leaves', async () => {
    const fetchIn = (url: string) =>
      `fetch(${JSON.stringify(url)}).then(async (r) => console.log(r.status, await r.text()), (e) => console.log("ERR", e.cause?.code ?? e.message))`;
    const connectIn = (authority: string) =>
      `const c = require("net").connect(3128, "127.0.0.1", () => c.write("CONNECT ${authority} HTTP/1.1\\r\\n\\r\\n")); c.on("data", (d) => { console.log(String(d).split("\\r\\n")[0]); c.destroy(); })`;
    const script = [
      // returns once the forwarder listens; a second one on the same port fails, saying so
      'node /opt/ags/sandbox/net-forward.mjs /run/ags-net/egress.sock 3128 || exit 9',
      'node /opt/ags/sandbox/net-forward.mjs /run/ags-net/egress.sock 3128 2>/dev/null && exit 8',
      `NODE_USE_ENV_PROXY=1 HTTP_PROXY=http://127.0.0.1:3128 node -e '${fetchIn(`http://localhost:${webPort}/ok`)}'`,
      // what a client that shows the proxy's answer sees (undici reports only "Request was cancelled")
      `node -e '${connectIn('example.com:443')}'`,
      // without the proxy there is no route at all
      `node -e '${fetchIn('http://1.1.1.1/')}'`,
      'cat /proc/net/route | tail -n +2 | wc -l',
    ].join('\n');
    const r = await podman(host, [
      'run',
      '--rm',
      '--network=none',
      ...host.engineArgs,
      '-v',
      `${tmp.dir}:/run/ags-net:ro`,
      '-v',
      `${join(REPO_ROOT, 'dist', 'sandbox')}:/opt/ags/sandbox:ro`,
      host.image,
      'sh',
      '-c',
      script,
    ]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const lines = String(r.stdout).trim().split('\n');
    expect(lines[0]).toBe('200 reached /ok');
    expect(lines[1]).toBe(
      'HTTP/1.1 403 ags: example.com is not on the allowlist; allow it with --allow-domain example.com',
    );
    expect(lines[2]).toMatch(/^ERR (ENETUNREACH|EHOSTUNREACH|ECONNREFUSED)/);
    expect(lines[3]).toBe('0');
  });
});
