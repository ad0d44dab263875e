import { execa } from 'execa';
import { identityOf } from '../../session/process-identity.js';
import { SIGNAL_EXIT, Teardown } from '../../session/signals.js';
import { PODMAN_MISSING, spawnedMissing } from './engine.js';
import { OWNER_LABEL, removeOrphanContainers } from './orphans.js';
import { ContainerStop, removeContainerSync } from './stop.js';

/** How long an interrupted install gets to stop before its container is removed by force. */
const STOP_GRACE_MS = 3_000;

/**
 * Runs the `update-agents` install container (argv from `argvFor`, given its name and owner labels), with npm's
 * output on stderr. It is named and labelled as ags's, stopped and removed on SIGINT/SIGTERM/SIGHUP, removed on
 * any other way out, and removed at the next start if ags is killed outright. Returns podman's exit code, or
 * 128+n after signal n.
 */
export async function runInstallContainer(
  argvFor: (run: { name: string; labels: Record<string, string> }) => string[],
): Promise<{ exitCode: number; signalled: boolean }> {
  // not launch-critical: look for containers of killed ags processes every time (an interrupted install's too)
  await removeOrphanContainers();
  const name = `ags-update-agents-${process.pid}`;
  const owner = identityOf(process.pid);
  const argv = argvFor({ name, labels: owner ? { [OWNER_LABEL]: owner } : {} });
  const teardown = new Teardown();
  let exited = false;
  teardown.addLate(() => exited || removeContainerSync(name));
  try {
    // its own session: a terminal's Ctrl-C reaches ags alone, which stops the container once
    const child = execa('podman', argv, {
      stdin: 'ignore',
      stdout: process.stderr,
      stderr: 'inherit',
      reject: false,
      detached: true,
    });
    const stop = new ContainerStop(name, child, STOP_GRACE_MS);
    const r = await teardown.intercept(
      (signal) => stop.signal(signal),
      async () => {
        const result = await child;
        await stop.finished();
        return result;
      },
    );
    exited = true;
    if (spawnedMissing(r)) throw PODMAN_MISSING;
    if (stop.signalled) return { exitCode: SIGNAL_EXIT[stop.signalled] ?? 1, signalled: true };
    return { exitCode: r.exitCode ?? 1, signalled: false };
  } finally {
    teardown.finish();
  }
}
