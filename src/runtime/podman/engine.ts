import { type Options, type Result, execa } from 'execa';
import { RuntimeError } from '../../errors.js';

export const PODMAN_MISSING = new RuntimeError(
  'podman is not installed or not on PATH',
  'install podman (Debian/Ubuntu: sudo apt install podman slirp4netns uidmap), then run `ags doctor`',
);

/** True when a result says the binary itself could not be found. */
export function spawnedMissing(r: Result | { code?: string }): boolean {
  return (r as { code?: string }).code === 'ENOENT';
}

/** Runs podman and returns its result whatever the exit code; a missing podman is a one-line RuntimeError. */
export async function podman(args: string[], options: Options = {}): Promise<Result> {
  const r = (await execa('podman', args, { reject: false, ...options })) as Result;
  if (spawnedMissing(r)) throw PODMAN_MISSING;
  return r;
}

export async function imageExists(image: string): Promise<boolean> {
  const r = await podman(['image', 'exists', image], { stdin: 'ignore' });
  return r.exitCode === 0;
}

/**
 * Gives files to the user id that is root inside a `--userns=keep-id` container (the first subordinate id:
 * id 1 of `podman unshare`), so programs that trust only root-owned config there accept them. The files stay
 * removable by the user, who owns the directory they are in.
 */
export async function chownToContainerRoot(paths: string[]): Promise<void> {
  const r = await podman(['unshare', 'chown', '1:1', ...paths], { stdin: 'ignore' });
  if (r.exitCode !== 0) {
    throw new RuntimeError(
      `could not hand ${paths.length} session file(s) to the container's root: ${String(r.stderr).trim()}`,
      'run `ags doctor`; subordinate id ranges may be missing',
    );
  }
}
