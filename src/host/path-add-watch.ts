import { type Stats, lstatSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { displayPath, isWithin } from '../util/paths.js';
import { readBounded } from './git-layout.js';

/**
 * direnv's `PATH_add DIR` puts a work tree directory on the host shell's PATH: a `git` or `ls` the agent drops
 * there runs on the host's next command in that directory. These directories hold build outputs, so they are
 * not made read-only; their executables are remembered at start and new or changed ones said after the run.
 */

const MAX_ENVRC = 256 * 1024;
const MAX_DIRS = 16;
const MAX_FILES = 2_000;
const MAX_LINES = 20;

/** The directories `PATH_add` / `path_add PATH ...` in an `.envrc`'s text name (relative or absolute). */
export function envrcPathDirs(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    const words = line.split(/\s+/).map((w) => w.replace(/^["']|["']$/g, ''));
    const args = words[0] === 'PATH_add' ? words.slice(1) : words[0] === 'path_add' ? words.slice(2) : [];
    for (const a of args) if (a.length > 0 && !/[$`*?~\\]/.test(a)) out.push(a);
  }
  return out;
}

export interface PathDirSnapshot {
  dir: string;
  /** name → identity (inode, size, mtime) of the executables in it at start. */
  files: Map<string, string>;
}

const identity = (st: Stats) => `${st.ino}:${st.size}:${st.mtimeMs}`;

function executables(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(dir).sort().slice(0, MAX_FILES);
  } catch {
    return out;
  }
  for (const n of names) {
    try {
      const st = lstatSync(join(dir, n));
      if (st.isSymbolicLink() || (st.isFile() && (st.mode & 0o111) !== 0)) out.set(n, identity(st));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The `PATH_add` directories of the `.envrc` files at `envrcs`, inside `root`, with their executables now. */
export function snapshotPathDirs(envrcs: readonly string[], root: string): PathDirSnapshot[] {
  const dirs = new Set<string>();
  for (const envrc of envrcs) {
    const text = readBounded(envrc, MAX_ENVRC);
    if (text === null) continue;
    for (const d of envrcPathDirs(text.toString('utf8'))) {
      const abs = resolve(dirname(envrc), d);
      if (isWithin(abs, root) && dirs.size < MAX_DIRS) dirs.add(abs);
    }
  }
  return [...dirs].map((dir) => ({ dir, files: executables(dir) }));
}

/** The report lines for executables that appeared or changed in those directories. */
export function pathDirChanges(before: readonly PathDirSnapshot[]): string[] {
  const lines: string[] = [];
  for (const { dir, files } of before) {
    for (const [name, id] of executables(dir)) {
      const was = files.get(name);
      if (was === id) continue;
      lines.push(
        `${displayPath(join(dir, name))} ${was === undefined ? 'appeared' : 'changed'} in a directory .envrc puts on PATH (PATH_add): your host shell there runs it for \`${name.length <= 40 ? displayPath(name) : 'that name'}\``,
      );
    }
  }
  return lines;
}

export function pathDirReport(lines: readonly string[]): string {
  if (lines.length === 0) return '';
  const shown = lines.slice(0, MAX_LINES);
  return [
    'ags: WARNING: this run left programs where direnv puts them first on your host PATH:',
    ...shown.map((l) => `ags:   ${l}`),
    ...(lines.length > shown.length ? [`ags:   ... and ${lines.length - shown.length} more`] : []),
    'ags: check them before you enter that directory with direnv allowed',
  ]
    .map((l) => `${l}\n`)
    .join('');
}
