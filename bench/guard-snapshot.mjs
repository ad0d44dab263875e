#!/usr/bin/env node
// Verdict snapshot of the guard engine (from the sources, bundled in memory) over every test/fixtures/guard-*.jsonl
// corpus: per case the hook's exit code, decision, rule, detail and stderr. `--write FILE` records it, `--check FILE`
// compares the working tree against a recorded one and lists every case that differs (exit 1 if any). Meant for
// changes that must not change behaviour (performance work): record before, check after each step.
// A case that runs out of time (guard.limit, "took longer than") depends on the machine's load; it is counted apart.
// usage: node bench/guard-snapshot.mjs --write FILE | --check FILE
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const opt = (name) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? null : process.argv[i + 1];
};
const writeTo = opt('--write');
const checkAgainst = opt('--check');
if (!writeTo === !checkAgainst) {
  console.error('usage: node bench/guard-snapshot.mjs --write FILE | --check FILE');
  process.exit(2);
}
const bundled = await build({
  stdin: {
    contents: `export { claudeHook } from './guards/engine/hook.js'; export { DEFAULT_POLICY } from './guards/engine/policy.js';`,
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
const { claudeHook, DEFAULT_POLICY } = await import(url);
const settings = { env: { HOME: '/home/dev', AGS_WORKSPACE: '/work/ws' } };

const fixtures = join(root, 'test/fixtures');
const snapshot = {};
for (const file of readdirSync(fixtures)
  .filter((f) => /^guard-.*\.jsonl$/.test(f))
  .sort()) {
  const lines = readFileSync(join(fixtures, file), 'utf8').split('\n').filter(Boolean);
  snapshot[file] = lines.map((l) => {
    const c = JSON.parse(l);
    const stdin = typeof c.input === 'string' ? c.input : JSON.stringify(c.input);
    const r = claudeHook(stdin, settings, { policy: DEFAULT_POLICY, lockdown: c.lockdown === true });
    const v = r.verdict;
    return {
      exit: r.exitCode,
      decision: v.decision,
      ...(v.rule ? { rule: v.rule } : {}),
      ...(v.detail ? { detail: v.detail } : {}),
      ...(r.stderr ? { stderr: r.stderr } : {}),
    };
  });
}
const count = Object.values(snapshot).reduce((n, xs) => n + xs.length, 0);
if (writeTo) {
  writeFileSync(writeTo, JSON.stringify(snapshot, null, 1) + '\n');
  console.log(`${count} verdicts from ${Object.keys(snapshot).length} corpora written to ${writeTo}`);
  process.exit(0);
}
const old = JSON.parse(readFileSync(checkAgainst, 'utf8'));
const timedOut = (v) => v?.rule === 'guard.limit' && (v.stderr ?? '').includes('took longer than');
let differ = 0;
let load = 0;
for (const [file, now] of Object.entries(snapshot)) {
  const was = old[file] ?? [];
  if (was.length !== now.length) console.log(`${file}: ${was.length} cases recorded, ${now.length} now`);
  now.forEach((v, i) => {
    const a = JSON.stringify(was[i]);
    const b = JSON.stringify(v);
    if (a === b) return;
    if (timedOut(was[i]) || timedOut(v)) load++;
    else differ++;
    console.log(`${file}:${i + 1}\n  was ${a}\n  now ${b}`);
  });
}
console.log(
  `${count} verdicts checked against ${checkAgainst}: ${differ} differ${load ? `, ${load} more that ran out of time on one side` : ''}`,
);
process.exit(differ > 0 ? 1 : 0);
