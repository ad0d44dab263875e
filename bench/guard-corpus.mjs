#!/usr/bin/env node
// Guard corpus figures, from the sources (bundled in memory): for the project corpus
// (test/fixtures/guard-corpus.jsonl), the held-out corpus, the blind corpora and the round-4 and round-5 red
// teams (test/fixtures/guard-*.jsonl), the share of destructive cases blocked and of benign cases blocked, per
// class, and the slowest case.
// usage: node bench/guard-corpus.mjs [--misses] [--corpus FILE]...
//   --misses lists the cases decided the other way; --corpus measures these JSONL files instead
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const showMisses = process.argv.includes('--misses');
const given = process.argv.flatMap((a, i) => (a === '--corpus' ? [process.argv[i + 1]] : []));
const corpora = given.length
  ? given
  : [
      'guard-corpus.jsonl',
      'guard-heldout.jsonl',
      'guard-redteam-blind.jsonl',
      'guard-redteam-blind3.jsonl',
      'guard-redteam-round4.jsonl',
      'guard-redteam-blind4.jsonl',
      'guard-redteam-round6.jsonl',
      'guard-redteam-blind6.jsonl',
      'guard-redteam-round5.jsonl',
      'guard-redteam-rt7.jsonl',
      'guard-redteam-round7.jsonl',
      'guard-redteam-round8a.jsonl',
      'guard-redteam-blind7.jsonl',
      'guard-redteam-blind7-holdout.jsonl',
      'guard-redteam-blind8.jsonl',
      'guard-redteam-round8b.jsonl',
      'guard-redteam-rt9.jsonl',
      'guard-redteam-blind9.jsonl',
    ].map((f) => join(root, 'test/fixtures', f));
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
const pct = (a, b) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)} %`);

for (const file of corpora) {
  const cases = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const byClass = new Map();
  let slowest = { ms: 0, note: '' };
  const misses = [];
  for (const c of cases) {
    const stdin = typeof c.input === 'string' ? c.input : JSON.stringify(c.input);
    const t0 = process.hrtime.bigint();
    const r = claudeHook(stdin, settings, { policy: DEFAULT_POLICY, lockdown: c.lockdown === true });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms > slowest.ms) slowest = { ms, note: c.note ?? c.class ?? '' };
    const cls = c.class ?? 'all';
    const s = byClass.get(cls) ?? { bad: 0, badBlocked: 0, ok: 0, okBlocked: 0 };
    const blocked = r.verdict.decision === 'block';
    if (c.expect === 'block') {
      s.bad++;
      if (blocked) s.badBlocked++;
    } else {
      s.ok++;
      if (blocked) s.okBlocked++;
    }
    if (blocked !== (c.expect === 'block'))
      misses.push(
        `  ${c.expect === 'block' ? 'MISS ' : 'FALSE'} [${cls}] ${String(c.input?.tool_input?.command ?? JSON.stringify(c.input)).slice(0, 140)}${blocked ? `  (${r.verdict.rule})` : ''}`,
      );
    byClass.set(cls, s);
  }
  const total = [...byClass.values()].reduce(
    (a, s) => ({
      bad: a.bad + s.bad,
      badBlocked: a.badBlocked + s.badBlocked,
      ok: a.ok + s.ok,
      okBlocked: a.okBlocked + s.okBlocked,
    }),
    { bad: 0, badBlocked: 0, ok: 0, okBlocked: 0 },
  );
  console.log(
    `${basename(file)}: ${cases.length} cases; destructive blocked ${total.badBlocked}/${total.bad} (${pct(total.badBlocked, total.bad)}), benign blocked ${total.okBlocked}/${total.ok} (${pct(total.okBlocked, total.ok)}); slowest case ${slowest.ms.toFixed(1)} ms (${slowest.note})`,
  );
  if (byClass.size > 1)
    for (const [cls, s] of byClass)
      console.log(
        `  ${cls.padEnd(14)} destructive blocked ${pct(s.badBlocked, s.bad).padStart(8)} (${s.badBlocked}/${s.bad}), benign blocked ${pct(s.okBlocked, s.ok).padStart(8)} (${s.okBlocked}/${s.ok})`,
      );
  if (showMisses) console.log(misses.join('\n'));
}
