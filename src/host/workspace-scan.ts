import { type Dirent, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_RUN_NAMES, type HostRunName } from './host-run-names.js';

/**
 * What in a work tree, below its top level's own `.git`, a program on the host would run or load: nested git
 * repositories (a `.git` directory, file or symbolic link in a subdirectory, or a bare repository — HEAD,
 * objects/ and refs/ — planted as a plain directory; the user's `cd sub && git log`, a shell prompt or an
 * editor's repository scan runs their config and hooks) and the host-run names of host-run-names.ts at any
 * depth (a host agent opened in a subdirectory loads its settings). Taken at start (what exists is protected)
 * and after the run (what appeared is reported).
 *
 * The walk never follows a symbolic link, does not enter `.git`, `node_modules`, a found repository's git
 * directory or a protected directory, and is bounded in depth and in directories read; a walk cut by a bound
 * says so. One readdir per directory, nothing else.
 */
export interface Found {
  /** `dir`, `file`, `symlink` (with its target) or `other`. */
  kind: string;
  /** For a repository: `.git` or `bare`; for a host-run name: the name's entry. */
  what: HostRunName | '.git' | 'bare';
}

export interface WorkspaceScan {
  root: string;
  /** Path → what is there: nested repositories' markers (`<dir>/.git`, or the bare repository's directory). */
  repos: Map<string, Found>;
  /** Path → what is there: host-run names below the top level and, for `report` names, at it. */
  hostRun: Map<string, Found>;
  /**
   * The top level itself has a bare repository's shape (HEAD, objects/, refs/): once its own `.git` no longer
   * reads as a repository (a bad HEAD, an unreadable objects/), git on the host takes the top level for one and
   * runs its `config`.
   */
  rootIsGitDir: boolean;
  /** Directories read. */
  dirs: number;
  /** Set when a bound cut the walk. */
  truncated: boolean;
  /** Which bound cut it: the depth (MAX_SCAN_DEPTH) or the number of directories read (MAX_SCAN_DIRS). */
  cutBy?: 'depth' | 'dirs';
  /**
   * Path → target of the symbolic links met (at most MAX_SCAN_LINKS): one that appears and points to a
   * directory is said after the run, since `cd link && git status` on the host runs what lies behind it.
   */
  links: Map<string, string>;
  /**
   * Directories the walk could not read (at most MAX_SCAN_UNREADABLE): the agent can `chmod 0311` one, and a
   * repository or settings file inside is still reached by the host's git or editor through its path.
   */
  unreadable: string[];
}

export const MAX_SCAN_DEPTH = 12;
export const MAX_SCAN_DIRS = 20_000;
export const MAX_SCAN_LINKS = 2_000;
export const MAX_SCAN_UNREADABLE = 100;

const SKIP = new Set(['.git', 'node_modules']);

const BY_FIRST_STEP = new Map<string, HostRunName[]>();
for (const n of HOST_RUN_NAMES) {
  const first = n.name.split('/')[0]!;
  BY_FIRST_STEP.set(first, [...(BY_FIRST_STEP.get(first) ?? []), n]);
}

/** The one-step names a placeholder covers at the top, present or not. */
const TOP_COVERED = new Set(
  HOST_RUN_NAMES.filter((n) => n.absent === 'placeholder' && !n.name.includes('/')).map((n) => n.name),
);

/** The names the walk looks at twice: `.git`, what it does not enter, and the first steps of host-run names. */
const NOTABLE = new Set([...SKIP, ...BY_FIRST_STEP.keys()]);

/**
 * Whether git takes a directory with these entries for a git directory: HEAD with objects/ and refs/, or HEAD
 * with a `commondir` file (objects and refs then live where it points; red team 8 planted the top level so).
 */
function isGitDir(entries: readonly Dirent[]): boolean {
  let found = 0;
  for (const e of entries) {
    if (e.name === 'HEAD' && e.isFile()) found |= 1;
    else if (e.name === 'objects' && e.isDirectory()) found |= 2;
    else if (e.name === 'refs' && e.isDirectory()) found |= 4;
    else if (e.name === 'commondir' && e.isFile()) found |= 8;
  }
  return (found & 7) === 7 || (found & 9) === 9;
}

function kindOf(e: Dirent, path: string): string {
  if (e.isDirectory()) return 'dir';
  if (e.isFile()) return 'file';
  if (e.isSymbolicLink()) {
    try {
      return `symlink:${readlinkSync(path)}`;
    } catch {
      return 'symlink:';
    }
  }
  return 'other';
}

function readDir(dir: string): Dirent[] | null {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return null;
  }
}

/** Scans the work tree at `root` (a real path). */
export function scanWorkspace(root: string): WorkspaceScan {
  const scan: WorkspaceScan = {
    root,
    repos: new Map(),
    hostRun: new Map(),
    rootIsGitDir: false,
    dirs: 0,
    truncated: false,
    links: new Map(),
    unreadable: [],
  };
  // breadth first, so a cut walk has seen everything near the top
  let level: string[] = [root];
  for (let depth = 0; level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      if (scan.dirs >= MAX_SCAN_DIRS) {
        scan.truncated = true;
        scan.cutBy = 'dirs';
        return scan;
      }
      const entries = readDir(dir);
      scan.dirs++;
      if (entries === null) {
        if (scan.unreadable.length < MAX_SCAN_UNREADABLE) scan.unreadable.push(dir);
        continue;
      }
      const top = dir === root;
      if (isGitDir(entries)) {
        if (top) scan.rootIsGitDir = true;
        else {
          scan.repos.set(dir, { kind: 'dir', what: 'bare' });
          continue; // a git directory: nothing below it is a work tree
        }
      }
      // the common case, a plain file or directory, costs one Set lookup and (for a directory) one join
      for (const e of entries) {
        if (!NOTABLE.has(e.name)) {
          if (e.isDirectory()) next.push(`${dir}/${e.name}`);
          else if (e.isSymbolicLink() && scan.links.size < MAX_SCAN_LINKS) {
            const path = `${dir}/${e.name}`;
            scan.links.set(path, kindOf(e, path).slice('symlink:'.length));
          }
          continue;
        }
        const path = join(dir, e.name);
        if (e.name === '.git') {
          if (!top) scan.repos.set(path, { kind: kindOf(e, path), what: '.git' });
          continue;
        }
        let covered = top && TOP_COVERED.has(e.name);
        let inside: Dirent[] | null | undefined;
        for (const n of BY_FIRST_STEP.get(e.name) ?? []) {
          if (top && n.absent === 'placeholder') continue; // covered at start, present or not
          if (n.name === e.name) {
            scan.hostRun.set(path, { kind: kindOf(e, path), what: n });
            covered = true;
          } else if (e.isDirectory()) {
            // a two-step name (.github/hooks): one more readdir, only where its first step exists
            const rest = n.name.slice(e.name.length + 1);
            inside ??= readDir(path);
            const inner = inside?.find((x) => x.name === rest);
            if (inner) scan.hostRun.set(join(path, rest), { kind: kindOf(inner, join(path, rest)), what: n });
          }
        }
        // a protected directory is covered whole: its inside is not walked
        if (e.isDirectory() && !SKIP.has(e.name) && !covered) next.push(path);
      }
    }
    if (depth + 1 > MAX_SCAN_DEPTH && next.length > 0) {
      scan.truncated = true;
      scan.cutBy = 'depth';
      return scan;
    }
    level = next;
  }
  return scan;
}
