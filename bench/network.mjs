#!/usr/bin/env node
// What the egress proxy costs: a download and a small request from a server on this host's loopback, direct
// and through the proxy (plain HTTP, and a CONNECT tunnel as HTTPS clients use it), alternated, N runs each.
// Prints medians and the ratios against direct measured in the same run.
//
// usage: node bench/network.mjs [--runs N] [--mb SIZE]
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const runs = opt('--runs', 9);
const mb = opt('--mb', 64);

// the proxy is TypeScript: bundle it for this process
const dir = mkdtempSync(join(tmpdir(), 'ags-bench-net-'));
const bundle = join(dir, 'proxy.mjs');
await build({
  stdin: {
    contents:
      "export { startEgressProxy } from './src/network/egress-proxy.ts'; export { Allowlist, parseAllowEntry } from './src/network/allowlist.ts';",
    resolveDir: new URL('..', import.meta.url).pathname,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: bundle,
  logLevel: 'error',
});
const { startEgressProxy, Allowlist, parseAllowEntry } = await import(pathToFileURL(bundle).href);

const body = Buffer.alloc(mb * 1024 * 1024, 'x');
const server = createServer((req, res) => res.end(req.url === '/big' ? body : 'ok'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const socketPath = join(dir, 'egress.sock');
const proxy = await startEgressProxy({
  socketPath,
  allowlist: new Allowlist(['localhost', '127.0.0.1'].map((e) => parseAllowEntry(e).entry)),
  maxConnections: 64,
  log: () => {},
  denialHint: () => '',
});

/** GET path and read the whole answer: directly, through the proxy as plain HTTP, or through a CONNECT tunnel. */
function get(path, how) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const done = (res) => {
      let n = 0;
      res.on('data', (d) => (n += d.length));
      res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes: n }));
      res.on('error', reject);
    };
    if (how === 'direct') {
      request({ host: '127.0.0.1', port, path, agent: false }, done).on('error', reject).end();
    } else if (how === 'proxy-http') {
      request(
        {
          socketPath,
          path: `http://localhost:${port}${path}`,
          agent: false,
          headers: { host: `localhost:${port}` },
        },
        done,
      )
        .on('error', reject)
        .end();
    } else {
      const tunnel = connect(socketPath, () => tunnel.write(`CONNECT localhost:${port} HTTP/1.1\r\n\r\n`));
      tunnel.once('data', (d) => {
        if (!String(d).startsWith('HTTP/1.1 200')) return reject(new Error(String(d)));
        request({ createConnection: () => tunnel, path, headers: { host: `localhost:${port}` } }, done)
          .on('error', reject)
          .end();
      });
      tunnel.on('error', reject);
    }
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const ways = ['direct', 'proxy-http', 'proxy-connect'];
const big = Object.fromEntries(ways.map((w) => [w, []]));
const small = Object.fromEntries(ways.map((w) => [w, []]));
for (let i = 0; i < runs; i++) {
  for (const w of ways) {
    const r = await get('/big', w);
    if (r.bytes !== body.length) throw new Error(`${w}: got ${r.bytes} bytes`);
    big[w].push(r.ms);
    const times = [];
    for (let k = 0; k < 20; k++) times.push((await get('/small', w)).ms);
    small[w].push(median(times));
  }
}
console.log(
  `node ${process.version}, ${runs} runs alternated, ${mb} MiB download, small = median of 20 requests`,
);
for (const w of ways) {
  const mbps = (mb / (median(big[w]) / 1000)).toFixed(0);
  const ratioBig = (median(big[w]) / median(big.direct)).toFixed(2);
  const ratioSmall = (median(small[w]) / median(small.direct)).toFixed(2);
  console.log(
    `${w.padEnd(14)} download ${median(big[w]).toFixed(1)} ms (${mbps} MiB/s, ${ratioBig}x direct)   small request ${median(small[w]).toFixed(2)} ms (${ratioSmall}x direct)`,
  );
}
await proxy.close();
server.close();
rmSync(dir, { recursive: true, force: true });
