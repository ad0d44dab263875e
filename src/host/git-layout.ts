import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  readdirSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { realpathLoose } from '../util/paths.js';
import { type ConfigEntry, parseGitConfig } from './git-config-parse.js';

/**
 * Where a repository keeps what git executes: its git directory and the common one (a linked worktree's config
 * and hooks live in the main repository's), the config files git reads (includes followed), the hooks directory,
 * submodules' git directories. Read from the file system only, never by running git (see git-config-parse.ts),
 * every file opened non-blocking and bounded, so a FIFO or a huge file planted by the agent neither hangs nor
 * floods ags.
 */

/** The largest config or hook file read; beyond it only "changed" can be said. */
const MAX_READ = 1024 * 1024;
/** How deep include files are followed (git's own limit is 10). */
const MAX_INCLUDE_DEPTH = 10;
/** Bounds on the submodule and worktree walks, so a planted tree of thousands costs nothing. */
export const MAX_MODULES = 64;
const MAX_MODULE_DEPTH = 6;
export const MAX_WORKTREES = 64;

export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** A small regular file's bytes (at most `max`), or null: never waits on a pipe, never reads a device. */
export function readBounded(path: string, max = MAX_READ): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r === 0 || n + r >= buf.length) {
        n += r;
        break;
      }
      n += r;
    }
    return n > max ? null : buf.subarray(0, n);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function readText(path: string): string | null {
  return readBounded(path)?.toString('utf8') ?? null;
}

export interface ConfigFile {
  path: string;
  entries: ConfigEntry[];
  /** Its size, when it was too large to read (its entries are then unknown, not absent). */
  tooLarge?: number;
}

/** A config path value as git expands it: `~/` is the home; a relative one is relative to `base`. */
export function expandConfigPath(value: string, base: string, home: string): string {
  if (value === '~' || value.startsWith('~/')) return join(home, value.slice(1));
  return isAbsolute(value) ? resolve(value) : resolve(base, value);
}

/**
 * The config files `file` stands for: itself and what it includes (`include.path`, and `includeIf.*.path`
 * whatever the condition, since the condition may hold on the host), depth first, bounded. Missing files are
 * left out (git ignores them too).
 */
export function readConfigChain(file: string, home: string): ConfigFile[] {
  const out: ConfigFile[] = [];
  const seen = new Set<string>();
  const visit = (path: string, depth: number) => {
    if (depth > MAX_INCLUDE_DEPTH || seen.has(path)) return;
    seen.add(path);
    const text = readText(path);
    if (text === null) {
      // git reads a file of any size: one too large to read here is kept, unread, to be said as such
      const st = lstatOrNull(path);
      if (st?.isFile() && st.size > MAX_READ) out.push({ path, entries: [], tooLarge: st.size });
      return;
    }
    const entries = parseGitConfig(text);
    out.push({ path, entries });
    for (const e of entries) {
      if (e.value !== null && isIncludeKey(e.key))
        visit(expandConfigPath(e.value, dirname(path), home), depth + 1);
    }
  };
  visit(resolve(file), 0);
  return out;
}

export function isIncludeKey(key: string): boolean {
  return key === 'include.path' || (key.startsWith('includeif.') && key.endsWith('.path'));
}

/** The last value of `key` across config files in the order git reads them. */
export function lastValue(files: readonly ConfigFile[], key: string): string | null | undefined {
  let v: string | null | undefined;
  for (const f of files) for (const e of f.entries) if (e.key === key) v = e.value;
  return v;
}

export interface RepoLayout {
  /** The work tree's top level (real path). */
  root: string;
  /** `bare`: `root` is itself a git directory (a bare repository, which a push from the host runs hooks of). */
  marker: 'dir' | 'file' | 'symlink' | 'bare';
  gitDir: string;
  commonDir: string;
  /** What `<gitDir>/commondir` says, when there is one (a main repository has none). */
  commondirText: string | null;
  /** The config files git reads for this repository: the common config, then config.worktree; includes followed. */
  config: ConfigFile[];
  /** Where git looks for hooks: core.hooksPath, else `<commonDir>/hooks`. */
  hooksDir: string;
  /** Whether the hooks directory comes from core.hooksPath. */
  hooksFromConfig: boolean;
  /** Submodules' git directories (below `<commonDir>/modules`), each with its own layout, bounded. */
  modules: RepoLayout[];
  /** Linked worktrees' own git directories (`<commonDir>/worktrees/*`), bounded. */
  worktreeGitDirs: string[];
}

function commonDirOf(gitDir: string): { commonDir: string; text: string | null } {
  const text = readText(join(gitDir, 'commondir'));
  return text === null
    ? { commonDir: gitDir, text }
    : { commonDir: realpathLoose(resolve(gitDir, text.trim())), text };
}

function gitDirOfFile(marker: string): string | null {
  const text = readText(marker);
  const m = /^gitdir: (.+?)[\r\n]*$/.exec((text ?? '').split('\n')[0] ?? '');
  return m ? realpathLoose(resolve(dirname(marker), m[1]!)) : null;
}

/** The git directories below a `modules` directory: a directory with a HEAD is one; other names are path steps. */
function moduleGitDirs(modulesDir: string, depth = 0, found: string[] = []): string[] {
  if (depth > MAX_MODULE_DEPTH || found.length >= MAX_MODULES) return found;
  let names: string[];
  try {
    names = readdirSync(modulesDir).sort();
  } catch {
    return found;
  }
  for (const name of names) {
    if (found.length >= MAX_MODULES) break;
    const dir = join(modulesDir, name);
    if (!lstatOrNull(dir)?.isDirectory()) continue;
    if (lstatOrNull(join(dir, 'HEAD')) !== null) found.push(dir);
    else moduleGitDirs(dir, depth + 1, found);
  }
  return found;
}

function layoutOf(
  root: string,
  marker: RepoLayout['marker'],
  gitDir: string,
  home: string,
  depth: number,
): RepoLayout {
  const { commonDir, text } = commonDirOf(gitDir);
  const config = [
    ...readConfigChain(join(commonDir, 'config'), home),
    ...readConfigChain(join(gitDir, 'config.worktree'), home),
  ];
  const hooksPath = lastValue(config, 'core.hookspath');
  const hooksDir = hooksPath ? expandConfigPath(hooksPath, root, home) : join(commonDir, 'hooks');
  const modules =
    depth >= MAX_MODULE_DEPTH
      ? []
      : moduleGitDirs(join(commonDir, 'modules')).map((dir) => {
          const sub = readConfigChain(join(dir, 'config'), home);
          const wt = lastValue(sub, 'core.worktree');
          return layoutOf(wt ? realpathLoose(resolve(dir, wt)) : dir, 'file', dir, home, depth + 1);
        });
  let worktreeGitDirs: string[] = [];
  try {
    worktreeGitDirs = readdirSync(join(commonDir, 'worktrees'))
      .sort()
      .slice(0, MAX_WORKTREES)
      .map((n) => join(commonDir, 'worktrees', n))
      .filter((d) => lstatOrNull(d)?.isDirectory());
  } catch {
    // none
  }
  return {
    root,
    marker,
    gitDir,
    commonDir,
    commondirText: text,
    config,
    // the parent by real path (git follows links there too), the last step as it is, for lstat
    hooksDir: join(realpathLoose(dirname(hooksDir)), basename(hooksDir)),
    hooksFromConfig: Boolean(hooksPath),
    modules,
    worktreeGitDirs,
  };
}

/**
 * A bare repository: HEAD with objects/ and refs/, or HEAD with a `commondir` file, right in the directory
 * (what git accepts as a git dir).
 */
function isBare(dir: string): boolean {
  if (lstatOrNull(join(dir, 'HEAD'))?.isFile() !== true) return false;
  if (lstatOrNull(join(dir, 'commondir'))?.isFile() === true) return true;
  return (
    lstatOrNull(join(dir, 'objects'))?.isDirectory() === true &&
    lstatOrNull(join(dir, 'refs'))?.isDirectory() === true
  );
}

/**
 * The layout of the repository whose top level is `root` (a real path), or null when `root` holds no `.git`.
 * `.git` is looked at without following a symlink; a symlinked `.git` is reported as such and not read.
 */
export function readRepoLayout(root: string, home: string): RepoLayout | null {
  const marker = join(root, '.git');
  const st = lstatOrNull(marker);
  if (st === null) return isBare(root) ? layoutOf(root, 'bare', root, home, 0) : null;
  if (st.isSymbolicLink()) {
    return {
      root,
      marker: 'symlink',
      gitDir: marker,
      commonDir: marker,
      commondirText: null,
      config: [],
      hooksDir: join(marker, 'hooks'),
      hooksFromConfig: false,
      modules: [],
      worktreeGitDirs: [],
    };
  }
  if (st.isDirectory()) return layoutOf(root, 'dir', marker, home, 0);
  if (!st.isFile()) return null;
  const gitDir = gitDirOfFile(marker);
  return gitDir === null ? null : layoutOf(root, 'file', gitDir, home, 0);
}
