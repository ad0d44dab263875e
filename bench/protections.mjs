#!/usr/bin/env node
// What the read-only mounts over git config, hooks and agent settings (and the before/after comparison of what
// git will execute) cost a launch: `ags --agent shell -- -c true` with the default config against the same run
// with both protections off (`git_config = "writable"`, `writable_agent_config = true`), alternating, N runs
// each; prints medians and their ratio.
//
// With --against AGS (another build's bin/ags.js, e.g. main's), it also times that build with the default config
// in the same alternation: what a change to the protections adds to a launch.
//
// usage: node bench/protections.mjs [--runs N] --config FILE [--against AGS]
// FILE is a config naming an existing image; a copy with both protections off is written next to it. Run it as
// the user whose rootless podman you want to measure, from a repository.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const runs = Number(opt('--runs', 15));
const config = opt('--config');
if (!config) throw new Error('--config FILE is required');
const ags = fileURLToPath(new URL('../bin/ags.js', import.meta.url));
const against = opt('--against');
const off = `${config}.protections-off.toml`;
const text = readFileSync(config, 'utf8');
writeFileSync(
  off,
  text.includes('[sandbox]')
    ? text.replace('[sandbox]', '[sandbox]\ngit_config = "writable"\nwritable_agent_config = true')
    : `[sandbox]\ngit_config = "writable"\nwritable_agent_config = true\n${text}`,
);

function time(cfg, bin = ags) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, '--config', cfg, '--agent', 'shell', '--', '-c', 'true'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`ags exited ${r.status}: ${r.stderr}`);
  return ms;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

time(config);
time(off); // warm both
if (against) time(config, against);
const on = [];
const without = [];
const other = [];
for (let i = 0; i < runs; i++) {
  without.push(time(off));
  on.push(time(config));
  if (against) other.push(time(config, against));
}
const a = median(without);
const b = median(on);
const dry = spawnSync(process.execPath, [ags, '--config', config, '--agent', 'shell', '--dry-run'], {
  encoding: 'utf8',
});
const covers = JSON.parse(dry.stdout).plan.mounts.filter((m) => /^(read-only|pinned): /.test(m.why)).length;
console.log(`runs: ${runs} each, Node ${process.versions.node}, ${covers} protecting mounts`);
console.log(`protections off (median): ${a.toFixed(0)} ms`);
console.log(`protections on  (median): ${b.toFixed(0)} ms`);
console.log(`difference: ${(b - a).toFixed(0)} ms, ratio ${(b / a).toFixed(2)}x`);
if (against) {
  const c = median(other);
  console.log(
    `${against}, protections on (median): ${c.toFixed(0)} ms; this build / that: ${(b / c).toFixed(2)}x`,
  );
}
