import type { LaunchPlan, Network } from '../../plan/types.js';
import type { RunFiles } from '../backend.js';
import { bindMountArg } from './mount-arg.js';

export type { RunFiles };

/** What only Podman has: the `[runtime.podman]` knobs, applied to every container and build. */
export interface PodmanOptions {
  ociRuntime?: string;
  /** --ulimit values, e.g. "nofile=1024:1024". */
  ulimits: string[];
  /** Arguments for `podman run`, inserted before the image. */
  extraArgs: string[];
}

export const NO_PODMAN_OPTIONS: PodmanOptions = { ulimits: [], extraArgs: [] };

function networkArg(network: Network): string {
  switch (network.mode) {
    case 'none':
      return '--network=none';
    case 'open':
      return `--network=slirp4netns:allow_host_loopback=${network.hostLoopback}`;
    case 'proxied':
      // only the proxy's socket (mounted like any other) leads out
      return '--network=none';
  }
}

/**
 * Renders a LaunchPlan into the argv of `podman run`. Pure. Secret values never appear here, nor reach podman
 * at all: the plan's command starts the sandbox entry, which reads them from a mounted file.
 */
export function podmanRunArgv(
  plan: LaunchPlan,
  files: RunFiles = {},
  options: PodmanOptions = NO_PODMAN_OPTIONS,
): string[] {
  // conmon's default k8s-file driver copies all the agent prints (a secret it echoes) into podman's storage;
  // with none, stdio still reaches ags through the attach socket and nothing is kept
  const argv = ['run', '--rm', '--log-driver=none'];
  // --init: a tiny init as PID 1 forwards signals to the agent and reaps its zombies
  if (plan.init) argv.push('--init');
  argv.push('-i');
  if (plan.tty) argv.push('-t');
  argv.push('--pull=never', `--name=${plan.containerName}`);
  for (const [k, v] of Object.entries(files.labels ?? {})) argv.push(`--label=${k}=${v}`);
  if (options.ociRuntime) argv.push(`--runtime=${options.ociRuntime}`);
  for (const u of options.ulimits) argv.push(`--ulimit=${u}`);

  // the invoker's own uid and gid inside: keep-id maps them through the user namespace
  if (plan.user === 'invoker') argv.push('--userns=keep-id');
  else argv.push('--user=0:0');
  if (plan.security.capDropAll) argv.push('--cap-drop=all');
  if (plan.security.noNewPrivileges) argv.push('--security-opt=no-new-privileges');
  argv.push(`--security-opt=seccomp=${plan.security.seccompProfile}`);
  if (plan.security.pidsLimit !== undefined) argv.push(`--pids-limit=${plan.security.pidsLimit}`);
  if (plan.security.memory) argv.push(`--memory=${plan.security.memory}`);
  if (plan.security.cpus) argv.push(`--cpus=${plan.security.cpus}`);

  argv.push(networkArg(plan.network));

  for (const m of plan.mounts) argv.push(bindMountArg(m.source, m.target, m.mode));
  for (const [k, v] of Object.entries(plan.env)) argv.push(`--env=${k}=${v}`);
  if (files.cidFile) argv.push(`--cidfile=${files.cidFile}`);
  if (files.pidFile) argv.push(`--pidfile=${files.pidFile}`);
  argv.push(`--workdir=${plan.cwd}`);
  argv.push(...options.extraArgs);
  argv.push(plan.image, ...plan.command);
  return argv;
}
