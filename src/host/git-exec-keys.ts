import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath } from '../util/paths.js';
import { escapeText } from '../util/terminal-text.js';
import { isExecutableKey } from './git-config-parse.js';
import { readGitlinks } from './git-index.js';
import { hostHooksPaths } from './host-git-config.js';
import {
  type RepoLayout,
  expandConfigPath,
  lastValue,
  lstatOrNull,
  readBounded,
  readRepoLayout,
} from './git-layout.js';

/**
 * What git on the host will run for a repository, taken before and after a run and compared: the config keys
 * that name a program (git-config-parse.ts) in every file git reads for it (includes followed), where its
 * common git directory is, and its hooks. Read from the files, never by running git: git started on a config
 * the agent wrote would run that config's `core.fsmonitor` itself, and a global or system config ags cannot
 * vouch for would decide what is read.
 */
export interface GitExecSnapshot {
  repos: RepoExec[];
}

interface RepoExec {
  root: string;
  commonDir: string | null;
  /** `file\u0000key\u0000value` of each executable key, in file order. */
  keys: string[];
  /** Hook path → content digest (or a word for what is not a regular file). */
  hooks: Record<string, string>;
}

/** Hooks directories hold at most a few dozen files; a planted directory of thousands is cut here. */
const MAX_HOOKS = 256;

function hooksOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  let names: string[];
  try {
    names = readdirSync(dir).sort().slice(0, MAX_HOOKS);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name.endsWith('.sample')) continue;
    const path = join(dir, name);
    const st = lstatOrNull(path);
    if (st === null || st.isDirectory()) continue;
    if (st.isSymbolicLink()) {
      out[path] = 'a symbolic link';
      continue;
    }
    const bytes = readBounded(path);
    const exec = (st.mode & 0o111) !== 0 ? 'executable' : 'not executable';
    out[path] =
      bytes === null
        ? `unreadable, ${st.size} bytes`
        : `${exec}, sha256 ${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
  }
  return out;
}

/** How deep, and how many, repositories nested as gitlinks are followed (the host's git status recurses into them). */
const MAX_NESTED_DEPTH = 3;
export const MAX_NESTED = 64;

function repoExec(
  layout: RepoLayout,
  home: string,
  depth: number,
  seen: Set<string>,
  globalHooks: readonly string[],
): RepoExec[] {
  if (seen.has(layout.root) || seen.size >= MAX_NESTED) return [];
  seen.add(layout.root);
  const keys: string[] = [];
  for (const file of layout.config) {
    if (file.tooLarge !== undefined)
      keys.push(
        `${file.path}\u0000(a config file)\u0000${file.tooLarge} bytes, too large to read; git will run what it says`,
      );
    for (const e of file.entries) {
      if (isExecutableKey(e.key, e.value))
        keys.push(`${file.path}\u0000${e.key}\u0000${e.value ?? '(true)'}`);
    }
  }
  const here: RepoExec = {
    root: layout.root,
    commonDir: layout.commonDir,
    keys,
    hooks: Object.assign(
      {},
      ...(layout.hooksFromConfig || layout.marker === 'bare' ? [] : globalHooks).map((rel) =>
        hooksOf(expandConfigPath(rel, layout.root, home)),
      ),
      hooksOf(layout.hooksDir),
    ) as Record<string, string>,
  };
  const nested = depth >= MAX_NESTED_DEPTH ? [] : nestedLayouts(layout, home);
  return [
    here,
    ...layout.modules.flatMap((m) => repoExec(m, home, depth + 1, seen, globalHooks)),
    ...nested.flatMap((n) => repoExec(n, home, depth + 1, seen, globalHooks)),
  ];
}

/** The populated gitlinks of the repository's index: each a repository the host's `git status` enters. */
function nestedLayouts(layout: RepoLayout, home: string): RepoLayout[] {
  if (layout.marker === 'symlink') return [];
  const hashLen = lastValue(layout.config, 'extensions.objectformat') === 'sha256' ? 32 : 20;
  const out: RepoLayout[] = [];
  for (const path of readGitlinks(join(layout.gitDir, 'index'), hashLen).slice(0, MAX_NESTED)) {
    if (path.split('/').some((s) => s === '..' || s === '.' || s === '')) continue;
    const nested = readRepoLayout(join(layout.root, path), home);
    if (nested) out.push(nested);
  }
  return out;
}

/**
 * The snapshot of the repositories at `roots` (real paths; a root without `.git` is recorded as none). With
 * `env`, the hooks in the directories a relative global `core.hooksPath` of the host names in each work tree
 * too (for a repository that sets no hooksPath of its own).
 */
export function snapshotGitExec(
  roots: readonly string[],
  home: string,
  env?: NodeJS.ProcessEnv,
): GitExecSnapshot {
  const seen = new Set<string>();
  const globalHooks = env ? hostHooksPaths(home, env).relative : [];
  return {
    repos: roots.flatMap((root) => {
      const layout = readRepoLayout(root, home);
      return layout
        ? repoExec(layout, home, 0, seen, globalHooks)
        : [{ root, commonDir: null, keys: [], hooks: {} }];
    }),
  };
}

const shown = (text: string) => escapeText(text, 300);

function keyLine(k: string): string {
  const [file, key, value] = k.split('\u0000') as [string, string, string];
  return `${key} = ${shown(value)} (in ${displayPath(file)})`;
}

/**
 * What changed between two snapshots, one line each, every path and value escaped and bounded: keys added or
 * removed, a common git directory that moved, hooks that appeared, changed or went. Empty when nothing did.
 */
export function diffGitExec(before: GitExecSnapshot, after: GitExecSnapshot): string[] {
  const lines: string[] = [];
  const old = new Map(before.repos.map((r) => [r.root, r]));
  for (const now of after.repos) {
    const was = old.get(now.root) ?? { root: now.root, commonDir: null, keys: [], hooks: {} };
    const repo = displayPath(now.root);
    if (was.commonDir !== now.commonDir) {
      lines.push(
        now.commonDir === null
          ? `${repo}: its git directory is gone`
          : was.commonDir === null
            ? `${repo}: a git repository appeared (${displayPath(now.commonDir)})`
            : `${repo}: git now reads its config and hooks from ${displayPath(now.commonDir)} (was ${displayPath(was.commonDir)})`,
      );
    }
    const wasKeys = new Set(was.keys);
    const nowKeys = new Set(now.keys);
    for (const k of now.keys) if (!wasKeys.has(k)) lines.push(`${repo}: set ${keyLine(k)}`);
    for (const k of was.keys) if (!nowKeys.has(k)) lines.push(`${repo}: removed ${keyLine(k)}`);
    for (const [path, what] of Object.entries(now.hooks)) {
      const prev = was.hooks[path];
      if (prev === undefined) lines.push(`${repo}: hook appeared: ${displayPath(path)} (${what})`);
      else if (prev !== what) lines.push(`${repo}: hook changed: ${displayPath(path)} (${what})`);
    }
    for (const path of Object.keys(was.hooks))
      if (!(path in now.hooks)) lines.push(`${repo}: hook removed: ${displayPath(path)}`);
  }
  return lines;
}

/** Lines that say git will now run something (a key set, a hook added or changed, a moved git directory). */
const RUNS = /: (?:set |hook appeared: |hook changed: |git now reads |a git repository appeared )/;

/**
 * The loud report after a run, or nothing. What runs something is listed first and never cut, so a flood of
 * harmless lines (removals, links taken out of `.git`) cannot push it out of sight; the rest fill up to 40.
 */
export function gitExecReport(lines: readonly string[]): string {
  if (lines.length === 0) return '';
  const runs = lines.filter((l) => RUNS.test(l));
  const rest = lines.filter((l) => !RUNS.test(l));
  const shownLines = [...runs, ...rest.slice(0, Math.max(0, 40 - runs.length))];
  return [
    'ags: WARNING: this run changed what git on your host will execute:',
    ...shownLines.map((l) => `ags:   ${l}`),
    ...(lines.length > shownLines.length ? [`ags:   ... and ${lines.length - shownLines.length} more`] : []),
    'ags: review these before you run git in that repository (`git config --file FILE --list` reads a file without running anything)',
  ]
    .map((l) => `${l}\n`)
    .join('');
}
