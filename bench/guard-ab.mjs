#!/usr/bin/env node
// In-process A/B of two guard engines in one process: the working tree's against the one at --base (a commit),
// over the typical-size cases of the project corpus. First checks both give the same hook result for every case
// (any difference is printed and the bench exits 1), then times interleaved passes by this process's CPU time
// (user + system), so other jobs on a shared machine count less than in wall-clock time.
// usage: node bench/guard-ab.mjs --base <commit> [--runs N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const opt = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : process.argv[i + 1];
};
const BASE = opt('--base', null);
const RUNS = Number(opt('--runs', 11));
if (!BASE) {
  console.error('bench/guard-ab.mjs: name the engine to compare with: --base <commit>');
  process.exit(2);
}
const baseDir = mkdtempSync(join(tmpdir(), 'ags-guard-ab-'));
const tar = execFileSync('git', ['-C', root, 'archive', BASE, 'guards'], { maxBuffer: 64 << 20 });
execFileSync('tar', ['-x', '-C', baseDir], { input: tar });

const load = async (dir) => {
  const out = await build({
    stdin: {
      contents: `export { claudeHook } from './guards/engine/hook.js'; export { DEFAULT_POLICY } from './guards/engine/policy.js';`,
      resolveDir: dir,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  return import('data:text/javascript;base64,' + Buffer.from(out.outputFiles[0].text).toString('base64'));
};
const base = await load(baseDir);
const mine = await load(root);
rmSync(baseDir, { recursive: true, force: true });

const corpus = readFileSync(join(root, 'test/fixtures/guard-corpus.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const stdinOf = (c) => (typeof c.input === 'string' ? c.input : JSON.stringify(c.input));
const settings = { env: { HOME: '/home/dev', AGS_WORKSPACE: '/work/ws' } };
const inputs = (m) =>
  corpus
    .filter((c) => stdinOf(c).length < 2000)
    .map((c) => [stdinOf(c), { policy: m.DEFAULT_POLICY, lockdown: c.lockdown === true }]);
const inBase = inputs(base);
const inMine = inputs(mine);
let differ = 0;
for (let i = 0; i < inBase.length; i++) {
  const a = JSON.stringify(base.claudeHook(inBase[i][0], settings, inBase[i][1]));
  const b = JSON.stringify(mine.claudeHook(inMine[i][0], settings, inMine[i][1]));
  if (a !== b) {
    differ++;
    console.log(
      `differs: ${inBase[i][0].slice(0, 120)}\n  base ${a.slice(0, 200)}\n  tree ${b.slice(0, 200)}`,
    );
  }
}
const pass = (m, ins) => {
  const c0 = process.cpuUsage();
  for (let k = 0; k < 3; k++) for (const [s, l] of ins) m.claudeHook(s, settings, l);
  const c = process.cpuUsage(c0);
  return (3 * ins.length) / ((c.user + c.system) / 1e6);
};
for (let i = 0; i < 2; i++) {
  pass(base, inBase);
  pass(mine, inMine);
}
const rb = [];
const rm = [];
for (let i = 0; i < RUNS; i++) {
  rb.push(pass(base, inBase));
  rm.push(pass(mine, inMine));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const r = Math.round;
console.log(
  `${inBase.length} typical cases, ${differ} with a different hook result; ${RUNS} interleaved passes`,
);
console.log(
  `base ${BASE}: ${r(median(rb))} decisions/s (best ${r(Math.max(...rb))}); working tree: ${r(median(rm))} (best ${r(Math.max(...rm))}); ratio ${(median(rm) / median(rb)).toFixed(2)}x`,
);
process.exit(differ > 0 ? 1 : 0);
