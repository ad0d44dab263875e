#!/usr/bin/env node
// What lockdown costs at start-up, measured in one run against same-run baselines:
//   1. staging a lockdown home with an empty tools volume and with 1 GB in it: the tools volume is mounted
//      read-only, never copied, so the ratio should be about 1 (goal ≤ 1.2). Measured twice: inside each launch
//      (the `staging home` → `home staged` marks of AGS_TIMING=1), and in this process (stageHome of
//      src/session/staged-home.ts, bundled, many calls), where no podman or process start-up adds noise;
//   2. a whole lockdown launch against a default launch of the same agent.
// The agent is a stand-in `claude` in each tools volume (`#!/bin/sh` exiting 0), so no model or account is
// needed; its persistent home holds the staging list's files. Alternated, N runs each, medians and ratios.
//
// usage: node scripts/build.mjs && node bench/lockdown.mjs [--runs N] --config FILE
// Run it as the user whose rootless podman you want to measure, from a project directory. FILE must not set
// [sandbox] data_dir: the bench writes two copies of it, each with a data dir of its own. On a host that cannot
// enforce the lockdown limits (rootless cgroup v1) it needs [lockdown] require_limits = false.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const configAt = args.indexOf('--config');
if (configAt === -1) throw new Error('usage: node bench/lockdown.mjs [--runs N] --config FILE');
const baseConfig = readFileSync(args[configAt + 1], 'utf8');
if (/^\s*data_dir\s*=/m.test(baseConfig)) throw new Error('the config must not set [sandbox] data_dir');
const runsAt = args.indexOf('--runs');
const runs = runsAt === -1 ? 11 : Number(args[runsAt + 1]);
const ags = fileURLToPath(new URL('../bin/ags.js', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'ags-bench-lockdown-'));
const GB = 1024 * 1024 * 1024;
const CHUNK = 16 * 1024 * 1024;

/**
 * A config whose data dir's tools volume has the stand-in claude and `bytes` more in it, and whose claude home
 * holds the staging list's files. Returns the config's path.
 */
function dataHome(name, bytes) {
  const home = join(dir, name);
  const tools = join(home, 'tools');
  mkdirSync(join(tools, 'bin'), { recursive: true });
  writeFileSync(join(tools, 'bin', 'claude'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(tools, 'bin', 'claude'), 0o755);
  const filler = join(tools, 'lib', 'node_modules', 'filler');
  mkdirSync(filler, { recursive: true });
  const chunk = Buffer.alloc(CHUNK, 0x61);
  for (let i = 0; i * CHUNK < bytes; i++) writeFileSync(join(filler, `blob-${i}`), chunk);
  const claudeHome = join(home, 'homes', 'claude', '.claude');
  mkdirSync(claudeHome, { recursive: true });
  writeFileSync(join(claudeHome, 'settings.json'), '{"theme":"dark"}\n');
  writeFileSync(join(claudeHome, 'CLAUDE.md'), '# notes\n'.repeat(200));
  writeFileSync(join(claudeHome, 'history.jsonl'), 'x'.repeat(1024 * 1024)); // not on the list
  const line = `data_dir = "${home}"`;
  const text = /^\[sandbox\]\s*$/m.test(baseConfig)
    ? baseConfig.replace(/^\[sandbox\]\s*$/m, `[sandbox]\n${line}`)
    : `[sandbox]\n${line}\n${baseConfig}`;
  const config = join(home, 'config.toml');
  writeFileSync(config, text);
  return config;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One launch: its wall time, and the staging step's time from the AGS_TIMING marks (null when not a lockdown). */
function launch(config, lockdown) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [ags, '--config', config, ...(lockdown ? ['--lockdown'] : []), '--agent', 'claude'],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, AGS_TIMING: '1' } },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`ags exited ${r.status}: ${r.stderr}`);
  const at = (label) => {
    const m = new RegExp(`ags: timing ([0-9.]+) ms ${label}\\n`).exec(r.stderr);
    return m ? Number(m[1]) : null;
  };
  const from = at('staging home');
  const to = at('home staged');
  return { ms, staging: from !== null && to !== null ? to - from : null };
}

/** stageHome itself, `calls` times per data dir, alternating; medians in ms. */
async function stagingInProcess(emptyConfig, fullConfig, calls) {
  const bundle = join(dir, 'staged-home.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../src/session/staged-home.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'error',
  });
  const { stageHome } = await import(pathToFileURL(bundle).href);
  const list = ['.claude/settings.json', '.claude/CLAUDE.md'];
  const times = { empty: [], full: [] };
  let n = 0;
  for (let i = 0; i < calls; i++) {
    // ABBA order, so neither side always runs first
    for (const [side, config] of i % 2
      ? [
          ['full', fullConfig],
          ['empty', emptyConfig],
        ]
      : [
          ['empty', emptyConfig],
          ['full', fullConfig],
        ]) {
      const source = join(config, '..', 'homes', 'claude');
      const target = join(dir, `stage-${n++}`);
      const t0 = process.hrtime.bigint();
      stageHome(source, target, list);
      times[side].push(Number(process.hrtime.bigint() - t0) / 1e6);
      rmSync(target, { recursive: true });
    }
  }
  return { empty: median(times.empty), full: median(times.full) };
}

try {
  const empty = dataHome('empty', 0);
  const full = dataHome('full', GB);
  const inProcess = await stagingInProcess(empty, full, 400);
  // warm both (image layers, page cache, the first keep-id run of the image)
  for (const d of [empty, full]) {
    launch(d, true);
    launch(d, false);
  }
  const stageEmpty = [];
  const stageFull = [];
  const lockedFull = [];
  const lockedEmpty = [];
  const normal = [];
  for (let i = 0; i < runs; i++) {
    // ABBA order, so neither side always runs first; a default launch after each pair
    const pair =
      i % 2
        ? [
            [full, stageFull, lockedFull],
            [empty, stageEmpty, lockedEmpty],
          ]
        : [
            [empty, stageEmpty, lockedEmpty],
            [full, stageFull, lockedFull],
          ];
    for (const [config, staging, launches] of pair) {
      const r = launch(config, true);
      staging.push(r.staging);
      launches.push(r.ms);
    }
    normal.push(launch(empty, false).ms);
  }
  const se = median(stageEmpty);
  const sf = median(stageFull);
  const le = median(lockedEmpty);
  const lf = median(lockedFull);
  const n = median(normal);
  console.log(`launches: ${runs} each, ABBA; agent: stand-in claude, staging list of 2 files`);
  console.log(`staging in process (400 calls each, ABBA):`);
  console.log(`  empty tools volume   median ${inProcess.empty.toFixed(3)} ms`);
  console.log(
    `  1 GB tools volume    median ${inProcess.full.toFixed(3)} ms   ratio ${(inProcess.full / inProcess.empty).toFixed(2)}x`,
  );
  console.log(`staging inside the launch (AGS_TIMING marks):`);
  console.log(`  empty tools volume   median ${se.toFixed(2)} ms`);
  console.log(`  1 GB tools volume    median ${sf.toFixed(2)} ms   ratio ${(sf / se).toFixed(2)}x`);
  console.log(`lockdown launch, empty tools  median ${le.toFixed(0)} ms`);
  console.log(`lockdown launch, 1 GB tools   median ${lf.toFixed(0)} ms   ratio ${(lf / le).toFixed(2)}x`);
  console.log(`default launch                median ${n.toFixed(0)} ms`);
  console.log(`lockdown vs default           ${(le - n).toFixed(0)} ms, ratio ${(le / n).toFixed(2)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
