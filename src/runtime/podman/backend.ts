import { identityOf } from '../../session/process-identity.js';
import type { SandboxBackend } from '../backend.js';
import { podmanRunArgv } from './argv.js';
import { chownToContainerRoot, imageExists, podman } from './engine.js';
import { podmanFailure } from './exit-status.js';
import { buildImage } from './image.js';
import { installAgentsArgv } from './install-agents.js';
import { runInstallContainer } from './install-run.js';
import { ownerLabels, removeOrphanContainers } from './orphans.js';
import { runContainer } from './run-container.js';
import { removeContainer } from './stop.js';
import { ensureSeccompProfile, locateSeccompProfile } from './seccomp.js';

/** podman's exit code when it could not create or start the container (its own error, not the agent's). */
const PODMAN_START_FAILED = 125;

/** What only Podman has: the `[runtime.podman]` knobs, applied to every container and build. */
export interface PodmanOptions {
  ociRuntime?: string;
  /** --ulimit values, e.g. "nofile=1024:1024". */
  ulimits: string[];
}

/** Rootless Podman as a SandboxBackend: every podman process ags starts is started from this folder. */
export function podmanBackend(options: PodmanOptions): SandboxBackend {
  return {
    name: 'podman',
    hostServicesAddress: 'host.containers.internal',
    seccompProfile(runtimeDir) {
      const file = locateSeccompProfile(runtimeDir);
      return { path: file.path, ensure: () => ensureSeccompProfile(file) };
    },
    imageExists,
    buildImage: (b) => buildImage({ ...b, ...options }),
    render: (plan, files) => ['podman', ...podmanRunArgv(plan, files)],
    handToSandboxRoot: chownToContainerRoot,
    run: (plan, files, teardown, detached) =>
      runContainer(podmanRunArgv(plan, files), plan.containerName, teardown, detached),
    removeSandbox: (plan) => removeContainer(plan.containerName),
    async capture(plan) {
      const r = await podman(podmanRunArgv(plan), { stdin: 'ignore' });
      return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    startFailure: podmanFailure,
    couldNotCreate: (status) => status === PODMAN_START_FAILED,
    removeOrphans: removeOrphanContainers,
    ownerLabels(session) {
      const owner = identityOf(process.pid);
      return owner ? ownerLabels(owner, session) : {};
    },
    async installAgents(install) {
      const r = await runInstallContainer((run) => installAgentsArgv({ ...run, ...install, ...options }));
      return { status: r.exitCode, signalled: r.signalled };
    },
  };
}
