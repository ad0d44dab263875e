import { spawnSync } from 'node:child_process';
import { type ResultPromise, execa } from 'execa';

/** podman with its output thrown away: stopping is quiet, whatever state the container is already in. */
function quiet(args: string[]) {
  return execa('podman', args, { stdio: 'ignore', reject: false });
}

/** A timer to race against, and how to drop it early. */
function timer(ms: number): { elapsed: Promise<void>; cancel: () => void } {
  let handle: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    handle = setTimeout(resolve, ms);
  });
  return { elapsed, cancel: () => clearTimeout(handle) };
}

const REMOVE = (name: string) => ['rm', '--force', '--ignore', '--time=0', name];

/** Removes a container at once, if it exists. */
export function removeContainer(name: string): Promise<unknown> {
  return quiet(REMOVE(name));
}

/** The same, blocking: for an 'exit' handler, where nothing asynchronous runs any more. */
export function removeContainerSync(name: string): void {
  spawnSync('podman', REMOVE(name), { stdio: 'ignore' });
}

/**
 * Stops the container of an attached `podman run` when ags gets a signal. The signal goes to the container's
 * init with `podman kill`, not to the `podman run` process: podman relays a signal it gets itself, and relayed
 * into a container that is already exiting it printed runc's "container not running". After a grace period, or
 * at once on a second signal, the container is removed by force, and again until `podman run` has returned (a
 * container that was still being created at the first try is caught by the next).
 */
export class ContainerStop {
  signalled: NodeJS.Signals | null = null;
  private done: Promise<void> | null = null;
  private force: () => void = () => {};
  private exited = false;

  constructor(
    private readonly name: string,
    private readonly run: ResultPromise,
    private readonly graceMs: number,
  ) {
    void run.finally(() => {
      this.exited = true;
    });
  }

  /** Takes a signal: the first starts the stop, a later one cuts the grace period short. */
  signal(signal: NodeJS.Signals): void {
    if (this.done) {
      this.force();
      return;
    }
    this.signalled = signal;
    this.done = this.stop(signal);
  }

  /** Resolves once the container is gone and `podman run` has returned (at once when no signal came). */
  finished(): Promise<void> {
    return this.done ?? Promise.resolve();
  }

  private async stop(signal: NodeJS.Signals): Promise<void> {
    const forced = new Promise<void>((resolve) => {
      this.force = resolve;
    });
    const delivered = (await quiet(['kill', `--signal=${signal}`, this.name])).exitCode === 0;
    if (delivered) {
      // `podman run` returns once the container has exited
      const grace = timer(this.graceMs);
      await Promise.race([this.run, grace.elapsed, forced]);
      grace.cancel();
    }
    for (let attempt = 0; ; attempt++) {
      await removeContainer(this.name);
      if (this.exited) return;
      const pause = timer(1000);
      await Promise.race([this.run, pause.elapsed]);
      pause.cancel();
      if (this.exited) return;
      // podman itself hangs: end it (the container is removed by the next round)
      if (attempt >= 4) this.run.kill('SIGKILL');
    }
  }
}
