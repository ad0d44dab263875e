/** The current branch of a working directory, read from `.git/HEAD` (two small reads, no git process). */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

export function currentBranch(cwd: string): string | null {
  let dir = cwd;
  for (let i = 0; i < 64; i++) {
    try {
      let gitDir = posix.join(dir, '.git');
      let head: string;
      try {
        head = readFileSync(posix.join(gitDir, 'HEAD'), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOTDIR') throw e;
        // a worktree or submodule: .git is a file naming the real git dir
        const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(gitDir, 'utf8'));
        if (!m) return null;
        gitDir = posix.resolve(dir, m[1]!.trim());
        head = readFileSync(posix.join(gitDir, 'HEAD'), 'utf8');
      }
      const m = /^ref:\s*refs\/heads\/(.+)$/m.exec(head);
      return m ? m[1]!.trim() : null;
    } catch {
      const up = posix.dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  }
  return null;
}
