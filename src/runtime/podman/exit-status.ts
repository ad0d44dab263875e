import { RuntimeError } from '../../errors.js';

const CHECK_HOST = 'run `ags doctor` to check the host; `ags --dry-run` shows the exact podman command';

/**
 * Tells podman's own failure from the container's exit status. The OCI runtime writes the `--pidfile` once it
 * has created the container's first process, before anything inside runs, and podman leaves the file alone;
 * so without it nothing of the container ran and the status is podman's (125 its own error, 126 the first
 * program could not be executed, 127 it was not found). With it, the status is the container's, the agent's
 * own 125, 126 and 127 included. (The `--cidfile` cannot tell this: podman 4.4 and later delete it with the
 * container.)
 */
export function podmanFailure(status: number, started: boolean): RuntimeError | null {
  if (started || status === 0) return null;
  const what: Record<number, string> = {
    125: 'podman could not start the container',
    126: "podman could not execute the container's first program",
    127: "podman could not find the container's first program in the image",
  };
  return new RuntimeError(
    `${what[status] ?? 'podman failed before the container started'} (exit ${status}; its message is above)`,
    CHECK_HOST,
  );
}
