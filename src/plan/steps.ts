import { shellQuote } from '../../agents/sandbox-node.js';
import { basename, dirname, join } from 'node:path';
import type { AgentAdapter, Wiring } from '../../agents/types.js';
import { ConfigError, RuntimeError } from '../errors.js';
import { displayPath, isWithin } from '../util/paths.js';
import { guardVersionGap, guardVersionUnknown } from './agent-version.js';
import { buildHint, hostServicesHint } from './hint.js';
import type { HostFacts, RunRequest, RunSettings } from './inputs.js';
import { limitsRefusal } from './hardening.js';
import { decideLimits } from './limits.js';
import {
  DEFAULT_PROTECTIONS,
  PLACEHOLDER_DIR,
  PLACEHOLDER_COMMONDIR,
  PLACEHOLDER_COMMONDIR_FILE,
  PLACEHOLDER_FILE,
  PLACEHOLDER_GITIGNORE,
  PLACEHOLDER_GITIGNORE_FILE,
  protectedMounts,
  protectionWarnings,
} from './protected-paths.js';
import {
  type ReservedPath,
  GUARD_LOAD_MARKER,
  SANDBOX_BIN_DIR,
  SANDBOX_GUARD_LOAD_DIR,
  SANDBOX_SECRETS_DIR,
  SANDBOX_SESSION_DIR,
  SANDBOX_TOOLS_DIR,
  reservedCollision,
  reservedContainerPaths,
} from './reserved.js';
import { tmuxCommand, tmuxRunner } from './tmux.js';
import type { LaunchPlan, Mount } from './types.js';

/** The in-sandbox entry (shims/bin/ags-entry.sh) that exports the secrets and execs the agent. */
export const SANDBOX_ENTRY = `${SANDBOX_BIN_DIR}/ags-entry.sh`;

/** Host terminal variables worth carrying in (public, never secret). */
const TERMINAL_ENV = ['TERM', 'COLORTERM', 'LANG', 'LC_ALL', 'TZ'];

/** What every step of buildLaunchPlan reads. */
export interface PlanInput {
  req: RunRequest;
  settings: RunSettings;
  host: HostFacts;
  adapter: AgentAdapter;
}

/** The plan's mounts as they are added: a later mount of the same target replaces an earlier one. */
export class MountList {
  readonly mounts: Mount[] = [];
  /** Mounts whose target comes from the user, a repository or the file system, not from ags: checked last. */
  readonly fromOutside = new Set<Mount>();

  add(m: Mount, outside = false): void {
    // an -d dir equal to the workdir, say
    const i = this.mounts.findIndex((x) => x.target === m.target);
    if (i >= 0) this.mounts.splice(i, 1);
    this.mounts.push(m);
    if (outside) this.fromOutside.add(m);
  }
}

/** Whether the guard runs, and what the user must hear about the guard and the agent's binary. */
export function guardStep({ req, settings, host, adapter }: PlanInput): {
  guard: boolean;
  warnings: string[];
} {
  const warnings: string[] = [];
  const guard = adapter.guarded && settings.guard && !req.yolo && host.sandboxBundleDir !== null;
  if (adapter.guarded) {
    if (req.yolo)
      warnings.push('--yolo: the guard is OFF; destructive commands and secret reads will not be vetoed');
    else if (!settings.guard) warnings.push('[guard] enabled = false: the guard is OFF for this run');
    else if (host.sandboxBundleDir === null) {
      warnings.push('the guard bundle is not built (run `npm run build`): the guard is OFF for this run');
    }
  }
  if (!adapter.guarded && adapter.npmPackage) {
    warnings.push(
      `${adapter.title} is not guarded by ags yet (see docs/GUARDS.md): its tool calls are not vetoed`,
    );
  }
  if (guard) {
    const gap = guardVersionGap(adapter, host.agentVersion);
    // src/launch/launch.ts refuses this earlier in lockdown, with the same line; a plan never fails open silently
    if (gap && settings.lockdown) throw new RuntimeError(gap);
    if (gap) warnings.push(gap);
    const unknown = settings.lockdown ? guardVersionUnknown(adapter, host.agentVersion) : null;
    if (unknown) warnings.push(unknown);
  }
  if (host.agentCommandAt === 'home') {
    warnings.push(
      `${adapter.name} starts from its sandbox home (~/.local/bin/${adapter.command}, not from \`ags update-agents\`): whatever the agent last wrote there is what runs`,
    );
  }
  return { guard, warnings };
}

/** Who the agent is inside, its security options and the limits this host can enforce. */
export function securityStep({ req, settings, host }: PlanInput): {
  user: LaunchPlan['user'];
  security: LaunchPlan['security'];
  warnings: string[];
} {
  const warnings: string[] = [];
  if (req.root)
    warnings.push('--root: the agent runs as root inside the container with default capabilities');
  const hardening = settings.hardening;
  const limits = decideLimits(hardening ? hardening.limits : settings.runtime, host.cgroups);
  if (hardening?.requireLimits) {
    // src/launch/lockdown-hardening.ts refuses this earlier, with the same line; a plan never drops them
    const refusal = limitsRefusal(limits.unenforced, host.cgroups, hardening.source);
    if (refusal) throw new RuntimeError(refusal);
  }
  // pids_limit always has a value (its default), so only limits the user set are worth a line on every run;
  // all of them are in the plan (--dry-run) and in `ags doctor`. A hardened run names every limit it lacks.
  for (const u of limits.unenforced) {
    if (hardening || u.setting !== 'pids_limit') {
      warnings.push(
        `${hardening?.source ?? '[runtime]'} ${u.setting} = ${u.value} is not applied on this host (${u.reason})`,
      );
    }
  }
  return {
    user: req.root ? 'root' : 'invoker',
    security: {
      capDropAll: !req.root,
      noNewPrivileges: true,
      seccompProfile: host.seccompProfile,
      ...limits.applied,
      unenforcedLimits: limits.unenforced,
    },
    warnings,
  };
}

/**
 * The workspace and every directory mount: the agent's sandbox home (or the host's own, with host_home), the
 * workdir, -d dirs, config mounts, the read-only covers of git config and hooks and agent project settings
 * (protected-paths.ts), the tools volume and the in-sandbox bundle. Returns its warnings and the covers.
 */
export function workspaceMountsStep(
  { req, settings, host, adapter }: PlanInput,
  list: MountList,
): { warnings: string[]; covers: Mount[] } {
  const warnings: string[] = [];
  const home = host.home;
  list.add({
    source: settings.agentHome,
    target: home,
    mode: 'rw',
    why: `sandbox home of ${adapter.name}`,
    showInHint: false,
  });
  if (settings.agent.hostHome) {
    for (const p of adapter.homePaths) {
      list.add({
        source: join(home, p.path),
        target: join(home, p.path),
        mode: 'rw',
        why: `host's own ${adapter.name} home ([agents.${adapter.name}] host_home)`,
        showInHint: true,
      });
    }
  }
  list.add(
    { source: host.workdir, target: host.workdir, mode: 'rw', why: 'workdir', showInHint: false },
    true,
  );
  for (const dir of req.addDirs)
    list.add({ source: dir, target: dir, mode: 'rw', why: '--add-dir', showInHint: true }, true);
  for (const m of settings.mounts) {
    list.add(
      { source: m.host, target: m.container, mode: m.mode, why: 'config [[mount]]', showInHint: true },
      true,
    );
  }
  // git config and hooks, agent project settings: read-only over everything configured (protected-paths.ts)
  const protections = settings.protections ?? DEFAULT_PROTECTIONS;
  warnings.push(...protectionWarnings(protections));
  const covers = protectedMounts(
    host.protectedPaths ?? [],
    list.mounts.filter((m) => list.fromOutside.has(m)),
    protections,
    {
      dir: join(host.sessionDir, PLACEHOLDER_DIR),
      file: join(host.sessionDir, PLACEHOLDER_FILE),
      gitignore: join(host.sessionDir, PLACEHOLDER_GITIGNORE_FILE),
      commondir: join(host.sessionDir, PLACEHOLDER_COMMONDIR_FILE),
    },
  );
  for (const m of covers) list.add(m, true);
  if (host.sandboxBundleDir) {
    // ags run from a checkout inside what the agent may write (ags working on ags): allowed, but said loudly
    const packageRoot = dirname(dirname(host.sandboxBundleDir));
    const writable = list.mounts.find(
      (m) => m.mode === 'rw' && list.fromOutside.has(m) && isWithin(packageRoot, m.source),
    );
    if (writable) {
      warnings.push(
        `ags itself (${packageRoot}) lies inside the read-write ${writable.why}: the agent can rewrite the guard and the ags your host runs next`,
      );
    }
  }
  list.add({
    source: settings.toolsDir,
    target: SANDBOX_TOOLS_DIR,
    mode: 'ro',
    why: 'agent CLIs',
    showInHint: false,
  });
  if (host.sandboxBundleDir) {
    list.add({
      source: host.sandboxBundleDir,
      target: SANDBOX_BIN_DIR,
      mode: 'ro',
      why: 'guards and shims',
      showInHint: false,
    });
  }
  return { warnings, covers };
}

/** The directory an in-process guard (pi, opencode) writes its load marker to, and the check the run makes. */
export function guardLoadStep(
  { settings, host, adapter }: PlanInput,
  guard: boolean,
  list: MountList,
): { guardLoad: HostFacts['guardLoad'] | null; check?: LaunchPlan['guardLoadCheck'] } {
  const guardLoad = guard && adapter.guardInProcess && host.guardLoad ? host.guardLoad : null;
  if (!guardLoad) return { guardLoad: null };
  list.add({
    source: guardLoad.dir,
    target: SANDBOX_GUARD_LOAD_DIR,
    mode: 'rw',
    why: 'guard load marker',
    showInHint: false,
  });
  return {
    guardLoad,
    check: {
      markerFile: join(guardLoad.dir, GUARD_LOAD_MARKER),
      token: guardLoad.token,
      failClosed: settings.guardPolicy.lockdown === true,
    },
  };
}

/** The host services' mounts (their sockets), as data they gave the plan. */
export function serviceMountsStep({ settings }: PlanInput, list: MountList): void {
  for (const s of settings.services ?? []) {
    for (const m of s.mounts) list.add({ ...m, why: `ags ${s.service}`, showInHint: false });
  }
}

/** How the agent is wired to the hint and the guard (the adapter's part), and the session files. */
export function agentWiringStep(
  { req, settings, host, adapter }: PlanInput,
  guard: boolean,
  list: MountList,
  covers: Mount[] = [],
): { wiring: Wiring; sessionFiles: LaunchPlan['sessionFiles'] } {
  const protections = settings.protections ?? DEFAULT_PROTECTIONS;
  const hint = buildHint({
    workdir: host.workdir,
    mounts: list.mounts,
    lockdown: settings.lockdown !== undefined,
    guard,
    root: req.root,
    readOnlyGitConfig: protections.git && (host.protectedPaths ?? []).some((e) => e.group === 'git'),
    readOnlyAgentConfig:
      protections.agentConfig && (host.protectedPaths ?? []).some((e) => e.group === 'agent-config'),
    hostServices: host.hostServicesAddress,
  });
  const wiring = adapter.wire({
    hint,
    sessionDir: SANDBOX_SESSION_DIR,
    sandboxBinDir: SANDBOX_BIN_DIR,
    home: host.home,
    guard,
    guardPolicyPath: `${SANDBOX_SESSION_DIR}/guard-policy.json`,
    workspace: host.workdir,
    root: req.root,
    nonce: host.nonce,
    ...(settings.lockdown ? { lockdown: true } : {}),
  });
  const sessionFiles = [...wiring.files];
  if (covers.some((m) => m.source === join(host.sessionDir, PLACEHOLDER_FILE)))
    sessionFiles.push({ name: PLACEHOLDER_FILE, content: '' });
  if (covers.some((m) => m.source === join(host.sessionDir, PLACEHOLDER_GITIGNORE_FILE)))
    sessionFiles.push({ name: PLACEHOLDER_GITIGNORE_FILE, content: PLACEHOLDER_GITIGNORE });
  if (covers.some((m) => m.source === join(host.sessionDir, PLACEHOLDER_COMMONDIR_FILE)))
    sessionFiles.push({ name: PLACEHOLDER_COMMONDIR_FILE, content: PLACEHOLDER_COMMONDIR });
  for (const s of settings.services ?? []) sessionFiles.push(...s.files);
  if (req.tmux) sessionFiles.push(tmuxRunner());
  if (guard) {
    sessionFiles.push({
      name: 'guard-policy.json',
      content: `${JSON.stringify(settings.guardPolicy, null, 2)}\n`,
    });
  }
  return { wiring, sessionFiles };
}

/** The names whose values travel in the env file, and the read-only mount of its directory when there are any. */
export function secretsStep({ settings, host }: PlanInput, list: MountList): string[] {
  const secretEnv = [
    ...new Set([...settings.secretNames, ...settings.passthroughEnv.filter((n) => host.env[n])]),
  ];
  if (secretEnv.length > 0) {
    if (host.sandboxBundleDir === null) {
      throw new RuntimeError(
        'the sandbox entry that delivers secrets is not built, so this run cannot have its secrets',
        'run `npm run build` in the ags checkout',
      );
    }
    list.add({
      source: dirname(host.secretEnvFile),
      target: SANDBOX_SECRETS_DIR,
      mode: 'ro',
      why: 'secret values, for the sandbox entry',
      showInHint: false,
    });
  }
  return secretEnv;
}

/**
 * The last line of defence for ags's control paths: the config loader and the run's path checks refuse these
 * earlier with a better message, but no mount from outside ags reaches the plan over a reserved path.
 */
function assertNotReserved(m: Mount, reserved: readonly ReservedPath[]): void {
  const collision = reservedCollision(m.target, reserved);
  if (collision === null) return;
  throw new ConfigError(
    `refusing to mount ${displayPath(m.source)} (${m.why}) at ${displayPath(m.target)}: it ${collision}`,
    'ags keeps that path for its own files; mount it somewhere else',
  );
}

/**
 * The session dir (last among directories, so its read-only files sit above everything else) and the wiring's
 * single-file mounts into the agent home; then no mount from outside may cover a reserved path.
 */
export function sessionMountsStep({ host, adapter }: PlanInput, wiring: Wiring, list: MountList): void {
  list.add({
    source: host.sessionDir,
    target: SANDBOX_SESSION_DIR,
    mode: 'ro',
    why: 'session files',
    showInHint: false,
  });
  const fileMounts = [
    ...(wiring.homeFiles ?? []).map((f) => ({ file: f.file, target: join(host.home, f.target) })),
    ...(wiring.systemFiles ?? []),
  ];
  for (const f of fileMounts) {
    list.add({
      source: join(host.sessionDir, f.file),
      target: f.target,
      mode: 'ro',
      why: `${adapter.name} wiring`,
      showInHint: false,
    });
  }
  const reserved: ReservedPath[] = [
    ...reservedContainerPaths(host.home, [adapter]),
    ...fileMounts.map((f) => ({ path: f.target, what: `ags's ${adapter.name} wiring` })),
  ];
  // every mount from outside, also one a later mount of the same target replaced
  for (const m of list.fromOutside) assertNotReserved(m, reserved);
}

/** The public environment: terminal variables, HOME and PATH, services, the agent's own, then ags's and the wiring's. */
export function envStep(
  { req, settings, host, adapter }: PlanInput,
  guard: boolean,
  wiring: Wiring,
  guardLoad: HostFacts['guardLoad'] | null = null,
): { env: Record<string, string>; warnings: string[] } {
  const home = host.home;
  const env: Record<string, string> = {};
  for (const name of TERMINAL_ENV) {
    const value = host.env[name];
    if (value) env[name] = value;
  }
  Object.assign(env, {
    HOME: home,
    // the agent-writable ~/.local/bin last: nothing planted there shadows the tools volume or the image
    // (an agent CLI's `#!/usr/bin/env node` finds the image's node); a native install's own command is still found
    PATH: [
      ...(settings.services ?? []).flatMap((s) => s.pathDirs ?? []),
      `${SANDBOX_TOOLS_DIR}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${home}/.local/bin`,
    ].join(':'),
    ...(settings.gitconfig ? { GIT_CONFIG_GLOBAL: `${SANDBOX_SESSION_DIR}/${settings.gitconfig}` } : {}),
    ...Object.assign({}, ...(settings.services ?? []).map((s) => s.env)),
    ...((settings.services ?? []).some((s) => s.service === 'auth-proxy') ? adapter.browserEnv : {}),
    ...adapter.env,
    ...settings.agent.env,
    // ags's own variables and the wiring the guard and hint depend on win over [agents.<name>.env]
    AGS_SANDBOX: '1',
    AGS_AGENT: adapter.name,
    AGS_HOST_SERVICES_HOST: host.hostServicesAddress,
    AGS_HOST_SERVICES_HINT: hostServicesHint(host.hostServicesAddress),
    ...(req.yolo ? { AGS_GUARD_YOLO: '1' } : {}),
    // the guard fails closed even when its policy file cannot be read (guards/engine/hook.ts)
    ...(settings.lockdown ? { AGS_LOCKDOWN: '1' } : {}),
    ...(guard ? { AGS_WORKSPACE: host.workdir } : {}),
    ...(guardLoad
      ? {
          AGS_GUARD_LOAD_MARKER: `${SANDBOX_GUARD_LOAD_DIR}/${GUARD_LOAD_MARKER}`,
          AGS_GUARD_LOAD_TOKEN: guardLoad.token,
        }
      : {}),
    ...wiring.env,
  });
  const warnings = Object.keys(settings.agent.env)
    .filter((name) => name in wiring.env)
    .map(
      (name) =>
        `[agents.${adapter.name}.env] sets ${name}, which ags sets itself to wire ${adapter.name}; that value is ignored`,
    );
  return { env, warnings };
}

/** A lockdown run's part of the plan: its fresh home, where that is staged from, and what lockdown left out. */
export function lockdownStep({ settings }: PlanInput): NonNullable<LaunchPlan['lockdown']> {
  const l = settings.lockdown!;
  return {
    home: settings.agentHome,
    sourceHome: l.sourceHome,
    staged: [...l.staged],
    ignored: [...l.ignored],
  };
}

/** The sandbox's network, as configured. */
export function networkStep({ settings }: PlanInput): LaunchPlan['network'] {
  return { ...settings.network };
}

/** The command inside: the agent's argv, maybe in tmux, behind the sandbox entry when there are secrets. */
export function commandStep(
  { req, settings, host, adapter }: PlanInput,
  wiring: Wiring,
  secretEnv: string[],
): string[] {
  const agentArgv = [
    host.agentCommandAt === 'tools' ? `${SANDBOX_TOOLS_DIR}/bin/${adapter.command}` : adapter.command,
    ...wiring.args,
    ...(req.defaults ? adapter.defaultArgs : []),
    ...settings.agent.args,
    ...req.agentArgs,
  ];
  const inner = req.tmux ? tmuxCommand(agentArgv, SANDBOX_SESSION_DIR) : agentArgv;
  // Secret values never go to podman (its container spec and state database keep them): the entry reads them
  // from the read-only env file and execs the agent (or the tmux runner, whose tmux server then has them).
  const entered =
    secretEnv.length > 0
      ? ['/bin/sh', SANDBOX_ENTRY, `${SANDBOX_SECRETS_DIR}/${basename(host.secretEnvFile)}`, ...inner]
      : inner;
  // the services' first (the egress forwarder), then the agent's own (waiting for its guard server)
  return withPreludes(
    [...(settings.services ?? []).flatMap((s) => (s.prelude ? [s.prelude] : [])), ...(wiring.preludes ?? [])],
    entered,
  );
}

/**
 * Runs each service's prelude in the sandbox before the command, which starts only if all succeed (exit 126
 * otherwise, as for a command that cannot run); then the shell execs it, so it keeps the shell's PID.
 */
export function withPreludes(preludes: readonly string[][], command: string[]): string[] {
  if (preludes.length === 0) return command;
  const steps = preludes.map((p) => `${p.map(shellQuote).join(' ')} || exit 126`);
  return ['/bin/sh', '-c', `${steps.join('; ')}; exec "$@"`, 'ags-prelude', ...command];
}
