#!/usr/bin/env node
// Launch overhead of ags: `ags --agent shell -- -c true` against the very podman command ags runs
// (taken from `ags --dry-run`), run by hand. Alternates the two, N runs each, prints medians and their ratio.
//
// usage: node bench/launch.mjs [--runs N] [-- ags options such as --config FILE]
// Run it as the user whose rootless podman you want to measure, from a project directory.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const sep = args.indexOf('--');
const agsOpts = sep === -1 ? [] : args.slice(sep + 1);
const runsAt = args.indexOf('--runs');
const runs = runsAt === -1 ? 15 : Number(args[runsAt + 1]);
const ags = fileURLToPath(new URL('../bin/ags.js', import.meta.url));

function time(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const dry = spawnSync(
  process.execPath,
  [ags, ...agsOpts, '--agent', 'shell', '--dry-run', '--', '-c', 'true'],
  {
    encoding: 'utf8',
  },
);
if (dry.status !== 0) throw new Error(`ags --dry-run failed: ${dry.stderr}`);
const podmanArgv = JSON.parse(dry.stdout).podman.slice(1);
// the hand-run needs no session dir: drop the session mounts, keep everything else (so bench a config without
// [[secret]]: a run with secrets starts through the entry, which needs its env file)
const byHand = podmanArgv.filter((a) => !a.includes('/session-') && !a.startsWith('--name='));

// warm both paths once (image layers, page cache); ags first, since it creates the home and tools dirs
time(process.execPath, [ags, ...agsOpts, '--agent', 'shell', '--', '-c', 'true']);
time('podman', byHand);

const agsTimes = [];
const podmanTimes = [];
for (let i = 0; i < runs; i++) {
  podmanTimes.push(time('podman', byHand));
  agsTimes.push(time(process.execPath, [ags, ...agsOpts, '--agent', 'shell', '--', '-c', 'true']));
}
const a = median(agsTimes);
const p = median(podmanTimes);
console.log(`runs: ${runs} each, alternating`);
console.log(`podman run by hand       median ${p.toFixed(0)} ms`);
console.log(`ags --agent shell        median ${a.toFixed(0)} ms`);
console.log(`overhead                 ${(a - p).toFixed(0)} ms, ratio ${(a / p).toFixed(2)}x`);
