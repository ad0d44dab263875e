import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { AgentAdapter } from '../../agents/types.js';
import type { HostFacts, RunRequest, RunSettings } from './inputs.js';
import { SANDBOX_BIN_DIR, SANDBOX_SECRETS_DIR, SANDBOX_SESSION_DIR, SANDBOX_TOOLS_DIR } from './reserved.js';
import {
  MountList,
  type PlanInput,
  SANDBOX_ENTRY,
  agentWiringStep,
  commandStep,
  envStep,
  guardLoadStep,
  guardStep,
  lockdownStep,
  networkStep,
  secretsStep,
  securityStep,
  serviceMountsStep,
  sessionMountsStep,
  workspaceMountsStep,
} from './steps.js';
import { planHardening } from './hardening.js';
import type { LaunchPlan } from './types.js';

export { SANDBOX_BIN_DIR, SANDBOX_ENTRY, SANDBOX_SECRETS_DIR, SANDBOX_SESSION_DIR, SANDBOX_TOOLS_DIR };

/** A stable, readable container name: ags-<dir>-<hash of the path>-<pid>. */
export function containerNameFor(workdir: string, pid: number): string {
  const slug =
    basename(workdir)
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 30) || 'root';
  const hash = createHash('sha256').update(workdir).digest('hex').slice(0, 6);
  return `ags-${slug}-${hash}-${pid}`;
}

/**
 * The pure heart of a run: request + settings + host facts + adapter → LaunchPlan, composed of the named steps
 * of steps.ts (each a pure function with its own test). No I/O; tests compare the whole result.
 */
export function buildLaunchPlan(
  req: RunRequest,
  settings: RunSettings,
  host: HostFacts,
  adapter: AgentAdapter,
): LaunchPlan {
  const input: PlanInput = { req, settings, host, adapter };
  const guard = guardStep(input);
  const security = securityStep(input);
  const list = new MountList();
  const workspace = workspaceMountsStep(input, list);
  const guardLoad = guardLoadStep(input, guard.guard, list);
  serviceMountsStep(input, list);
  const { wiring, sessionFiles } = agentWiringStep(input, guard.guard, list, workspace.covers);
  const secretEnv = secretsStep(input, list);
  sessionMountsStep(input, wiring, list);
  const env = envStep(input, guard.guard, wiring, guardLoad.guardLoad);
  return {
    agent: adapter.name,
    image: settings.image,
    containerName: containerNameFor(host.workdir, host.pid),
    workdir: host.workdir,
    cwd: host.cwd,
    user: security.user,
    tty: host.stdinTTY && host.stdoutTTY,
    network: networkStep(input),
    init: settings.runtime.init,
    security: security.security,
    mounts: list.mounts,
    ...(settings.hardening
      ? {
          hardening: planHardening(
            settings.hardening,
            host.home,
            list.mounts.map((m) => m.target),
          ),
        }
      : {}),
    env: env.env,
    secretEnv,
    sessionFiles,
    command: commandStep(input, wiring, secretEnv),
    warnings: [...guard.warnings, ...security.warnings, ...workspace.warnings, ...env.warnings],
    ...(guardLoad.check ? { guardLoadCheck: guardLoad.check } : {}),
    ...(wiring.daemons?.length ? { daemons: wiring.daemons } : {}),
    ...(settings.lockdown ? { lockdown: lockdownStep(input) } : {}),
  };
}
