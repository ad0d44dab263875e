import type { LaunchPlan } from '../../plan/types.js';
import { bindMountArg } from './mount-arg.js';

/** This run's files that podman reads or writes (they live in the session dir). */
export interface RunFiles {
  /** Where podman writes the container id once it has created the container. */
  cidFile?: string;
  /** Where the OCI runtime writes the container's first pid once that process exists. */
  pidFile?: string;
  /** Container labels (the owning ags process, so a container that outlives it is found and removed). */
  labels?: Record<string, string>;
}

/**
 * Renders a LaunchPlan into the argv of `podman run`. Pure. Secret values never appear here, nor reach podman
 * at all: the plan's command starts the sandbox entry, which reads them from a mounted file.
 */
export function podmanRunArgv(plan: LaunchPlan, files: RunFiles = {}): string[] {
  // conmon's default k8s-file driver copies all the agent prints (a secret it echoes) into podman's storage;
  // with none, stdio still reaches ags through the attach socket and nothing is kept
  const argv = ['run', '--rm', '--log-driver=none'];
  // --init: a tiny init as PID 1 forwards signals to the agent and reaps its zombies
  if (plan.engine.init) argv.push('--init');
  argv.push('-i');
  if (plan.tty) argv.push('-t');
  argv.push('--pull=never', `--name=${plan.containerName}`);
  for (const [k, v] of Object.entries(files.labels ?? {})) argv.push(`--label=${k}=${v}`);
  if (plan.engine.ociRuntime) argv.push(`--runtime=${plan.engine.ociRuntime}`);
  for (const u of plan.engine.ulimits) argv.push(`--ulimit=${u}`);

  if (plan.user === 'keep-id') argv.push('--userns=keep-id');
  else argv.push('--user=0:0');
  if (plan.security.capDropAll) argv.push('--cap-drop=all');
  if (plan.security.noNewPrivileges) argv.push('--security-opt=no-new-privileges');
  argv.push(`--security-opt=seccomp=${plan.security.seccompProfile}`);
  if (plan.security.pidsLimit !== undefined) argv.push(`--pids-limit=${plan.security.pidsLimit}`);
  if (plan.security.memory) argv.push(`--memory=${plan.security.memory}`);
  if (plan.security.cpus) argv.push(`--cpus=${plan.security.cpus}`);

  argv.push(
    plan.network.mode === 'none'
      ? '--network=none'
      : `--network=slirp4netns:allow_host_loopback=${plan.network.allowHostLoopback}`,
  );

  for (const m of plan.mounts) argv.push(bindMountArg(m.source, m.target, m.mode));
  for (const [k, v] of Object.entries(plan.env)) argv.push(`--env=${k}=${v}`);
  if (files.cidFile) argv.push(`--cidfile=${files.cidFile}`);
  if (files.pidFile) argv.push(`--pidfile=${files.pidFile}`);
  argv.push(`--workdir=${plan.cwd}`);
  argv.push(...plan.engine.extraArgs);
  argv.push(plan.image, ...plan.command);
  return argv;
}
