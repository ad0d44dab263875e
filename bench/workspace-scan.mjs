#!/usr/bin/env node
// What the work tree scan (src/host/workspace-scan.ts: nested repositories and host-run files, taken at start
// and again after the run) and the protected paths built from it cost, in-process, from the sources (bundled in
// memory). Synthetic trees of growing size (D directories of F files each, plus a node_modules of the same
// size that the scan does not enter), and DIR if given; the same-run baseline is Node's own recursive
// `readdirSync(root, { recursive: true, withFileTypes: true })` of the same tree. Prints medians and ratios.
// usage: node bench/workspace-scan.mjs [--runs N] [--dir DIR]
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const runs = Number(opt('--runs', 15));
const extra = opt('--dir');

const bundled = await build({
  stdin: {
    contents: `export { scanWorkspace } from './src/host/workspace-scan.ts'; export { protectionFacts } from './src/host/protected-facts.ts';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'warning',
});
const url = 'data:text/javascript;base64,' + Buffer.from(bundled.outputFiles[0].text).toString('base64');
const { scanWorkspace, protectionFacts } = await import(url);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const time = (fn) => {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};

/** D directories, 10 per level (so a few levels deep), F files each; a node_modules of the same shape. */
function makeTree(dir, d, f) {
  const made = [];
  for (const top of [dir, join(dir, 'node_modules')]) {
    for (let i = 0; i < d; i++) {
      const p = join(
        top,
        ...String(i)
          .padStart(4, '0')
          .split('')
          .map((c) => `d${c}`),
      );
      mkdirSync(p, { recursive: true });
      for (let j = 0; j < f; j++) writeFileSync(join(p, `f${j}.ts`), '');
      made.push(p);
    }
  }
  mkdirSync(join(dir, '.git'));
  return made.length;
}

const env = { GIT_CONFIG_GLOBAL: '/nonexistent', GIT_CONFIG_SYSTEM: '/nonexistent' };
function measure(label, dir) {
  const raw = [];
  const scan = [];
  const facts = [];
  for (let i = 0; i < runs; i++) {
    raw.push(time(() => readdirSync(dir, { recursive: true, withFileTypes: true })));
    let s;
    scan.push(time(() => (s = scanWorkspace(dir))));
    facts.push(
      time(() =>
        protectionFacts({ repositoryRoots: [dir], agentConfigRoots: [dir], scans: [s], home: tmpdir(), env }),
      ),
    );
  }
  const s = scanWorkspace(dir);
  const [r, w, p] = [median(raw), median(scan), median(facts)];
  console.log(
    `${label}: scan ${w.toFixed(1)} ms (${s.dirs} dirs read${s.truncated ? ', cut' : ''}), protected paths ${p.toFixed(1)} ms; Node recursive readdir ${r.toFixed(1)} ms; scan/readdir ${(w / r).toFixed(2)}x`,
  );
}

console.log(`runs: ${runs} each, Node ${process.versions.node}`);
const tmp = mkdtempSync(join(tmpdir(), 'ags-scan-bench-'));
try {
  for (const [d, f] of [
    [100, 10],
    [1000, 10],
    [5000, 10],
  ]) {
    const dir = join(tmp, `t${d}`);
    makeTree(dir, d, f);
    measure(`${d} dirs x ${f} files (+ the same in node_modules)`, dir);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (extra) measure(extra, extra);
