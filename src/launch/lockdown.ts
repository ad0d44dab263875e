import type { AgentAdapter, AgentName } from '../../agents/types.js';
import { type Config, entryApplies } from '../config/index.js';
import { UsageError } from '../errors.js';
import type { LockdownSettings } from '../plan/inputs.js';
import type { LaunchPlan } from '../plan/types.js';
import { scrubText } from '../util/terminal-text.js';

/**
 * Lockdown: how a user opens a repository they do not trust. The agent keeps the workspace, its own model API and
 * the secrets named on the command line, and loses the rest of the host: see docs/SECURITY.md (Lockdown).
 */

/** Whether this run is in lockdown: `--lockdown`, or `[agents.X] lockdown = true` of the user config. */
export function lockdownWanted(flag: boolean, userConfig: Config, agent: AgentName): boolean {
  return flag || userConfig.agents[agent].lockdown;
}

/** The flags a lockdown run refuses, checked before anything is prepared. */
export interface LockdownFlags {
  root: boolean;
  yolo: boolean;
  network?: string | undefined;
}

/** Refuses (exit 2) what lockdown cannot give: root, no guard, open network. */
export function refuseInLockdown(flags: LockdownFlags): void {
  const refuse = (what: string, hint: string) => {
    throw new UsageError(`${what} cannot be used in lockdown`, hint);
  };
  if (flags.root) refuse('--root', 'lockdown runs the agent as you, without capabilities; leave out --root');
  if (flags.yolo) refuse('--yolo', "lockdown's guard is always on and fails closed; leave out --yolo");
  if (flags.network === 'open') {
    refuse(
      '--network open',
      "lockdown allows only the agent's API and [lockdown] allow_domains; use --network allowlist (with --allow-domain) or none",
    );
  }
}

/** The OCI runtimes podman finds by name in its own configured paths: the only ones a lockdown run accepts. */
const KNOWN_OCI_RUNTIMES = new Set(['crun', 'runc']);

/**
 * Refuses (exit 2) the `[runtime.podman]` settings that can undo lockdown's isolation from outside the plan:
 * `extra_args` reach `podman run` verbatim (--cap-add, --security-opt seccomp=unconfined, --volume), and an
 * `oci_runtime` other than crun or runc is a program of the user's choosing that creates the sandbox. Refused
 * rather than ignored: the user set them on purpose, and a run silently without them would surprise as much.
 */
export function refuseRuntimeInLockdown(config: Config): void {
  const podman = config.runtime.podman;
  if (podman.extra_args.length > 0)
    throw new UsageError(
      '[runtime.podman] extra_args cannot be used in lockdown: they pass options to podman that can undo its isolation',
      'remove extra_args from the config, or run without --lockdown',
    );
  if (podman.oci_runtime !== undefined && !KNOWN_OCI_RUNTIMES.has(podman.oci_runtime))
    throw new UsageError(
      `[runtime.podman] oci_runtime = "${scrubText(podman.oci_runtime)}" cannot be used in lockdown: only "crun" or "runc"`,
      'set oci_runtime = "crun" or "runc", or run without --lockdown',
    );
}

/** What the config asks for that a lockdown run of `agent` leaves out or overrides: the plan and banner say it. */
export function ignoredInLockdown(config: Config, agent: AgentName, secrets: readonly string[]): string[] {
  const ignored: string[] = [];
  const run = { agent, lockdown: true };
  const allow = config.lockdown.allow_mounts;
  const skippedMounts =
    config.mount.filter((m) => !entryApplies(m, run, allow)).length +
    config.agent_mount.filter((m) => m.agent === agent && !entryApplies(m, run, allow)).length;
  const skippedTools = config.tool.filter((t) => !entryApplies(t, run, allow)).length;
  const skippedSecrets = config.secret.filter((s) => !secrets.includes(s.env)).length;
  if (skippedMounts > 0)
    ignored.push(`${skippedMounts} [[mount]]/[[agent_mount]] without "lockdown" in when`);
  if (skippedTools > 0) ignored.push(`${skippedTools} [[tool]] without "lockdown" in when`);
  if (skippedSecrets > 0) ignored.push(`${skippedSecrets} [[secret]] not named by --secret`);
  if (config.sandbox.passthrough_env.length > 0) ignored.push('[sandbox] passthrough_env');
  if (config.sandbox.ssh_keys.length > 0) ignored.push('[sandbox] ssh_keys (no SSH agent)');
  if (config.sandbox.signing_key !== undefined) ignored.push('[sandbox] signing_key (no SSH agent)');
  if (config.agents[agent].host_home) ignored.push(`[agents.${agent}] host_home`);
  if (config.network.allow_host_loopback) ignored.push('[network] allow_host_loopback');
  if (config.sandbox.git_config === 'writable') ignored.push('[sandbox] git_config = "writable"');
  if (config.sandbox.writable_agent_config) ignored.push('[sandbox] writable_agent_config');
  if (!config.guard.enabled) ignored.push('[guard] enabled = false');
  return ignored;
}

/** The lockdown part of a run's settings: where its home is staged from, what is staged, what is left out. */
export function lockdownSettings(
  config: Config,
  adapter: AgentAdapter,
  sourceHome: string,
  secrets: readonly string[],
): LockdownSettings {
  return {
    sourceHome,
    staged: [
      ...adapter.lockdownStaging,
      ...(config.lockdown.copy_credentials ? adapter.lockdownCredentials : []),
    ],
    ignored: ignoredInLockdown(config, adapter.name, secrets),
  };
}

const MAX_SHOWN = 6;

function shortList(items: readonly string[]): string {
  if (items.length === 0) return 'none';
  const shown = items.slice(0, MAX_SHOWN).join(', ');
  return items.length > MAX_SHOWN ? `${shown}, … (${items.length})` : shown;
}

/**
 * The start banner of a lockdown run (two lines on stderr): what the sandbox sees of the host, where it may
 * connect, the guard and the limits; so the user always knows the posture the agent is in.
 */
export function lockdownBanner(plan: LaunchPlan, staged: readonly string[]): string {
  const visible = plan.mounts.filter((m) => m.why === 'workdir' || m.showInHint).map((m) => m.target);
  const net =
    plan.network.mode === 'proxied'
      ? `allowlist (${shortList(plan.network.allow)})`
      : plan.network.mode === 'none'
        ? 'none'
        : 'open';
  const s = plan.security;
  const limits = [
    s.pidsLimit !== undefined ? `pids ${s.pidsLimit}` : null,
    s.memory !== undefined ? `memory ${s.memory}` : null,
    s.cpus !== undefined ? `cpus ${s.cpus}` : null,
    ...s.unenforcedLimits.map((u) => `${u.setting} ${u.value} not enforced here`),
  ].filter((x): x is string => x !== null);
  const h = plan.hardening;
  const hardening = h
    ? [
        h.readOnlyRoot ? 'read-only root' : null,
        h.tmpfs.length > 0 ? `tmpfs ${h.tmpfs.map((t) => `${t.target} ${t.size}`).join(', ')}` : null,
        h.nestedUserNamespaces ? null : 'no user namespaces',
      ].filter((x): x is string => x !== null)
    : [];
  const authProxy = plan.mounts.some((m) => m.why === 'ags auth-proxy');
  const guard =
    plan.env.AGS_LOCKDOWN === '1' && plan.sessionFiles.some((f) => f.name === 'guard-policy.json');
  const lines = [
    `ags: lockdown: on · host paths: ${shortList(visible)} · home: fresh, staged ${shortList(staged)} · secrets: ${shortList(plan.secretEnv)}`,
    `ags: lockdown: network ${net} · guard ${guard ? 'fail-closed' : 'none (this agent has no guard)'} · auth proxy ${authProxy ? 'on' : 'off'} · limits ${shortList(limits)} · hardening ${shortList(hardening)}`,
  ];
  return lines.map((l) => `${scrubText(l)}\n`).join('');
}
