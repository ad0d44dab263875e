import { execa } from 'execa';
import { SIGNAL_EXIT, type Teardown } from '../../session/signals.js';
import type { RunOptions, RunOutcome } from '../backend.js';
import { PODMAN_MISSING, spawnedMissing } from './engine.js';
import { startReaper } from './reaper.js';
import { ContainerStop, removeContainerSync } from './stop.js';

/** How long a signalled container gets to stop before it is killed. */
const STOP_GRACE_MS = 10_000;

/**
 * Runs `podman run` in the foreground. On SIGINT/SIGTERM/SIGHUP: what the run holds is released at once (secrets
 * first), and the container is stopped (the signal delivered to it once, then removed after a grace period).
 * Without a terminal on stdin, podman runs in its own session, so a signal meant for the run reaches ags alone
 * and is delivered once.
 */
export async function runContainer(
  argv: string[],
  containerName: string,
  teardown: Teardown,
  detached: boolean,
  { terminal, afterKill }: RunOptions = {},
): Promise<RunOutcome> {
  // should ags be killed outright, this removes the container; a run that ends any other way disarms it
  const reaper = startReaper(containerName, afterKill);
  const child = execa('podman', argv, { stdio: 'inherit', reject: false, detached });
  // attached to the terminal, podman is what a question from ags must pause (and give it back to)
  if (!detached && child.pid !== undefined) terminal?.hold(child.pid);
  const stop = new ContainerStop(containerName, child, STOP_GRACE_MS);
  let exited = false;
  // an exit that skips the stop below (an internal error) still takes the container with it
  teardown.addLate(() => exited || removeContainerSync(containerName));
  const result = await teardown.intercept(
    (signal) => {
      teardown.release();
      stop.signal(signal);
    },
    async () => {
      const r = await child;
      await stop.finished();
      return r;
    },
  );
  exited = true;
  reaper.disarm();
  terminal?.release();
  if (spawnedMissing(result)) throw PODMAN_MISSING;
  if (stop.signalled) return { status: SIGNAL_EXIT[stop.signalled] ?? 1, signalled: true };
  return { status: result.exitCode ?? 1, signalled: false };
}
