import type { TmpfsMount } from '../../plan/hardening.js';
import type { LaunchPlan, Network } from '../../plan/types.js';
import type { RunFiles } from '../backend.js';
import { bindMountArg, tmpfsMountArg } from './mount-arg.js';
import { noUserNamespacesProfilePath } from './seccomp.js';

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

const TMPFS_ACCESS: Record<TmpfsMount['access'], string[]> = {
  sticky: ['tmpfs-mode=1777'],
  system: ['tmpfs-mode=0755'],
  // U: owned by the container's user (the invoker under keep-id), not by its root
  private: ['tmpfs-mode=0700', 'U=true'],
};

/**
 * A tmpfs of the plan, empty (notmpcopyup: nothing of the image copied in): exec allowed (builds and agents
 * run programs from /tmp; the workspace is writable and executable anyway), no device files or setuid.
 */
function tmpfsArg(t: TmpfsMount): string {
  const options = [`tmpfs-size=${t.size}`, ...TMPFS_ACCESS[t.access], 'nosuid', 'nodev', 'notmpcopyup'];
  return tmpfsMountArg(t.target, options);
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
  const hardening = plan.hardening;
  const seccomp = plan.security.seccompProfile;
  // the variant ensureSeccompProfile writes beside ags's profile
  argv.push(
    `--security-opt=seccomp=${hardening?.nestedUserNamespaces === false ? noUserNamespacesProfilePath(seccomp) : seccomp}`,
  );
  if (plan.security.pidsLimit !== undefined) argv.push(`--pids-limit=${plan.security.pidsLimit}`);
  if (plan.security.memory) argv.push(`--memory=${plan.security.memory}`);
  if (plan.security.cpus) argv.push(`--cpus=${plan.security.cpus}`);

  argv.push(networkArg(plan.network));
  // the daemons' ports (below 1024) stay theirs: no unprivileged process may bind one, whatever containers.conf says
  if (plan.daemons?.length) argv.push('--sysctl=net.ipv4.ip_unprivileged_port_start=1024');

  // podman's own --read-only tmpfs (/tmp, /run, /var/tmp, unlimited) off: the plan names each with its size
  if (hardening?.readOnlyRoot) argv.push('--read-only', '--read-only-tmpfs=false');
  for (const t of hardening?.tmpfs ?? []) argv.push(tmpfsArg(t));
  for (const m of plan.mounts) argv.push(bindMountArg(m.source, m.target, m.mode));
  for (const [k, v] of Object.entries(plan.env)) argv.push(`--env=${k}=${v}`);
  if (files.cidFile) argv.push(`--cidfile=${files.cidFile}`);
  if (files.pidFile) argv.push(`--pidfile=${files.pidFile}`);
  argv.push(`--workdir=${plan.cwd}`);
  argv.push(...options.extraArgs);
  argv.push(plan.image, ...plan.command);
  return argv;
}
