import { type Options, type Result, execa } from 'execa';
import { RuntimeError } from '../../cli/errors.js';

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
