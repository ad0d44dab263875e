import { lstatSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { isWithin, realpathLoose } from '../util/paths.js';

/** A symlink on the way to the current directory that leads out of the repository it lies in. */
export interface SymlinkEscape {
  /** The symlink, as the logical path names it. */
  link: string;
  /** The top level (real path) of the repository the symlink lies in. */
  repo: string;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function sameDir(a: string, b: string): boolean {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** The nearest directory from `dir` (a real path) up that holds a `.git` entry, or null. */
function workTreeAt(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    if (exists(join(d, '.git'))) return d;
    if (dirname(d) === d) return null;
  }
}

/**
 * The workspace is found from the real current directory, but the user chose the directory by its logical
 * path ($PWD). An agent can replace a directory of the repository with a symlink to any host directory
 * (`ln -s ~/secret src`); `cd repo/src && ags` would then mount ~/secret. This finds such a symlink: one on
 * the logical path whose directory lies in a git work tree that does not contain the real current directory.
 * A repository whose top is a home directory (or holds one) is passed over: it is never mounted, so no agent
 * wrote into it. $PWD is used only when it names the current directory.
 */
export function symlinkEscape(
  env: NodeJS.ProcessEnv,
  realCwd: string,
  homes: string[],
): SymlinkEscape | null {
  const pwd = env.PWD;
  if (!pwd || !isAbsolute(pwd) || !sameDir(pwd, realCwd)) return null;
  let logical = '/';
  for (const part of normalize(pwd).split('/').filter(Boolean)) {
    const next = join(logical, part);
    let link: boolean;
    try {
      link = lstatSync(next).isSymbolicLink();
    } catch {
      return null;
    }
    if (link) {
      const repo = workTreeAt(realpathLoose(logical));
      const neverMounted = repo !== null && homes.some((h) => isWithin(h, repo));
      if (repo !== null && !neverMounted && !isWithin(realCwd, repo)) return { link: next, repo };
    }
    logical = next;
  }
  return null;
}
