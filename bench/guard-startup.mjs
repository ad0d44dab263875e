#!/usr/bin/env node
// Where the command hook's start-up goes, against the built bundle (run `npm run build` first), and what a V8 code
// cache of the bundle would change. Nothing here is shipped: the cache loader is a measurement prototype.
//  (1) per call, interleaved, median of runs: `node -e 0`; an empty .cjs file; reading + compiling the bundle
//      without running it; the hook as shipped; the hook run from a V8 code cache (vm.Script cachedData) made by
//      the same node binary after one decision; the same with the bundle's and the cache's SHA-256 checked first
//      (what a safe loader must do), and loading node:crypto alone; node started from an empty startup snapshot
//      (`--snapshot-blob`, made by the same node with `--build-snapshot`), and from one of the guard made after one
//      decision;
//  (2) what V8 does with a cache it should not trust: one made by the other node binary (--other), one made for
//      a bundle of the same length but different text, and a corrupted one.
// usage: node bench/guard-startup.mjs [--runs N] [--node PATH] [--other PATH]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const bundle = join(root, 'dist/sandbox/claude-hook.cjs');
if (!existsSync(bundle)) {
  console.error(
    'bench/guard-startup.mjs: dist/sandbox/claude-hook.cjs is missing; run `npm run build` first',
  );
  process.exit(2);
}
const opt = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : process.argv[i + 1];
};
const RUNS = Number(opt('--runs', 25));
const NODE = opt('--node', process.execPath);
const OTHER = opt('--other', process.execPath);

const dir = mkdtempSync(join(tmpdir(), 'ags-guard-startup-'));
const hook = join(dir, 'hook.cjs');
copyFileSync(bundle, hook);
writeFileSync(join(dir, 'empty.cjs'), '');
writeFileSync(
  join(dir, 'compile-only.cjs'),
  `const vm = require('node:vm');
new vm.Script(require('node:module').wrap(require('node:fs').readFileSync(${JSON.stringify(hook)}, 'utf8')), { filename: ${JSON.stringify(hook)} });
`,
);
// the prototype loader: GP_MAKE=1 writes the cache at exit (after the decision, so the functions it compiled
// lazily are in it); GP_REPORT=1 prints whether V8 rejected the cache
writeFileSync(
  join(dir, 'cached.cjs'),
  `const vm = require('node:vm'); const fs = require('node:fs'); const Module = require('node:module');
const file = ${JSON.stringify(hook)};
let cachedData; try { cachedData = fs.readFileSync(file + '.v8cache'); } catch {}
const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
if (process.env.GP_REPORT) process.stderr.write('cache rejected: ' + script.cachedDataRejected + '\\n');
const m = { exports: {} };
script.runInThisContext().call(m.exports, m.exports, require, m, file, ${JSON.stringify(dir)});
if (process.env.GP_MAKE) process.on('exit', () => fs.writeFileSync(file + '.v8cache', script.createCachedData()));
`,
);

// the same prototype, with the SHA-256 of bundle and cache checked against a manifest before V8 sees the cache
writeFileSync(
  join(dir, 'cached-hashed.cjs'),
  `const fs = require('node:fs'); const file = ${JSON.stringify(hook)};
let ran = false;
try {
  const man = JSON.parse(fs.readFileSync(file + '.manifest.json', 'utf8'));
  const src = fs.readFileSync(file); const cachedData = fs.readFileSync(file + '.v8cache');
  const { createHash } = require('node:crypto');
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  if (sha(src) === man.bundle && sha(cachedData) === man.cache) {
    const vm = require('node:vm');
    const script = new vm.Script(require('node:module').wrap(src.toString('utf8')), { filename: file, cachedData });
    const m = { exports: {} }; ran = true;
    script.runInThisContext().call(m.exports, m.exports, require, m, file, ${JSON.stringify(dir)});
  }
} catch {}
if (!ran) require(file);
`,
);
writeFileSync(
  join(dir, 'crypto-only.cjs'),
  `require('node:crypto').createHash('sha256').update('x').digest('hex');\n`,
);
// startup snapshots: an empty one (what deserializing a user-land snapshot costs by itself) and one of the guard,
// its engine loaded and one decision made at build time, the hook's main function run after deserialization
writeFileSync(
  join(dir, 'snap-empty.cjs'),
  `require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {});\n`,
);
await build({
  stdin: {
    contents: `import { claudeHook } from './guards/engine/hook.js';
import { runCommandHook } from './guards/engine/stdin.js';
import { startupSnapshot } from 'node:v8';
claudeHook(JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'git status && rm -rf /tmp/x' }, cwd: '/work/ws' }));
startupSnapshot.setDeserializeMainFunction(() => runCommandHook((text) => claudeHook(text)));`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  outfile: join(dir, 'snap-guard.cjs'),
  logLevel: 'warning',
});

const env = {
  ...process.env,
  HOME: '/home/dev',
  AGS_WORKSPACE: '/work/ws',
  AGS_GUARD_POLICY: '',
  AGS_LOCKDOWN: '',
};
const call = (command) =>
  JSON.stringify({
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command },
    cwd: '/work/ws',
  });
const TYPICAL = call('git status && ls -la src | head');
const DESTRUCTIVE = call('rm -rf /');
const run = (node, file, input, extra = {}) =>
  spawnSync(node, [file], { input, env: { ...env, ...extra }, cwd: dir, encoding: 'utf8' });
run(NODE, join(dir, 'cached.cjs'), TYPICAL, { GP_MAKE: '1' });
const goodCache = readFileSync(hook + '.v8cache');
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
writeFileSync(
  hook + '.manifest.json',
  JSON.stringify({ bundle: sha256(readFileSync(hook)), cache: sha256(goodCache) }),
);
for (const name of ['snap-empty', 'snap-guard']) {
  const made = spawnSync(
    NODE,
    ['--snapshot-blob', join(dir, `${name}.blob`), '--build-snapshot', join(dir, `${name}.cjs`)],
    { cwd: dir, env, encoding: 'utf8' },
  );
  if (made.status !== 0) {
    console.error(
      `bench/guard-startup.mjs: ${name} snapshot not built: ${made.stderr.trim().split('\n').pop()}`,
    );
    process.exit(1);
  }
}
const fromSnapshot = spawnSync(NODE, ['--snapshot-blob', join(dir, 'snap-guard.blob')], {
  input: DESTRUCTIVE,
  env,
  encoding: 'utf8',
});
if (fromSnapshot.status !== 2) {
  console.error(
    `bench/guard-startup.mjs: the guard snapshot did not block rm -rf / (exit ${fromSnapshot.status})`,
  );
  process.exit(1);
}

const variants = {
  'node -e 0': ['-e', '0'],
  'empty .cjs file': [join(dir, 'empty.cjs')],
  'read + compile bundle': [join(dir, 'compile-only.cjs')],
  'hook as shipped': [hook],
  'hook from code cache': [join(dir, 'cached.cjs')],
  'cache + SHA-256 check': [join(dir, 'cached-hashed.cjs')],
  'load node:crypto only': [join(dir, 'crypto-only.cjs')],
  'empty startup snapshot': ['--snapshot-blob', join(dir, 'snap-empty.blob')],
  'hook from snapshot': ['--snapshot-blob', join(dir, 'snap-guard.blob')],
};
const time = (args) => {
  const t0 = process.hrtime.bigint();
  spawnSync(NODE, args, { input: TYPICAL, env, stdio: ['pipe', 'ignore', 'ignore'] });
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let i = 0; i < 3; i++) for (const a of Object.values(variants)) time(a);
for (let r = 0; r < RUNS; r++) for (const [k, a] of Object.entries(variants)) samples[k].push(time(a));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const base = median(samples['node -e 0']);
const version = (n) => spawnSync(n, ['--version'], { encoding: 'utf8' }).stdout.trim();
const size = (f) => readFileSync(join(dir, f)).length;
console.log(
  `node ${version(NODE)}, ${RUNS} interleaved runs, bundle ${readFileSync(bundle).length} bytes, cache ${goodCache.length} bytes, snapshots ${size('snap-empty.blob')} (empty) and ${size('snap-guard.blob')} (guard) bytes`,
);
for (const [k, xs] of Object.entries(samples))
  console.log(
    `(1) ${k.padEnd(22)} ${median(xs).toFixed(1).padStart(6)} ms  ${(median(xs) / base).toFixed(2)}x`,
  );

// the hook's verdict: exit 2 and the block message on stderr
const said = (r) => r.stderr.replace(/cache rejected: \w+\n/, '').trim();
const show = (label, r) =>
  console.log(
    `(2) ${label}: ${(r.stderr.match(/cache rejected: \w+/) ?? ['cache not read'])[0]}; exit ${r.status ?? r.signal}; ${said(r) ? said(r).slice(0, 48) + '…' : 'nothing on stderr'}`,
  );
show('cache as made, rm -rf /', run(NODE, join(dir, 'cached.cjs'), DESTRUCTIVE, { GP_REPORT: '1' }));
if (OTHER !== NODE) {
  rmSync(hook + '.v8cache');
  run(OTHER, join(dir, 'cached.cjs'), TYPICAL, { GP_MAKE: '1' });
  show(
    `cache made by node ${version(OTHER)}`,
    run(NODE, join(dir, 'cached.cjs'), DESTRUCTIVE, { GP_REPORT: '1' }),
  );
}
// same length, different text: the block reason upper-cased
const text = readFileSync(bundle, 'utf8');
const reason = 'recursive delete of / or a system directory';
writeFileSync(hook, text.replace(reason, reason.toUpperCase()));
writeFileSync(hook + '.v8cache', goodCache);
const stale = run(NODE, join(dir, 'cached.cjs'), DESTRUCTIVE, { GP_REPORT: '1' });
show('bundle text changed, same length, old cache', stale);
console.log(
  `    the block message comes from the ${said(stale).includes(reason) ? 'OLD bundle (the cache), not the file on disk' : 'file on disk'}`,
);
writeFileSync(hook, text);
const corrupt = Buffer.from(goodCache);
for (let i = 5000; i < corrupt.length; i += 997) corrupt[i] ^= 0x5a;
writeFileSync(hook + '.v8cache', corrupt);
show('corrupted cache', run(NODE, join(dir, 'cached.cjs'), DESTRUCTIVE, { GP_REPORT: '1' }));
rmSync(dir, { recursive: true, force: true });
