#!/usr/bin/env node
// What the auth proxy's callback relay adds to a login callback's round trip. The agent side is real: the built
// shim (dist/sandbox/auth-browser.mjs) and a stand-in agent listener in their own network namespace (loopback
// only, as in a container; `unshare` as an unprivileged user). Each request goes browser → host 127.0.0.1:PORT →
// websocket → shim → agent's 127.0.0.1:PORT and back; "direct" is the same request to an identical listener on the
// host's loopback. Alternated, N each, a new connection per request (as the relay answers `connection: close`).
// Prints p50/p95 of both and the difference, measured in the same run.
//
// usage: node scripts/build.mjs && node bench/authproxy.mjs [--runs N]
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 300;
const root = new URL('..', import.meta.url).pathname;
const shim = join(root, 'dist/sandbox/auth-browser.mjs');
if (!existsSync(shim)) throw new Error('run `node scripts/build.mjs` first');

const dir = mkdtempSync(join(tmpdir(), 'ags-bench-auth-'));
chmodSync(dir, 0o700);
const bundle = join(dir, 'proxy.mjs');
await build({
  stdin: {
    contents:
      "export { startAuthProxy, newToken } from './src/authproxy/server.ts'; export { hostBrowserOpener } from './src/authproxy/opener.ts';",
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: bundle,
  logLevel: 'error',
  external: ['bufferutil', 'utf-8-validate'],
  banner: {
    js: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
  },
});
const { startAuthProxy, newToken, hostBrowserOpener } = await import(pathToFileURL(bundle).href);

const freePort = () =>
  new Promise((resolve) => {
    const s = createTcpServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const token = newToken();
writeFileSync(join(dir, 'token'), token);
const browser = join(dir, 'browser');
const opened = join(dir, 'opened');
writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$1" > '${opened}'\n`, { mode: 0o755 });
const proxy = await startAuthProxy({
  socketPath: join(dir, 'sock'),
  token,
  policy: { autoAllowDomains: ['auth.example.test'], approval: 'deny' },
  ask: async () => false,
  openBrowser: hostBrowserOpener({ BROWSER: browser }),
  timeoutMs: 600_000,
  log: () => {},
});

const port = await freePort();
const url = `https://auth.example.test/authorize?redirect_uri=${encodeURIComponent(`http://localhost:${port}/callback`)}`;
const agent = spawn(
  'unshare',
  [
    '--user',
    '--map-root-user',
    '--net',
    'sh',
    '-c',
    'ip link set lo up && exec "$0" "$@"',
    process.execPath,
    join(root, 'test/fixtures/authproxy/fake-agent.mjs'),
    String(port),
    '/callback',
    url,
    shim,
  ],
  { env: { ...process.env, AGS_AUTH_PROXY_DIR: dir }, stdio: ['ignore', 'ignore', 'inherit'] },
);
while (!existsSync(opened)) await new Promise((r) => setTimeout(r, 20));

// the same answer the stand-in agent gives a callback with a wrong state, from the host's own loopback
const direct = createServer((_req, res) =>
  res.writeHead(400, { 'content-type': 'text/plain' }).end('bad state'),
);
await new Promise((r) => direct.listen(0, '127.0.0.1', r));
const directPort = direct.address().port;

function once(p) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = request(
      { host: '127.0.0.1', port: p, path: '/callback?code=c&state=bad', agent: false },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 400
            ? resolve(Number(process.hrtime.bigint() - t0) / 1e6)
            : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const relayed = [];
const straight = [];
for (let i = 0; i < 20; i++) await once(port); // warm-up: JIT on both sides
for (let i = 0; i < runs; i++) {
  relayed.push(await once(port));
  straight.push(await once(directPort));
}
const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const row = (name, xs) =>
  `${name.padEnd(8)} p50 ${pct(xs, 50).toFixed(2)} ms   p95 ${pct(xs, 95).toFixed(2)} ms`;
console.log(`callback round trip, ${runs} each, alternated`);
console.log(row('direct', straight));
console.log(row('relayed', relayed));
console.log(
  `added    p50 +${(pct(relayed, 50) - pct(straight, 50)).toFixed(2)} ms   p95 +${(pct(relayed, 95) - pct(straight, 95)).toFixed(2)} ms`,
);

agent.kill('SIGKILL');
direct.close();
await proxy.close();
rmSync(dir, { recursive: true, force: true });
