import { lstatSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

const gone = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * `rm -rf path` that holds when something else deletes entries of the tree at the same time (a helper we just
 * stopped unlinking its socket). Node 24's `rmSync` (`std::filesystem::remove_all`) gives up at the first entry
 * that vanishes under it and, with `force`, reports success while the directory is still there. Links are
 * removed, never followed.
 */
export function removeTree(path: string): void {
  let isDir: boolean;
  try {
    isDir = lstatSync(path).isDirectory();
  } catch (err) {
    if (gone(err)) return;
    throw err;
  }
  try {
    if (!isDir) return unlinkSync(path);
    for (const name of readdirSync(path)) removeTree(join(path, name));
    rmdirSync(path);
  } catch (err) {
    if (!gone(err)) throw err;
  }
}
