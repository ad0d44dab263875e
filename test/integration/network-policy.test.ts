import { mkdirSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// The network modes through ags itself, in real rootless containers, against a web server on the host's loopback.
describe('network policy', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let runtime: string;
  let repo: string;
  let web: Server;
  let port: number;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    runtime = join(tmp.dir, 'run');
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    giveToTestUser(host, runtime);
    repo = await makeTestRepo(host, tmp.dir, { 'README.md': 'hi\n' });
    web = createServer((req, res) => res.end(`host says ${req.url}`));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    port = (web.address() as AddressInfo).port;
  });
  afterAll(() => {
    web?.close();
    tmp?.cleanup();
  });

  const config = (name: string, network: string) =>
    writeTestConfig(host, join(tmp.dir, name), `[network]\n${network}\n`);
  const run = (cfg: string, script: string, extra: string[] = []) =>
    runAgs(host, ['--config', cfg, ...extra, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });
  // one line per probe, in order: fetch through whatever the environment says, a raw CONNECT, and no proxy
  const fetchLine = (url: string) =>
    `node -e 'fetch(${JSON.stringify(url)}).then(async (r) => console.log(r.status, await r.text()), (e) => console.log("ERR"))'`;
  const connectLine = (authority: string) =>
    `node -e 'const c = require("net").connect(3128, "127.0.0.1", () => c.write("CONNECT ${authority} HTTP/1.1\\r\\n\\r\\n")); c.on("data", (d) => { console.log(String(d).split("\\r\\n")[0]); c.destroy(); }); c.on("error", () => console.log("ERR"))'`;
  const direct = [
    // TCP and UDP to the outside without the proxy, and a name lookup
    `env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy node -e 'require("net").connect(80, "1.1.1.1").on("connect", () => console.log("TCP OPEN")).on("error", (e) => console.log("TCP", e.code))'`,
    `node -e 'const s = require("dgram").createSocket("udp4"); s.send("x", 53, "1.1.1.1", (e) => { console.log("UDP", e ? e.code : "SENT"); s.close(); })'`,
    `node -e 'require("dns").lookup("example.com", (e) => console.log("DNS", e ? e.code : "RESOLVED"))'`,
    'echo "ROUTES $(tail -n +2 /proc/net/route | wc -l)"',
  ];

  it('allowlist: host services by name through the proxy; everything else refused with its reason, and no way around it', async () => {
    const cfg = config(
      'allow',
      'mode = "allowlist"\nallow_host_loopback = true\nallow_domains = ["example.org"]',
    );
    const r = await run(
      cfg,
      [
        fetchLine(`http://host.containers.internal:${port}/ok`),
        connectLine('example.com:443'),
        connectLine('93.184.216.34:443'),
        connectLine(`localhost:${port}`),
        ...direct,
      ].join('\n'),
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toContain('ags: network: allowlist through the host proxy');
    const lines = String(r.stdout).trim().split('\n');
    expect(lines[0]).toBe('200 host says /ok');
    expect(lines[1]).toMatch(
      /^HTTP\/1\.1 403 ags: example\.com is not on the allowlist; allow it with --allow-domain example\.com/,
    );
    expect(lines[2]).toMatch(/^HTTP\/1\.1 403 ags: the IP address 93\.184\.216\.34 is not on the allowlist/);
    expect(lines[3]).toMatch(/^HTTP\/1\.1 403 ags: localhost is not on the allowlist/);
    expect(lines[4]).toMatch(/^TCP (ENETUNREACH|EHOSTUNREACH)/);
    expect(lines[5]).toMatch(/^UDP (ENETUNREACH|EHOSTUNREACH|EPERM)/);
    expect(lines[6]).toMatch(/^DNS E/);
    expect(lines[7]).toBe('ROUTES 0');
  });

  it('allowlist without host loopback: the host-services name is refused too', async () => {
    const cfg = config('noloop', 'mode = "allowlist"');
    const r = await run(cfg, connectLine(`host.containers.internal:${port}`));
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toMatch(
      /^HTTP\/1\.1 403 ags: host\.containers\.internal is not on the allowlist/,
    );
  });

  it('the host loopback by address: only with allow_host_loopback, only when listed itself, never by a wide range (B5)', async () => {
    const probes = ['127.0.0.1', '[::ffff:127.0.0.1]', '0.0.0.0'].map((t) => connectLine(`${t}:${port}`));
    const wide = ['--allow-domain', '0.0.0.0/0', '--allow-domain', '::/0'];
    const off = await run(config('loop-off', 'mode = "allowlist"'), probes.join('\n'), [
      ...wide,
      '--allow-domain',
      '127.0.0.1',
    ]);
    expect(off.exitCode, String(off.stderr)).toBe(0);
    for (const line of String(off.stdout).trim().split('\n'))
      expect(line).toMatch(
        /^HTTP\/1\.1 403 ags: .*host's own loopback.*needs \[network\] allow_host_loopback = true/,
      );
    const on = config('loop-on', 'mode = "allowlist"\nallow_host_loopback = true');
    const wideOnly = await run(on, probes.join('\n'), wide);
    for (const line of String(wideOnly.stdout).trim().split('\n')) expect(line).toMatch(/^HTTP\/1\.1 403 /);
    const listed = await run(on, probes.slice(0, 2).join('\n'), [...wide, '--allow-domain', '127.0.0.1']);
    expect(String(listed.stdout).trim().split('\n')).toEqual([
      'HTTP/1.1 200 Connection Established',
      'HTTP/1.1 200 Connection Established',
    ]);
  });

  it('--network and --allow-domain choose it per run; misuse is a usage error', async () => {
    const cfg = config('flags', 'mode = "open"');
    const r = await run(cfg, connectLine('example.com:443'), [
      '--network',
      'allowlist',
      '--allow-domain',
      'example.net',
    ]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain('403 ags: example.com is not on the allowlist');
    const dry = await run(cfg, 'true', [
      '--network',
      'allowlist',
      '--allow-domain',
      '*.example.net',
      '--dry-run',
    ]);
    expect(dry.exitCode, String(dry.stderr)).toBe(0);
    const plan = JSON.parse(String(dry.stdout)) as { plan: { network: { mode: string; allow: string[] } } };
    expect(plan.plan.network).toMatchObject({ mode: 'proxied', allow: ['*.example.net'] });
    const wrong = await run(cfg, 'true', ['--allow-domain', 'example.net']);
    expect(wrong.exitCode).toBe(2);
    expect(String(wrong.stderr)).toMatch(/^ags: --allow-domain applies to the allowlist network/);
    const bad = await run(cfg, 'true', ['--network', 'allowlist', '--allow-domain', 'https://x.example/']);
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr).split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('open: the host loopback stays unreachable unless allowed', async () => {
    const closed = await run(
      config('open', 'mode = "open"'),
      fetchLine(`http://host.containers.internal:${port}/`),
    );
    expect(closed.exitCode, String(closed.stderr)).toBe(0);
    expect(String(closed.stdout).trim()).toBe('ERR');
    const opened = await run(
      config('openloop', 'mode = "open"\nallow_host_loopback = true'),
      fetchLine(`http://10.0.2.2:${port}/x`),
    );
    expect(String(opened.stdout).trim()).toBe('200 host says /x');
    // the same address reaches them under the allowlist network, through the proxy
    const proxied = await run(
      config('allowloop', 'mode = "allowlist"\nallow_host_loopback = true'),
      fetchLine(`http://10.0.2.2:${port}/y`),
    );
    expect(String(proxied.stdout).trim()).toBe('200 host says /y');
  });

  it('none: nothing at all', async () => {
    const r = await run(
      config('none', 'mode = "none"'),
      [fetchLine(`http://host.containers.internal:${port}/`), ...direct].join('\n'),
    );
    const lines = String(r.stdout).trim().split('\n');
    expect(lines[0]).toBe('ERR');
    expect(lines[1]).toMatch(/^TCP E/);
    expect(lines[4]).toBe('ROUTES 0');
  });
});
