#!/usr/bin/env node
// Launch time of a hardened run (what lockdown turns on: read-only root, sized tmpfs, the seccomp profile
// without user namespaces, limits) against a default run: `ags --agent shell -- -c true`, alternating the two,
// N runs each; prints medians and their ratio. The hardened run is `--lockdown --network none` against a default
// run with `--network none`, so the difference is lockdown without its proxied network: the hardening, the staged
// home and the banner.
//
// usage: node bench/hardening.mjs [--runs N] [-- ags options such as --config FILE]
// Run it as the user whose rootless podman you want to measure, from a project directory. On a host that
// cannot enforce the limits, the config needs `[lockdown] require_limits = false`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const sep = args.indexOf('--');
const agsOpts = sep === -1 ? [] : args.slice(sep + 1);
const runsAt = args.indexOf('--runs');
const runs = runsAt === -1 ? 15 : Number(args[runsAt + 1]);
const ags = fileURLToPath(new URL('../bin/ags.js', import.meta.url));
const argvOf = (hardened) => [
  ags,
  ...agsOpts,
  ...(hardened ? ['--lockdown'] : []),
  '--network',
  'none',
  '--agent',
  'shell',
  '--',
  '-c',
  'true',
];

function time(hardened) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argvOf(hardened), { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`ags exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// warm both (image layers, page cache, the seccomp profiles derived once)
time(false);
time(true);
const plain = [];
const hardened = [];
for (let i = 0; i < runs; i++) {
  plain.push(time(false));
  hardened.push(time(true));
}
const p = median(plain);
const h = median(hardened);
console.log(`runs: ${runs} each, alternating`);
console.log(`default run    median ${p.toFixed(0)} ms`);
console.log(`hardened run   median ${h.toFixed(0)} ms`);
console.log(`difference     ${(h - p).toFixed(0)} ms, ratio ${(h / p).toFixed(2)}x`);
