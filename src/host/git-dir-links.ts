import { type Dirent, lstatSync, readdirSync, readlinkSync, realpathSync, unlinkSync } from 'node:fs';
import { join, sep } from 'node:path';
import { displayPath } from '../util/paths.js';
import { escapeText } from '../util/terminal-text.js';
import { type RepoLayout, readRepoLayout } from './git-layout.js';

/**
 * Git on the host writes several files inside `.git` in place, following symbolic links: the reflogs
 * (`logs/HEAD`, `logs/refs/...`, appended), `COMMIT_EDITMSG`, `FETCH_HEAD` (truncated and rewritten). A link the
 * agent planted there turns the user's next `git checkout` or `git commit` into a write to any file of the
 * user's — a line of the agent's choosing appended to `~/.bashrc`. The sandbox cannot be kept from making such
 * links without making all of `.git` read-only, so the run removes every one that appeared during it, before
 * anything on the host runs git there again, and says so.
 */
export interface GitDirEntries {
  /** Symbolic links and special files (FIFOs, sockets, devices) under the repositories' git directories. */
  odd: Set<string>;
  /** Operations in progress that the host's git would resume (`rebase --continue` runs a todo's exec lines). */
  inProgress: Set<string>;
  /** Whether a directory had more entries than are checked (the report says so). */
  truncated: string[];
}

const MAX_ENTRIES = 500_000;
const RESUMABLE = ['rebase-merge', 'rebase-apply', 'sequencer'];

function gitDirsOf(layout: RepoLayout, out: Set<string>): void {
  if (layout.marker === 'symlink') return;
  out.add(layout.gitDir);
  out.add(layout.commonDir);
  for (const m of layout.modules) gitDirsOf(m, out);
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/**
 * The git directories of the repositories at `roots` that lie inside one of the roots (by real path), read
 * once, before the run. Only those are checked, before and after: the agent can write nothing else, and the
 * names it could plant (`.git/commondir`, a `gitdir:` file) must never steer the host's check, which removes what
 * it finds, to a directory of the host's (its sockets and FIFOs).
 */
export function findGitDirs(roots: readonly string[], home: string): string[] {
  const dirs = new Set<string>();
  for (const root of roots) {
    const layout = readRepoLayout(root, home);
    if (layout) gitDirsOf(layout, dirs);
  }
  const realRoots = roots.map(realOrNull).filter((r): r is string => r !== null);
  return [...dirs].filter((dir) => {
    const real = realOrNull(dir);
    return real !== null && realRoots.some((r) => real === r || real.startsWith(r + sep));
  });
}

/** Every symbolic link and special file under `dirs` (from findGitDirs), never following a link. */
export function scanGitDirs(dirs: readonly string[]): GitDirEntries {
  const odd = new Set<string>();
  const inProgress = new Set<string>();
  const truncated: string[] = [];
  for (const dir of dirs) {
    for (const r of RESUMABLE) {
      try {
        lstatSync(join(dir, r));
        inProgress.add(join(dir, r));
      } catch {
        // none in progress
      }
    }
    let budget = MAX_ENTRIES;
    const stack = [dir];
    while (stack.length > 0) {
      const d = stack.pop()!;
      let entries: Dirent[];
      try {
        entries = readdirSync(d, { withFileTypes: true });
      } catch {
        continue;
      }
      budget -= entries.length;
      if (budget < 0) {
        truncated.push(dir);
        break;
      }
      for (const e of entries) {
        const path = join(d, e.name);
        if (e.isDirectory()) stack.push(path);
        else if (!e.isFile()) odd.add(path);
      }
    }
  }
  return { odd, inProgress, truncated };
}

/**
 * Removes the links and special files that appeared under the git directories during the run (never one that
 * was there before: a user's own layout stays as it was), and returns the report lines, escaped.
 */
export function removePlantedGitDirEntries(before: GitDirEntries, after: GitDirEntries): string[] {
  const lines: string[] = [];
  for (const path of after.odd) {
    if (before.odd.has(path)) continue;
    let what = 'a special file';
    try {
      const st = lstatSync(path);
      if (st.isFile() || st.isDirectory()) continue;
      if (st.isSymbolicLink()) what = `a symbolic link to ${escapeText(readlinkSync(path), 200)}`;
      unlinkSync(path);
      lines.push(
        `removed ${what} planted at ${displayPath(path)}: git on the host writes through it (it would have written to that file)`,
      );
    } catch {
      lines.push(
        `could not remove ${what} planted at ${displayPath(path)}: remove it before running git there`,
      );
    }
  }
  for (const path of after.inProgress)
    if (!before.inProgress.has(path))
      lines.push(
        `an operation in progress appeared: ${displayPath(path)} — \`git rebase --continue\` or \`git cherry-pick --continue\` would run what it lists (exec lines run commands); \`--abort\` discards it`,
      );
  for (const dir of after.truncated)
    lines.push(
      `${displayPath(dir)} has too many files to check for planted links: check it before running git there`,
    );
  return lines;
}
