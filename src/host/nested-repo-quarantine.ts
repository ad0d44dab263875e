import { createHash, randomBytes } from 'node:crypto';
import {
  type Stats,
  chmodSync,
  lstatSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { displayPath, isWithin } from '../util/paths.js';
import { isExecutableKey } from './git-config-parse.js';
import type { GitExecSnapshot } from './git-exec-keys.js';
import { lstatOrNull, readBounded, readRepoLayout } from './git-layout.js';
import { whatItRuns } from './planted-report.js';
import type { WorkspaceScan } from './workspace-scan.js';

/**
 * A git repository that appears in the work tree during a run runs its config the next time git on the host
 * enters it: the user's `git status` in the outer repository recurses into a gitlinked one (its
 * `core.fsmonitor` runs), an editor's repository scan or a shell prompt enters any. A warning after the run
 * comes too late when an editor is open. So the markers that appeared (or were replaced) are moved aside
 * before anything on the host runs git there: `sub/.git` is renamed `sub/.git.ags-quarantined-<hex>` and its
 * `HEAD` renamed too, so git takes neither the work tree nor the moved directory for a repository.
 *
 * In lockdown every one is moved. Otherwise the agent may have been asked to `git init` a project, so a
 * repository that runs nothing (no executable key, no hook, a config that reads) stays and is reported; a `.git`
 * that is a file or a link (it names a git directory anywhere the agent could write) and one that runs
 * something are moved.
 */

/** How a marker (a `.git` or a bare repository's directory) looked; compared before and after the run. */
type Identity = string;

/** Markers whose config and hooks are digested; beyond, a directory is known by its inode only. */
const MAX_DIGESTED = 256;
const MAX_HOOK_NAMES = 256;
const QUARANTINE = 'ags-quarantined';

function execDigest(root: string, home: string): string {
  const layout = readRepoLayout(root, home);
  if (!layout) return 'unreadable';
  const h = createHash('sha256');
  h.update(`${layout.gitDir}\0${layout.commonDir}\0${layout.hooksDir}\0`);
  for (const f of layout.config)
    for (const e of f.entries)
      if (isExecutableKey(e.key, e.value)) h.update(`${f.path}\0${e.key}\0${e.value ?? ''}\0`);
  try {
    for (const n of readdirSync(layout.hooksDir).sort().slice(0, MAX_HOOK_NAMES)) {
      if (n.endsWith('.sample')) continue;
      const st = lstatOrNull(join(layout.hooksDir, n));
      h.update(`${n}\0${st?.ino ?? 0}\0${st?.mtimeMs ?? 0}\0${st?.size ?? 0}\0`);
    }
  } catch {
    // no hooks
  }
  return h.digest('hex').slice(0, 16);
}

function kindOf(st: Stats): string {
  return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
}

/**
 * The repository root a marker stands for: the `.git`'s directory, or the bare repository itself. A scanned
 * top level with a bare repository's shape is known by its `HEAD` (moving that aside is what unmakes it).
 */
const rootOf = (marker: string) =>
  basename(marker) === '.git' || basename(marker) === 'HEAD' ? dirname(marker) : marker;

const isTopLevelHead = (marker: string, scanRoots: readonly string[]) =>
  basename(marker) === 'HEAD' && scanRoots.includes(dirname(marker));

function identity(marker: string, home: string, digest: boolean): Identity | null {
  const st = lstatOrNull(marker);
  if (st === null) return null;
  // the birth time too: a directory removed and made again may get the same inode number
  const base = `${kindOf(st)}:${st.dev}:${st.ino}:${st.birthtimeMs}`;
  if (st.isSymbolicLink()) {
    try {
      return `${base}:${readlinkSync(marker)}`;
    } catch {
      return base;
    }
  }
  if (st.isFile()) return `${base}:${readBounded(marker, 4096)?.toString('hex') ?? 'unreadable'}`;
  return st.isDirectory() && digest ? `${base}:${execDigest(rootOf(marker), home)}` : base;
}

/**
 * The markers of the nested repositories git on the host could enter: those the workspace scans found (a
 * `.git`, a bare repository's directory) and the `.git` of every repository the git snapshot follows into
 * (gitlinks, where the scan does not look: node_modules, deep paths), inside a scanned root, never a root itself.
 */
export function nestedMarkers(scans: readonly WorkspaceScan[], git: GitExecSnapshot): string[] {
  const roots = scans.map((s) => s.root);
  const out = new Set<string>();
  for (const s of scans) {
    for (const path of s.repos.keys()) out.add(path);
    if (s.rootIsGitDir) out.add(join(s.root, 'HEAD'));
  }
  for (const r of git.repos) {
    if (roots.includes(r.root) || !roots.some((root) => isWithin(r.root, root))) continue;
    out.add(join(r.root, '.git'));
  }
  return [...out];
}

export type MarkerSnapshot = Map<string, { id: Identity | null; digested: boolean }>;

/** How each marker looks now (taken before the run, with nothing running in the sandbox yet). */
export function snapshotMarkers(markers: readonly string[], home: string): MarkerSnapshot {
  return new Map(
    markers.map((m, i) => [m, { id: identity(m, home, i < MAX_DIGESTED), digested: i < MAX_DIGESTED }]),
  );
}

/** Config files git would not read whole are taken as hostile. */
const MAX_CONFIG = 1024 * 1024;

/** Whether git would run something from the repository behind `marker` (or ags cannot be sure it would not). */
function runsSomething(marker: string, home: string): boolean {
  const st = lstatOrNull(marker);
  if (st === null) return false;
  if (!st.isDirectory()) return true; // a gitfile or a link: it names a git directory the agent chose
  const layout = readRepoLayout(rootOf(marker), home);
  if (!layout || layout.commondirText !== null) return true; // a fresh `git init` has no commondir
  if ((lstatOrNull(join(layout.commonDir, 'config'))?.size ?? 0) > MAX_CONFIG) return true;
  if (layout.config.some((f) => f.entries.some((e) => isExecutableKey(e.key, e.value)))) return true;
  try {
    return readdirSync(layout.hooksDir).some((n) => !n.endsWith('.sample'));
  } catch {
    return false;
  }
}

/** A name next to `path` that does not exist yet. */
function freshName(path: string): string {
  for (;;) {
    const candidate = `${path}.${QUARANTINE}-${randomBytes(4).toString('hex')}`;
    if (lstatOrNull(candidate) === null) return candidate;
  }
}

export interface Quarantined {
  /** Report lines, escaped. */
  lines: string[];
  /** The repository roots moved aside (the reports after it leave them out). */
  roots: string[];
}

/**
 * Moves aside every marker that appeared or changed since `before` (all of them in lockdown; otherwise those
 * that run something, see above), by rename in its own directory: nothing is copied, nothing is followed. A
 * marker whose directory is no longer the real path the scan found (a link swapped in) is not touched.
 */
export function quarantineNewRepos(
  before: MarkerSnapshot,
  markers: readonly string[],
  scanRoots: readonly string[],
  home: string,
  lockdown: boolean,
): Quarantined {
  const lines: string[] = [];
  const roots: string[] = [];
  for (const marker of markers) {
    const was = before.get(marker);
    const now = identity(marker, home, was?.digested ?? true);
    if (now === null || was?.id === now) continue;
    if (isTopLevelHead(marker, scanRoots)) {
      lines.push(moveTopLevelHead(marker));
      continue;
    }
    if (!lockdown && !runsSomething(marker, home)) continue;
    const root = rootOf(marker);
    const what = whatItRuns(root, home);
    const parent = dirname(marker);
    let real: string;
    try {
      real = realpathSync(parent);
    } catch {
      continue;
    }
    if (real !== parent || !scanRoots.some((r) => isWithin(marker, r) && root !== r)) {
      lines.push(
        `${displayPath(root)}: a git repository that appeared is behind a link now and was not moved: remove it before running git there (${what})`,
      );
      continue;
    }
    const target = freshName(marker);
    try {
      renameDespiteReadOnly(marker, target);
    } catch {
      lines.push(
        `could not move aside the git repository at ${displayPath(root)}: remove it before running git there (${what})`,
      );
      continue;
    }
    // a moved git directory is still one (git takes a directory with HEAD, objects/ and refs/ for a repository)
    let head = '';
    if (lstatOrNull(target)?.isDirectory() && lstatOrNull(join(target, 'HEAD')) !== null) {
      try {
        renameDespiteReadOnly(join(target, 'HEAD'), join(target, `HEAD.${QUARANTINE}`));
        head = ` and its HEAD to HEAD.${QUARANTINE}`;
      } catch {
        head = ' (its HEAD could not be renamed: do not run git inside it)';
      }
    }
    roots.push(root);
    lines.push(`moved ${displayPath(marker)} to ${displayPath(target)}${head} — ${what}`);
  }
  return { lines, roots };
}

/**
 * A top level that took a bare repository's shape during the run (HEAD with objects/ and refs/, or with a
 * `commondir`, beside its `.git`): in
 * every mode its HEAD is moved aside, since no work needs one there and git falls back to it as soon as the
 * agent has made `.git` unreadable as a repository.
 */
function moveTopLevelHead(head: string): string {
  const top = dirname(head);
  const target = freshName(head);
  try {
    renameDespiteReadOnly(head, target);
  } catch {
    return `${displayPath(top)} is shaped as a bare git repository (HEAD with objects/ and refs/, or with a commondir; its config runs at your next git command there if .git fails to read) and its HEAD could not be moved: remove ${displayPath(head)} before running git there`;
  }
  return `moved ${displayPath(head)} to ${displayPath(target)}: the top level had been made a bare git repository (HEAD with objects/ and refs/ or a commondir; config ${displayPath(join(top, 'config'))}), which git on your host reads as soon as .git does not`;
}

/**
 * Renames within one directory; one the agent made read-only (`chmod 555 .`, it owns the directory through the
 * user namespace) gets the owner's write bit for the rename and its mode back after, so a chmod cannot keep a
 * planted HEAD in place. Nothing is followed: the directory is taken by lstat and must be a directory we own.
 */
function renameDespiteReadOnly(from: string, to: string): void {
  try {
    renameSync(from, to);
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EACCES') throw e;
  }
  const dir = dirname(from);
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== process.getuid?.()) throw new Error(`${dir} is not writable`);
  chmodSync(dir, (st.mode & 0o7777) | 0o700);
  try {
    renameSync(from, to);
  } finally {
    chmodSync(dir, st.mode & 0o7777);
  }
}

/** The loud report of what was moved aside, or nothing. */
export function quarantineReport(lines: readonly string[]): string {
  if (lines.length === 0) return '';
  const shown = lines.slice(0, 40);
  return [
    'ags: WARNING: this run created git repositories that git on your host would have run; moved aside so it does not:',
    ...shown.map((l) => `ags:   ${l}`),
    ...(lines.length > shown.length ? [`ags:   ... and ${lines.length - shown.length} more`] : []),
    'ags: review one with `git config --file DIR/config --list` (runs nothing); rename both back to keep it',
  ]
    .map((l) => `${l}\n`)
    .join('');
}
