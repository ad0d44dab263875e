import type { SandboxDaemon } from '../../../agents/types.js';
import type { LaunchPlan } from '../../plan/types.js';
import { podman } from './engine.js';

/**
 * The `podman exec` argv that starts a daemon in the running container as its root. The run drops every
 * capability and `podman exec` can only give all of them back (`--privileged`, inside the container's user
 * namespace); the daemon needs one of them, CAP_NET_BIND_SERVICE, for its port below 1024. Its uid (0 inside) is
 * not the agent's, so the agent can neither signal nor trace it, and `env -i` in its argv gives it none of the
 * container's environment.
 */
export function daemonExecArgv(plan: LaunchPlan, daemon: SandboxDaemon): string[] {
  return ['exec', '--privileged', '--user=0:0', `--workdir=${plan.cwd}`, plan.containerName, ...daemon.argv];
}

/**
 * podman's words for a container whose first process exists but which it does not yet count as running. Under
 * load podman has also been seen to answer "container has already been removed" for a container that then runs
 * (CI, 2026-12-04): retried too, as a container that is really gone gives the same answer on every attempt.
 */
const NOT_YET_RUNNING = /state improper|not running|no such container|has already been removed/i;
const ATTEMPTS = 20;

/** Starts the daemon (its argv returns once it is up); null, or its one line of failure. */
export async function startDaemon(plan: LaunchPlan, daemon: SandboxDaemon): Promise<string | null> {
  let last = '';
  for (let i = 0; i < ATTEMPTS; i++) {
    const r = await podman(daemonExecArgv(plan, daemon), { stdin: 'ignore' });
    if (r.exitCode === 0) return null;
    // its own line names itself ("ags: guard server: …"); the run names it once
    last = (String(r.stderr).trim().split('\n').at(-1) ?? '').replace(/^ags: [^:]+: /, '');
    if (!NOT_YET_RUNNING.test(last)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return last || `podman exec failed (${daemon.name})`;
}
