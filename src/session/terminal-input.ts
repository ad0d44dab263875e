import { closeSync, constants, openSync, readSync } from 'node:fs';

/**
 * Takes an end-of-file that is waiting on the terminal before podman gets it.
 *
 * A driver whose own input has ended (`script` with stdin at its end, for one) sends the terminal its EOF
 * character (^D). While the terminal is in canonical mode that is a pending end-of-file; podman then switches
 * the terminal to raw mode without flushing it, and the kernel hands the pending EOF on as a NUL byte, which
 * podman forwards as the agent's first keystroke (echoed as "^@"). A canonical read consumes the pending EOF
 * (it returns 0 bytes). The read is non-blocking, on its own open file description, so it never waits and
 * never changes the mode of the caller's stdin. What it cannot do is peek: a whole line typed ahead in the
 * moment before the container starts is consumed too.
 */
export function consumePendingEof(fd = 0): void {
  let tty: number;
  try {
    tty = openSync(`/proc/self/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return;
  }
  try {
    readSync(tty, Buffer.alloc(4096));
  } catch {
    // EAGAIN: nothing is pending
  } finally {
    closeSync(tty);
  }
}
