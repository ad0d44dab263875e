import { chmodSync, lstatSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

const gone = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * `rm -rf path` that holds when something else deletes entries of the tree at the same time (a helper we just
 * stopped unlinking its socket). Node 24's `rmSync` (`std::filesystem::remove_all`) gives up at the first entry
 * that vanishes under it and, with `force`, reports success while the directory is still there. Links are
 * removed, never followed; a directory whose owner may not read, enter or write it is made so first.
 */
export function removeTree(path: string): void {
  let isDir: boolean;
  let mode: number;
  try {
    const st = lstatSync(path);
    isDir = st.isDirectory();
    mode = st.mode;
  } catch (err) {
    if (gone(err)) return;
    throw err;
  }
  try {
    if (!isDir) return unlinkSync(path);
    // a directory the sandbox made unreadable or unwritable to its owner (a lockdown home): opened up first
    if ((mode & 0o700) !== 0o700) chmodSync(path, (mode & 0o7777) | 0o700);
    for (const name of readdirSync(path)) removeTree(join(path, name));
    rmdirSync(path);
  } catch (err) {
    if (!gone(err)) throw err;
  }
}
