import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADAPTERS } from '../../../agents/index.js';
import { sandboxBundleDir } from '../../host/sandbox-bundle.js';
import { buildLaunchPlan } from '../../plan/build.js';
import type { RunRequest } from '../../plan/inputs.js';
import type { LaunchPlan } from '../../plan/types.js';
import { createMountpoints, plannedMountpoints } from '../../session/mountpoints.js';
import { chooseRuntimeDir, ensureRuntimeDir } from '../../session/runtime-dir.js';
import { AgsError } from '../../errors.js';
import type { SandboxContext } from '../../launch/context.js';
import { removeTree } from '../../util/remove-tree.js';

/** What the probe runs: `ags --agent shell -- -c PROBE_SCRIPT`, which prints the sandbox's Node version. */
export const PROBE_SCRIPT = 'exec node -e "process.stdout.write(process.version)"';

export const PROBE_REQUEST: RunRequest = {
  agent: 'shell',
  addDirs: [],
  defaults: false,
  tmux: false,
  root: false,
  yolo: false,
  dryRun: false,
  agentArgs: ['-c', PROBE_SCRIPT],
};

/**
 * doctor's probe, planned and rendered by the same code as a real run of the shell agent with the user's settings
 * (engine, init, runtime, ulimits, limits, user namespace, capabilities, security options, network, config
 * mounts, seccomp profile, and the sandbox entry when secrets are configured). Only where it runs differs: an
 * empty scratch workspace, sandbox home, tools dir, session dir and secrets file (no values), so the probe touches
 * nothing of the user's; and no terminal, since doctor reads its output.
 */
export function probePlan(
  ctx: Pick<SandboxContext, 'facts' | 'settings' | 'backend'>,
  scratch: string,
  bundleDir: string | null,
  seccompProfile: string,
): LaunchPlan {
  const workdir = join(scratch, 'work');
  return buildLaunchPlan(
    PROBE_REQUEST,
    { ...ctx.settings, agentHome: join(scratch, 'home'), toolsDir: join(scratch, 'tools') },
    {
      ...ctx.facts,
      cwd: workdir,
      workdir,
      stdinTTY: false,
      stdoutTTY: false,
      sessionDir: join(scratch, 'session'),
      secretEnvFile: join(scratch, 'secrets', 'env'),
      seccompProfile,
      hostServicesAddress: ctx.backend.hostServicesAddress,
      sandboxBundleDir: bundleDir,
      nonce: randomBytes(6).toString('hex'),
      agentCommandAt: 'unknown',
    },
    ADAPTERS.shell,
  );
}

/** Starts the probe sandbox for real, in a scratch directory it removes afterwards. */
export async function startProbe(
  ctx: Pick<SandboxContext, 'facts' | 'settings' | 'backend'>,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let seccompProfile: string;
  try {
    const runtime = chooseRuntimeDir(ctx.facts.env, ctx.facts.uid);
    const seccomp = ctx.backend.seccompProfile(ensureRuntimeDir(runtime, ctx.facts.uid));
    seccomp.ensure();
    seccompProfile = seccomp.path;
  } catch (err) {
    if (err instanceof AgsError) return { exitCode: 1, stdout: '', stderr: err.message };
    throw err;
  }
  let scratch: string;
  try {
    scratch = mkdtempSync(join(tmpdir(), 'ags-doctor-'));
  } catch (err) {
    // a temporary directory this user cannot write is a finding about the host, not a bug
    return { exitCode: 1, stdout: '', stderr: `cannot make a scratch directory: ${(err as Error).message}` };
  }
  try {
    for (const d of ['work', 'home', 'tools', 'session', 'secrets'])
      mkdirSync(join(scratch, d), { mode: 0o700 });
    writeFileSync(join(scratch, 'secrets', 'env'), '', { mode: 0o600 });
    const plan = probePlan(ctx, scratch, sandboxBundleDir(), seccompProfile);
    createMountpoints(plannedMountpoints(plan.mounts));
    // rendered and started by the same backend code as a run's sandbox
    return await ctx.backend.capture(plan);
  } finally {
    removeTree(scratch);
  }
}
