import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { displayPath, realpathLoose } from '../util/paths.js';
import { worktreeSettings } from './git-config.js';

/**
 * Finds the git repository around the current directory WITHOUT asking git where its work tree is: git takes
 * that from `core.worktree` in `.git/config`, a file the sandboxed agent can write, and an agent that set it to
 * `~/.ssh` would have the user's next run mount that. The workspace is the nearest directory, from the real
 * current directory up, that holds the repository's `.git` itself: a `.git` directory, or the `.git` file of a
 * linked worktree or submodule whose git directory belongs to it. A repository (or environment) that makes git
 * see another work tree is refused, so what git and ags consider the repository never differ.
 */

/** Environment variables that point git at another repository or work tree than the one found here. */
const LOCATION_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR'] as const;

const FIX_HINT =
  'an agent may have written it: check the repository, remove the setting (`git config --unset core.worktree`), and run ags again';

interface Found {
  root: string;
  /** The repository's git directory (for a linked worktree: its own, under the main one's worktrees/). */
  gitDir: string;
  /** Where the shared config lives: gitDir, or the main repository's git directory of a linked worktree. */
  commonDir: string;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The first `max` bytes of a small regular file, as text, or null (a pipe planted there is not waited on). */
function readSmall(path: string, max = 4096): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const buf = Buffer.alloc(max);
    const n = readSync(fd, buf, 0, max, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The common git directory `dir` names in its `commondir` file, or `dir` itself. */
function commonDirOf(dir: string): string {
  const text = readSmall(join(dir, 'commondir'));
  return text === null ? dir : resolve(dir, text.trim());
}

/** What git itself accepts as a git directory: a HEAD, and objects/ and refs/ (in the common directory). */
function isGitDir(dir: string): boolean {
  if (lstatOrNull(join(dir, 'HEAD')) === null) return false;
  const common = commonDirOf(dir);
  return isDir(join(common, 'objects')) && isDir(join(common, 'refs'));
}

function refuse(message: string, hint: string): never {
  throw new ConfigError(message, hint);
}

/** The git directory a `.git` file names, checked to belong to `root`. */
function gitDirOfFile(root: string, marker: string): string {
  const text = readSmall(marker) ?? '';
  const m = /^gitdir: (.+?)[\r\n]*$/.exec(text.split('\n')[0] ?? '');
  const shown = displayPath(marker);
  if (!m) refuse(`${shown} is not a valid .git file (no "gitdir: PATH" line)`, FIX_HINT);
  const gitDir = realpathLoose(resolve(root, m[1]!));
  if (!isGitDir(gitDir)) {
    refuse(`${shown} points at ${displayPath(gitDir)}, which is not a git directory`, FIX_HINT);
  }
  // a linked worktree's git directory names the .git file it belongs to; it must be this one
  const back = readSmall(join(gitDir, 'gitdir'));
  if (back !== null && realpathLoose(resolve(gitDir, back.trim())) !== realpathLoose(marker)) {
    refuse(
      `${shown} points at ${displayPath(gitDir)}, the git directory of another worktree (${displayPath(back.trim())})`,
      FIX_HINT,
    );
  }
  return gitDir;
}

function gitBool(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

/** Walks up from `start` the way git discovers a repository, honouring its ceiling and file-system limits. */
function discover(start: string, env: NodeJS.ProcessEnv): Found | null {
  const ceilings = new Set(
    (env.GIT_CEILING_DIRECTORIES ?? '')
      .split(':')
      .filter((p) => isAbsolute(p))
      .map((p) => realpathLoose(p)),
  );
  const acrossFs = gitBool(env.GIT_DISCOVERY_ACROSS_FILESYSTEM);
  let dir = start;
  let dev = statSync(dir).dev;
  for (;;) {
    const marker = join(dir, '.git');
    const st = lstatOrNull(marker);
    if (st?.isSymbolicLink()) {
      refuse(
        `${displayPath(marker)} is a symbolic link; ags accepts only a .git directory or a .git file`,
        'replace the link with the directory it points to, or run ags outside this repository',
      );
    }
    if (st?.isDirectory() && isGitDir(marker)) {
      return { root: dir, gitDir: marker, commonDir: commonDirOf(marker) };
    }
    if (st?.isFile()) {
      const gitDir = gitDirOfFile(dir, marker);
      return { root: dir, gitDir, commonDir: commonDirOf(gitDir) };
    }
    // Git walks past a .git that is not a repository; ags stops: an agent that swapped its .git for an empty
    // directory would otherwise have the next run mount the repository above (or the directory itself).
    if (st !== null) {
      refuse(
        `${displayPath(marker)} is not a git repository (${st.isDirectory() ? 'no valid HEAD, objects/ and refs/' : 'neither a directory nor a file'})`,
        "an agent may have moved or replaced it: restore the repository's .git, then run ags again",
      );
    }
    const parent = dirname(dir);
    if (parent === dir || ceilings.has(parent)) return null;
    const parentDev = statSync(parent).dev;
    if (!acrossFs && parentDev !== dev) return null;
    dir = parent;
    dev = parentDev;
  }
}

/** Refuses GIT_DIR, GIT_WORK_TREE or GIT_COMMON_DIR when they name another repository than the one found. */
function checkLocationEnv(found: Found | null, cwd: string, env: NodeJS.ProcessEnv): void {
  for (const name of LOCATION_ENV) {
    const value = env[name];
    if (!value) continue;
    const expected =
      found === null
        ? null
        : name === 'GIT_DIR'
          ? found.gitDir
          : name === 'GIT_WORK_TREE'
            ? found.root
            : found.commonDir;
    if (expected !== null && realpathLoose(resolve(cwd, value)) === realpathLoose(expected)) continue;
    refuse(
      `${name}=${displayPath(value)} is set: git would use another repository than the one around ${displayPath(cwd)}`,
      `unset ${name}; ags finds the repository from the current directory`,
    );
  }
}

/** Refuses a repository whose config sets core.worktree to anywhere but its own top level. */
async function checkWorktreeSetting(found: Found, env: NodeJS.ProcessEnv): Promise<void> {
  const files = [join(found.commonDir, 'config'), join(found.gitDir, 'config.worktree')];
  for (const file of files) {
    if (lstatOrNull(file) === null) continue;
    for (const value of await worktreeSettings(file, env)) {
      const target = realpathLoose(resolve(found.gitDir, value));
      if (target === found.root) continue;
      refuse(
        `${displayPath(file)} sets core.worktree = ${displayPath(value)}: git would take the work tree of ${displayPath(found.root)} from ${displayPath(target)}`,
        FIX_HINT,
      );
    }
  }
}

/**
 * The top level (real path) of the git repository containing `cwd`, or null outside one. Throws a ConfigError
 * for a repository whose git would see another work tree (see the top of this file).
 */
export async function findRepoRoot(cwd: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const start = realpathSync(cwd);
  const found = discover(start, env);
  checkLocationEnv(found, start, env);
  if (found === null) return null;
  await checkWorktreeSetting(found, env);
  return found.root;
}
