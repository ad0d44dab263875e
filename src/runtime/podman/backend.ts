import { identityOf } from '../../session/process-identity.js';
import type { SandboxBackend } from '../backend.js';
import { type PodmanOptions, podmanRunArgv } from './argv.js';
import { startDaemon } from './daemon.js';
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

/** Rootless Podman as a SandboxBackend: every podman process ags starts is started from this folder. */
export function podmanBackend(options: PodmanOptions): SandboxBackend {
  // builds and installs take the runtime and ulimits, not a run's extra arguments
  const engineOptions = {
    ...(options.ociRuntime ? { ociRuntime: options.ociRuntime } : {}),
    ulimits: options.ulimits,
  };
  return {
    name: 'podman',
    hostServicesAddress: 'host.containers.internal',
    seccompProfile(runtimeDir) {
      const file = locateSeccompProfile(runtimeDir);
      return { path: file.path, ensure: () => ensureSeccompProfile(file) };
    },
    imageExists,
    buildImage: (b) => buildImage({ ...b, ...engineOptions }),
    render: (plan, files) => ['podman', ...podmanRunArgv(plan, files, options)],
    async handToSandboxRoot(plan, paths) {
      // as root inside, the invoker's own uid is the container's root already
      if (plan.user === 'invoker' && paths.length > 0) await chownToContainerRoot(paths);
    },
    run: (plan, files, teardown, detached, runOptions) =>
      runContainer(podmanRunArgv(plan, files, options), plan.containerName, teardown, detached, runOptions),
    startDaemon,
    removeSandbox: (plan) => removeContainer(plan.containerName),
    async capture(plan) {
      const r = await podman(podmanRunArgv(plan, {}, options), { stdin: 'ignore' });
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
      const r = await runInstallContainer((run) =>
        installAgentsArgv({ ...run, ...install, ...engineOptions }),
      );
      return { status: r.exitCode, signalled: r.signalled };
    },
  };
}
