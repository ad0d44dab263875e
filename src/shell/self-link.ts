import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../util/package-root.js';

/** Whether this ags runs from a git checkout (which `install --link-self` links onto PATH). */
export function isGitCheckout(): boolean {
  return existsSync(join(PACKAGE_ROOT, '.git'));
}

export type LinkState = 'absent' | 'ours' | 'other';

/** What is at `path`: nothing, a symlink to `launcher` (ours), or anything else (never touched). */
export function selfLinkState(path: string, launcher: string): LinkState {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 'absent';
  }
  if (!st.isSymbolicLink()) return 'other';
  return resolve(dirname(path), readlinkSync(path)) === launcher ? 'ours' : 'other';
}

/** Makes `path` a symlink to `launcher` in one step (a new link beside it, renamed over nothing). */
export function createSelfLink(path: string, launcher: string): void {
  const tmp = join(dirname(path), `.ags-link-${randomBytes(6).toString('hex')}`);
  symlinkSync(launcher, tmp);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
