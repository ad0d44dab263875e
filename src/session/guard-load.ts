import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Whether an in-process guard (the pi extension, the opencode plugin) loaded. The guard runs inside the agent's
 * own process, so nothing outside it can see the guard's handler; instead the entry point writes a marker when
 * the agent loads it: the run's random token, into a directory made fresh for this run. An earlier run's agent
 * cannot have left it there (new directory, new token), so a marker with the token means the guard's code ran.
 * The run watches for it from the start; without it the run warns, or, fail-closed, is refused.
 */

/** How long after the container starts the guard has to report that it loaded. */
export const GUARD_LOAD_TIMEOUT_MS = 30_000;
const POLL_MS = 100;
/** The marker holds only the token; anything longer was not written by the guard. */
const MAX_MARKER_BYTES = 256;

export type GuardLoadAction = 'ok' | 'warn' | 'refuse';

/** What the run does about the guard's load state: nothing when it loaded, else warn, or refuse when fail-closed. */
export function guardLoadAction(loaded: boolean, failClosed: boolean): GuardLoadAction {
  if (loaded) return 'ok';
  return failClosed ? 'refuse' : 'warn';
}

/** The one line the user sees for a guard that did not load. */
export function guardLoadMessage(
  agent: string,
  action: Exclude<GuardLoadAction, 'ok'>,
  waitedMs: number,
): string {
  const what = `the ags guard did not load in ${agent} (no load marker after ${Math.round(waitedMs / 1000)} s)`;
  return action === 'refuse'
    ? `${what}; fail-closed: the run is stopped rather than left unguarded`
    : `${what}: its tool calls are NOT vetoed in this run`;
}

/**
 * Whether `file` is a regular file (not a symlink: the agent can write its directory) holding exactly `token`.
 * Never throws; a FIFO or a huge file is no marker.
 */
export function markerHolds(file: string, token: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_MARKER_BYTES) return false;
    const buf = Buffer.alloc(MAX_MARKER_BYTES);
    const n = readSync(fd, buf, 0, MAX_MARKER_BYTES, 0);
    return buf.subarray(0, n).toString('utf8').trim() === token;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * Polls for the marker from `start()` on; calls `onMissing` once if it has not appeared after `timeoutMs`.
 * `finish()` stops polling and says whether the guard reported in (checked once more at that moment).
 */
export class GuardLoadWatch {
  private loaded = false;
  private timer: NodeJS.Timeout | undefined;
  private missed = false;

  constructor(
    private readonly markerFile: string,
    private readonly token: string,
    private readonly onMissing: () => void,
    private readonly timeoutMs = GUARD_LOAD_TIMEOUT_MS,
    private readonly onLoaded: () => void = () => {},
  ) {}

  start(): void {
    const deadline = Date.now() + this.timeoutMs;
    this.timer = setInterval(() => {
      if (this.check()) return this.stop();
      if (Date.now() >= deadline) {
        this.stop();
        this.missed = true;
        this.onMissing();
      }
    }, POLL_MS);
    this.timer.unref();
  }

  /** Whether `onMissing` already ran. */
  get reportedMissing(): boolean {
    return this.missed;
  }

  finish(): boolean {
    this.stop();
    return this.check();
  }

  private check(): boolean {
    if (!this.loaded) {
      this.loaded = markerHolds(this.markerFile, this.token);
      if (this.loaded) this.onLoaded();
    }
    return this.loaded;
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
