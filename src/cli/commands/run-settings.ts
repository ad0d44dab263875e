import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentName } from '../../../agents/types.js';
import type { ResolvedMount, RunSettings } from '../../plan/inputs.js';
import type { SecretSpec } from '../../session/secrets.js';
import { ConfigError } from '../errors.js';

/** The parts of the merged config (src/config) a run reads; paths are already expanded and absolute. */
export interface ConfigForRun {
  sandbox: {
    image: string;
    data_dir: string;
    passthrough_env: string[];
    ssh_keys: string[];
  };
  runtime: {
    oci_runtime?: string | undefined;
    ulimits: Record<string, string | number>;
    pids_limit: number;
    memory?: string | undefined;
    cpus?: number | undefined;
    extra_args: string[];
  };
  network: { mode: 'slirp4netns' | 'none'; allow_host_loopback: boolean };
  mount: Array<{
    host: string;
    container?: string | undefined;
    mode: 'ro' | 'rw';
    kind: 'dir' | 'file';
    create: boolean;
    optional: boolean;
    when?: string[] | undefined;
  }>;
  secret: SecretSpec[];
  agents: Partial<
    Record<AgentName, { args: string[]; env: Record<string, string>; host_home: boolean } | undefined>
  >;
  guard: { enabled: boolean };
}

/** podman --ulimit values from `[runtime] ulimits = { nofile = "1024:1024" }`. */
export function ulimitArgs(ulimits: Record<string, string | number>): string[] {
  return Object.entries(ulimits).map(([name, value]) => `${name}=${value}`);
}

/**
 * Maps the merged config onto what one run of `agent` needs. Checks mount sources (creating those marked
 * `create`), since a missing source would otherwise surface as a podman error.
 */
export function runSettingsFromConfig(
  config: ConfigForRun,
  agent: AgentName,
): RunSettings & { secrets: SecretSpec[] } {
  const mounts: ResolvedMount[] = [];
  for (const [i, m] of config.mount.entries()) {
    if (m.when && !m.when.includes(agent)) continue;
    if (!existsSync(m.host)) {
      if (m.create) {
        if (m.kind === 'dir') mkdirSync(m.host, { recursive: true, mode: 0o700 });
        else
          throw new ConfigError(
            `mount[${i}].host ${m.host} does not exist (create works for kind = "dir" only)`,
          );
      } else if (m.optional) {
        continue;
      } else {
        throw new ConfigError(
          `mount[${i}].host ${m.host} does not exist`,
          'create it, or mark the mount optional = true or create = true',
        );
      }
    }
    const isDir = statSync(m.host).isDirectory();
    if (isDir !== (m.kind === 'dir')) {
      throw new ConfigError(
        `mount[${i}].host ${m.host} is ${isDir ? 'a directory' : 'a file'}, but kind = "${m.kind}"`,
      );
    }
    mounts.push({ host: m.host, container: m.container ?? m.host, mode: m.mode });
  }
  const overrides = config.agents[agent];
  return {
    image: config.sandbox.image,
    network: { mode: config.network.mode, allowHostLoopback: config.network.allow_host_loopback },
    runtime: {
      ...(config.runtime.oci_runtime ? { ociRuntime: config.runtime.oci_runtime } : {}),
      ulimits: ulimitArgs(config.runtime.ulimits),
      pidsLimit: config.runtime.pids_limit,
      ...(config.runtime.memory ? { memory: config.runtime.memory } : {}),
      ...(config.runtime.cpus ? { cpus: config.runtime.cpus } : {}),
      extraArgs: config.runtime.extra_args,
    },
    agentHome: join(config.sandbox.data_dir, 'homes', agent),
    toolsDir: join(config.sandbox.data_dir, 'tools'),
    mounts,
    passthroughEnv: config.sandbox.passthrough_env,
    secretNames: config.secret.map((s) => s.env),
    secrets: config.secret,
    agent: {
      args: overrides?.args ?? [],
      env: overrides?.env ?? {},
      hostHome: overrides?.host_home ?? false,
    },
    guard: config.guard.enabled,
  };
}
