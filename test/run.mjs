#!/usr/bin/env node
// The test command: runs the unit, integration and e2e tiers with vitest.
// A tier whose prerequisites are missing is skipped with a loud banner saying why;
// under CI=true a skipped tier fails the run, so a green CI always means every tier ran.
//
// usage: node test/run.mjs [unit|integration|e2e ...] [-- vitest args]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ALL = ['unit', 'integration', 'e2e'];
const sep = process.argv.indexOf('--');
const requested = (sep === -1 ? process.argv.slice(2) : process.argv.slice(2, sep)).filter(Boolean);
const extra = sep === -1 ? [] : process.argv.slice(sep + 1);
const tiers = requested.length > 0 ? requested : ALL;
for (const t of tiers) {
  if (!ALL.includes(t)) {
    console.error(`test/run.mjs: unknown tier '${t}' (tiers: ${ALL.join(', ')})`);
    process.exit(2);
  }
}

const state = process.env.AGS_TEST_STATE ?? '/var/lib/ags-test';
const hostFile = join(state, 'host.json');

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Returns why a tier cannot run here, or null when it can. */
function missingFor(tier) {
  if (tier === 'unit') return null;
  if (!has('podman')) return 'podman is not installed (run `sudo bash scripts/provision-test-host.sh`)';
  if (!existsSync(hostFile))
    return `${hostFile} is missing (run \`sudo bash scripts/provision-test-host.sh\`)`;
  const host = JSON.parse(readFileSync(hostFile, 'utf8'));
  if (tier === 'e2e') {
    const agents = JSON.parse(readFileSync(new URL('./agents.json', import.meta.url), 'utf8'));
    for (const [name, a] of Object.entries(agents)) {
      const bin = join(host.cache, 'agents', `${name}-${a.version}`, 'node_modules', '.bin', a.bin);
      if (!existsSync(bin))
        return `agent CLI ${name} ${a.version} is not cached at ${bin} (run the provisioning script)`;
    }
  }
  return null;
}

const runnable = [];
const skipped = [];
for (const tier of tiers) {
  const why = missingFor(tier);
  if (why) skipped.push([tier, why]);
  else runnable.push(tier);
}

function banner(lines) {
  const bar = '!'.repeat(78);
  console.error(`\n${bar}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${bar}\n`);
}

if (skipped.length > 0) {
  banner(skipped.map(([t, why]) => `SKIPPED TIER ${t.toUpperCase()}: ${why}`));
}

let status = 0;
if (runnable.length > 0) {
  const vitest = join(
    import.meta.dirname ?? new URL('.', import.meta.url).pathname,
    '..',
    'node_modules/vitest/vitest.mjs',
  );
  const args = [vitest, 'run', ...runnable.flatMap((t) => ['--project', t]), ...extra];
  status = spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;
}

if (skipped.length > 0) {
  banner([
    `tiers run: ${runnable.join(', ') || 'none'}; tiers SKIPPED: ${skipped.map(([t]) => t).join(', ')}`,
    process.env.CI === 'true'
      ? 'CI=true: a skipped tier is a failure'
      : 'set up the machine to run them (see README)',
  ]);
  if (process.env.CI === 'true') status = status || 1;
}
process.exit(status);
