import { closeSync, existsSync, mkdirSync, openSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AgentName } from '../../agents/types.js';
import { type Config, entryApplies } from '../config/index.js';
import { guardPolicyFromConfig } from '../plan/guard-policy.js';
import type { ResolvedMount, RunSettings } from '../plan/inputs.js';
import type { SecretSpec } from '../session/secrets.js';
import { type MountSafety, hostPathProblem } from '../host/mount-safety.js';
import { displayPath, realpathLoose } from '../util/paths.js';
import { ConfigError } from '../errors.js';

export type RunSettingsWithSecrets = RunSettings & { secrets: SecretSpec[] };

interface MountEntry {
  host: string;
  container: string;
  mode: 'ro' | 'rw';
  kind: 'dir' | 'file';
  create: boolean;
  optional: boolean;
}

/**
 * How mount sources are resolved. A run creates `create = true` sources and stops at the first bad entry;
 * doctor (`inspect`) creates nothing, leaves out what a run would create, and collects every bad entry.
 */
export type MountResolution =
  { mode: 'create' } | { mode: 'inspect'; problems: ConfigError[]; wouldCreate: string[] };

/**
 * Checks one mount source on the host: creates it when `create` is set, skips it when `optional`, and
 * otherwise reports a missing or mistyped source as a config error naming the entry (podman's own message
 * would not say which entry is wrong).
 */
function resolveMount(
  m: MountEntry,
  label: string,
  safety: MountSafety,
  how: MountResolution,
): ResolvedMount | null {
  if (how.mode === 'create') return checkedMount(m, label, safety, true);
  try {
    const mount = checkedMount(m, label, safety, false);
    if (mount === null && m.create) how.wouldCreate.push(m.host);
    return mount;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    how.problems.push(err);
    return null;
  }
}

function checkedMount(
  m: MountEntry,
  label: string,
  safety: MountSafety,
  create: boolean,
): ResolvedMount | null {
  const problem = hostPathProblem(realpathLoose(m.host), safety, false);
  if (problem !== null) {
    throw new ConfigError(
      `${label}: refusing to mount host path ${displayPath(m.host)}: ${problem}`,
      "mount a narrower path that holds neither your home nor ags's own files",
    );
  }
  if (!existsSync(m.host)) {
    if (m.create) {
      if (!create) return null;
      if (m.kind === 'dir') mkdirSync(m.host, { recursive: true, mode: 0o700 });
      else {
        mkdirSync(dirname(m.host), { recursive: true, mode: 0o700 });
        closeSync(openSync(m.host, 'a', 0o600));
      }
    } else if (m.optional) {
      return null;
    } else {
      throw new ConfigError(
        `${label}: host path ${m.host} does not exist`,
        'create it, or set optional = true (skip it) or create = true',
      );
    }
  }
  const isDir = statSync(m.host).isDirectory();
  if (isDir !== (m.kind === 'dir')) {
    throw new ConfigError(
      `${label}: ${m.host} is ${isDir ? 'a directory' : 'a file'}, but kind = "${m.kind}"`,
    );
  }
  // the real path: a symlink swapped in later (by whoever can write its directory) cannot redirect the mount
  return { host: realpathSync(m.host), container: m.container, mode: m.mode };
}

/** What the command line chose beyond the config: lockdown, and the secrets named with --secret. */
export interface RunChoices {
  lockdown: boolean;
  secrets: readonly string[];
}

const NORMAL_RUN: RunChoices = { lockdown: false, secrets: [] };

/**
 * The run's secrets: every [[secret]] and `--secret NAME` on a normal run; in lockdown only the --secret names.
 * A name no [[secret]] sets comes from the host variable of that name.
 */
export function chosenSecrets(config: Config, choices: RunChoices): SecretSpec[] {
  const configured = choices.lockdown
    ? config.secret.filter((s) => choices.secrets.includes(s.env))
    : [...config.secret];
  for (const name of choices.secrets) {
    if (!configured.some((s) => s.env === name)) configured.push({ env: name, from_env: name });
  }
  return configured;
}

/** Maps the merged config onto what one run of `agent` needs (lockdown: see src/launch/lockdown.ts). */
export function runSettingsFromConfig(
  config: Config,
  agent: AgentName,
  safety: MountSafety,
  how: MountResolution = { mode: 'create' },
  choices: RunChoices = NORMAL_RUN,
): RunSettingsWithSecrets {
  const { lockdown } = choices;
  const run = { agent, lockdown };
  const allowMounts = config.lockdown.allow_mounts;
  const mounts: ResolvedMount[] = [];
  const take = (m: MountEntry, label: string) => {
    const r = resolveMount(m, label, safety, how);
    if (r) mounts.push(r);
  };
  config.mount.forEach((m, i) => entryApplies(m, run, allowMounts) && take(m, `mount[${i}]`));
  config.agent_mount.forEach((m, i) => entryApplies(m, run, allowMounts) && take(m, `agent_mount[${i}]`));
  config.tool.forEach((t, i) => {
    if (!entryApplies(t, run, allowMounts)) return;
    if (!existsSync(t.path) && t.optional) return;
    take(
      { host: t.path, container: t.container, mode: 'ro', kind: 'file', create: false, optional: false },
      `tool[${i}] (${t.name})`,
    );
    t.directory.forEach((d, j) => take(d, `tool[${i}].directory[${j}]`));
  });

  const overrides = config.agents[agent];
  const secrets = chosenSecrets(config, choices);
  return {
    image: config.sandbox.image,
    network:
      config.network.mode === 'none'
        ? { mode: 'none' }
        : { mode: 'open', hostLoopback: config.network.allow_host_loopback },
    runtime: {
      init: config.runtime.init,
      pidsLimit: config.runtime.pids_limit,
      ...(config.runtime.memory ? { memory: config.runtime.memory } : {}),
      ...(config.runtime.cpus ? { cpus: config.runtime.cpus } : {}),
    },
    agentHome: join(config.sandbox.data_dir, 'homes', agent),
    toolsDir: join(config.sandbox.data_dir, 'tools'),
    mounts,
    passthroughEnv: lockdown ? [] : config.sandbox.passthrough_env,
    secretNames: secrets.map((s) => s.env),
    secrets,
    agent: { args: overrides.args, env: overrides.env, hostHome: overrides.host_home && !lockdown },
    // lockdown's guard is always on and fails closed
    guard: lockdown || config.guard.enabled,
    guardPolicy: guardPolicyFromConfig(config.guard, lockdown),
    // lockdown keeps git config, hooks and agent project settings read-only whatever [sandbox] says
    protections: {
      git: lockdown || config.sandbox.git_config === 'read-only',
      agentConfig: lockdown || !config.sandbox.writable_agent_config,
    },
  };
}
