import { readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { displayPath, isWithin, realpathLoose } from '../util/paths.js';
import { hostGitConfigChain, hostHooksPaths } from './host-git-config.js';
import { isExecutableKey } from './git-config-parse.js';
import { HOST_RUN_NAMES, LEFTHOOK_FILES, type ProtectedGroup, isLefthookMain } from './host-run-names.js';
import { type RefStyle, filesEnvrcLoads, filesNamedBy, filesNamedIn } from './script-refs.js';
import type { WorkspaceScan } from './workspace-scan.js';
import {
  type RepoLayout,
  expandConfigPath,
  isIncludeKey,
  lstatOrNull,
  readRepoLayout,
} from './git-layout.js';

/**
 * The host paths whose content the host runs later (git's config and hooks, agents' project settings), found on
 * the host before a run; src/plan/protected-paths.ts turns them into read-only mounts. Each path's parent is a
 * real path and its last step is looked at without following a symlink (a symlink there is reported as one: a
 * link cannot be pinned, the agent could replace it).
 */
export type { ProtectedGroup };

export interface ProtectedEntry {
  path: string;
  group: ProtectedGroup;
  kind: 'file' | 'dir' | 'symlink' | 'absent' | 'other';
  /**
   * What covers the path when it does not exist, so the agent cannot create it either (`gitignore`: a file
   * holding what opencode writes into its project dir's `.gitignore`).
   */
  placeholder: 'file' | 'dir' | 'gitignore' | 'commondir';
  /** A read-write mount of the path onto itself, only so that it cannot be renamed away (the `.git` dir). */
  pin?: boolean;
  /**
   * The deepest directory above the path that exists at start (its parent, unless the path is absent and so
   * are some of the directories above it): the directories from there up to the mount's top are pinned.
   */
  existingParent?: string;
  what: string;
  /** A file a hook, a hook manager's config or an executable git key names (absent ones count to MAX_ABSENT_REFS). */
  ref?: true;
}

function kindOf(path: string): ProtectedEntry['kind'] {
  const st = lstatOrNull(path);
  if (st === null) return 'absent';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'dir';
  return st.isFile() ? 'file' : 'other';
}

/** `path` with its parent as a real path and its last step kept (looked at with lstat). */
function realParent(path: string): string {
  return join(realpathLoose(dirname(path)), basename(path));
}

function entry(
  path: string,
  group: ProtectedGroup,
  placeholder: ProtectedEntry['placeholder'],
  what: string,
  pin = false,
): ProtectedEntry {
  const p = realParent(path);
  const kind = kindOf(p);
  const parent = kind === 'absent' ? existingDirAbove(p) : dirname(p);
  return {
    path: p,
    group,
    kind,
    placeholder,
    what,
    ...(pin ? { pin } : {}),
    ...(parent !== null ? { existingParent: parent } : {}),
  };
}

/** A file a hook or an executable git key names: a script git or a hook manager runs from the work tree. */
const refEntry = (path: string, what: string): ProtectedEntry => ({
  ...entry(path, 'git', 'file', what),
  ref: true,
});

/** The nearest directory above `path` that exists as a real directory (not a link), or null. */
function existingDirAbove(path: string): string | null {
  for (let d = dirname(path); ; d = dirname(d)) {
    const st = lstatOrNull(d);
    if (st?.isDirectory()) return d;
    if (st !== null || d === dirname(d)) return null;
  }
}

function gitEntries(layout: RepoLayout, home: string, env: NodeJS.ProcessEnv, out: ProtectedEntry[]): void {
  const marker = join(layout.root, '.git');
  if (layout.marker === 'symlink') {
    out.push(entry(marker, 'git', 'dir', 'the git directory'));
    return;
  }
  if (layout.marker === 'dir') out.push(entry(marker, 'git', 'dir', 'the git directory', true));
  else if (layout.marker === 'file')
    out.push(entry(marker, 'git', 'file', 'the .git file naming the git directory'));
  const { gitDir, commonDir } = layout;
  out.push(entry(join(commonDir, 'config'), 'git', 'file', 'git config'));
  out.push(entry(join(commonDir, 'config.worktree'), 'git', 'file', 'git per-worktree config'));
  if (gitDir !== commonDir) {
    out.push(entry(join(gitDir, 'config.worktree'), 'git', 'file', 'git per-worktree config'));
    out.push(entry(join(gitDir, 'commondir'), 'git', 'file', "the worktree's pointer to the common git dir"));
  } else {
    // absent in a main repository; planted, it moves git's config and hooks anywhere (`commondir` = ".", held
    // read-only, means "this directory", which git reads as it would no file)
    out.push(entry(join(gitDir, 'commondir'), 'git', 'commondir', 'the pointer to the common git dir'));
  }
  out.push(entry(join(commonDir, 'hooks'), 'git', 'dir', 'git hooks'));
  out.push(
    entry(
      join(commonDir, 'info', 'attributes'),
      'git',
      'file',
      'git attributes (pick filter and diff drivers)',
    ),
  );
  if (layout.hooksFromConfig) out.push(entry(layout.hooksDir, 'git', 'dir', 'git hooks (core.hooksPath)'));
  for (const file of layout.config) {
    for (const e of file.entries) {
      if (e.value !== null && isIncludeKey(e.key)) {
        out.push(
          entry(
            expandConfigPath(e.value, dirname(file.path), home),
            'git',
            'file',
            `git config included by ${e.key}`,
          ),
        );
      }
    }
  }
  for (const wt of layout.worktreeGitDirs) {
    out.push(
      entry(join(wt, 'commondir'), 'git', 'file', "a linked worktree's pointer to the common git dir"),
    );
    out.push(entry(join(wt, 'config.worktree'), 'git', 'file', 'git per-worktree config'));
  }
  for (const m of layout.modules) moduleEntries(m, out);
  hookRefEntries(layout, home, env, out);
}

/** Hooks directories hold a few dozen files; a planted directory of thousands is cut here. */
const MAX_HOOK_FILES = 64;

/**
 * The regular files in a hooks directory, by path; a symbolic link among them (`commit-msg ->
 * ../../githooks/commit-msg`, the usual way to share hooks in the work tree) by the real path of the file it
 * resolves to, since git runs that file and the link's target may be writable where the link is not.
 */
function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.endsWith('.sample'))
      .map((e) => (e.isFile() ? join(dir, e.name) : linkedFile(join(dir, e.name))))
      .filter((p): p is string => p !== null)
      .sort()
      .slice(0, MAX_HOOK_FILES);
  } catch {
    return [];
  }
}

/** The real path of the regular file a link resolves to, or null (dangling, a directory, ...). */
function linkedFile(link: string): string | null {
  try {
    const real = realpathSync(link);
    return lstatOrNull(real)?.isFile() ? real : null;
  } catch {
    return null;
  }
}

/** The files the links in a hooks directory resolve to: each is run by git as the hook. */
function linkedHookEntries(dir: string, what: string, out: ProtectedEntry[]): void {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isSymbolicLink())
      .map((e) => e.name)
      .sort()
      .slice(0, MAX_HOOK_FILES);
  } catch {
    return;
  }
  for (const name of names) {
    const real = linkedFile(join(dir, name));
    if (real !== null) out.push(entry(real, 'git', 'file', `the file the ${what} ${name} links to`));
  }
}

/**
 * The first hop of the repository's hooks: the work tree files its hooks and its executable config keys (a
 * filter driver's `clean = scripts/clean.sh`, a relative `core.fsmonitor`) name. Git runs both from the top of
 * the work tree. Files that exist are protected, and so are the scripts they name by form that do not exist yet
 * (an empty placeholder, bounded by MAX_ABSENT_REFS; script-refs.ts keeps to the work tree).
 */
function hookRefEntries(
  layout: RepoLayout,
  home: string,
  env: NodeJS.ProcessEnv,
  out: ProtectedEntry[],
): void {
  if (layout.marker === 'symlink' || layout.marker === 'bare') return;
  const root = layout.root;
  linkedHookEntries(layout.hooksDir, 'git hook', out);
  for (const hook of filesIn(layout.hooksDir)) {
    for (const f of filesNamedBy(hook, 'shell', root, root))
      out.push(refEntry(f, `a file the git hook ${basename(hook)} runs`));
  }
  const values: string[] = [];
  for (const file of [...layout.config, ...hostGitConfigChain(home, env)])
    for (const e of file.entries)
      if (e.value !== null && isExecutableKey(e.key, e.value)) values.push(e.value);
  for (const f of filesNamedIn(values.join('\n'), 'shell', root, root))
    out.push(refEntry(f, 'a file a git config key runs (a filter, diff or merge driver)'));
}

/**
 * The hook managers' and direnv's files at the top of `root` and the files they name, and the host-run names
 * (host-run-names.ts) there: `placeholder` ones present or not, `report` ones where they exist. Where a lefthook
 * config exists its local files are covered too; where `.opencode/` exists without the `.gitignore` opencode
 * writes into it at start, that file is held with what opencode would write (opencode stops when it cannot).
 */
function hostRunEntries(root: string, out: ProtectedEntry[]): void {
  const lefthook = LEFTHOOK_FILES.some((n) => isLefthookMain(n) && lstatOrNull(join(root, n)) !== null);
  for (const n of HOST_RUN_NAMES) {
    const e = entry(join(root, n.name), n.group, n.kind, n.what);
    const placeholder = n.absent === 'placeholder' || (lefthook && LEFTHOOK_FILES.includes(n.name));
    if (e.kind !== 'absent' || placeholder) out.push(e);
  }
  const opencode = join(root, '.opencode');
  if (kindOf(opencode) === 'dir' && kindOf(join(opencode, '.gitignore')) === 'absent')
    out.push(
      entry(
        join(opencode, '.gitignore'),
        'agent-config',
        'gitignore',
        "opencode's .gitignore (held for opencode)",
      ),
    );
  namedByHookManagers(root, out);
}

function namedByHookManagers(root: string, out: ProtectedEntry[]): void {
  const named = (files: string[], style: RefStyle, what: string) => {
    for (const file of files)
      for (const f of filesNamedBy(file, style, root, root)) out.push(refEntry(f, what));
  };
  const husky = join(root, '.husky');
  if (kindOf(husky) === 'dir') {
    linkedHookEntries(husky, 'husky hook', out);
    linkedHookEntries(join(husky, '_'), 'husky hook', out);
  }
  if (kindOf(husky) === 'dir')
    named([...filesIn(husky), ...filesIn(join(husky, '_'))], 'shell', 'a file a husky hook runs');
  named([join(root, '.pre-commit-config.yaml')], 'yaml', 'a file a pre-commit hook runs');
  named(
    LEFTHOOK_FILES.map((n) => join(root, n)),
    'yaml',
    'a file a lefthook hook runs',
  );
  named([join(root, '.overcommit.yml')], 'yaml', 'a file an overcommit hook runs');
}

/** The files an `.envrc` at `path` loads (its `source_env`, `dotenv`, nix files), inside `root`. */
function envrcEntries(path: string, root: string, out: ProtectedEntry[]): void {
  if (kindOf(path) !== 'file') return;
  for (const f of filesEnvrcLoads(path, dirname(path), root))
    out.push(entry(f, 'agent-config', 'file', `a file ${basename(path)} loads (direnv)`));
}

/** A submodule's config and hooks, its checkout's `.git` file (rewritten, it could name a planted git dir), and its own submodules. */
function moduleEntries(m: RepoLayout, out: ProtectedEntry[]): void {
  out.push(entry(join(m.gitDir, 'config'), 'git', 'file', 'submodule git config'));
  out.push(entry(join(m.gitDir, 'hooks'), 'git', 'dir', 'submodule git hooks'));
  out.push(
    entry(join(m.gitDir, 'commondir'), 'git', 'commondir', "a submodule's pointer to a common git dir"),
  );
  linkedHookEntries(join(m.gitDir, 'hooks'), 'submodule git hook', out);
  if (m.root !== m.gitDir && kindOf(join(m.root, '.git')) === 'file')
    out.push(entry(join(m.root, '.git'), 'git', 'file', "a submodule's .git file"));
  for (const n of m.modules) moduleEntries(n, out);
}

/**
 * The host's own global and system git config and the files it includes, by real path (the user's own links
 * followed): in a dotfiles repository used as the workspace, `~/.gitconfig` may be a link to a file the agent
 * could otherwise rewrite, and every git on the host would run what it planted there. Its core.hooksPath too:
 * a relative one is a directory in each of the run's repositories (git takes it from the work tree's top).
 */
function hostGitConfigEntries(
  roots: readonly string[],
  home: string,
  env: NodeJS.ProcessEnv,
  out: ProtectedEntry[],
): void {
  for (const file of hostGitConfigChain(home, env)) {
    let real: string;
    try {
      real = realpathSync(file.path);
    } catch {
      continue;
    }
    out.push(entry(real, 'git', 'file', "your host's global git config"));
  }
  const hooks = hostHooksPaths(home, env);
  for (const dir of hooks.fixed)
    out.push(entry(realpathLoose(dir), 'git', 'dir', "your host's global core.hooksPath"));
  for (const root of roots)
    for (const rel of hooks.relative) {
      const dir = expandConfigPath(rel, root, home);
      if (dir === root || !isWithin(dir, root)) continue;
      out.push(entry(dir, 'git', 'dir', "git hooks (your host's global core.hooksPath, relative)"));
      linkedHookEntries(dir, 'git hook', out);
      for (const hook of filesIn(dir))
        for (const f of filesNamedBy(hook, 'shell', root, root))
          out.push(refEntry(f, `a file the git hook ${basename(hook)} runs`));
    }
}

export interface ProtectionFactsInput {
  /** Real paths of the directories the run mounts read-write whose repository (if any) is protected. */
  repositoryRoots: readonly string[];
  /** Real paths whose agent project config is protected (the workspace and every -d). */
  agentConfigRoots: readonly string[];
  /** The start scans of those roots (workspace-scan.ts): nested repositories and settings in subdirectories. */
  scans?: readonly WorkspaceScan[];
  home: string;
  /** For GIT_CONFIG_GLOBAL, GIT_CONFIG_SYSTEM and XDG_CONFIG_HOME: where the host's git finds its own config. */
  env: NodeJS.ProcessEnv;
}

/** How many nested repositories found by the scan are protected; the rest are said at start. */
export const MAX_NESTED_PROTECTED = 64;

/** The top levels of the nested repositories a scan found (a `.git`'s directory, a bare repository itself). */
export function nestedRepoRoots(scan: WorkspaceScan): string[] {
  return [...scan.repos].map(([path, f]) => (f.what === 'bare' ? path : dirname(path)));
}

/**
 * How many scripts that hooks name and that do not exist yet get a placeholder (each is a mount point made in
 * the work tree): a repository whose hooks name thousands is cut here, and `notes` says so.
 */
export const MAX_ABSENT_REFS = 32;

/**
 * Every protected path of the run's repositories and agent config roots, each once, in a stable order; what
 * it could not cover is pushed to `notes` (start warnings).
 */
export function protectionFacts(input: ProtectionFactsInput, notes?: string[]): ProtectedEntry[] {
  const out: ProtectedEntry[] = [];
  const scans = input.scans ?? [];
  const nested = scans.flatMap(nestedRepoRoots).slice(0, MAX_NESTED_PROTECTED);
  const repoRoots: string[] = [];
  for (const root of [...input.repositoryRoots, ...nested]) {
    const layout = readRepoLayout(root, input.home);
    if (!layout) continue;
    gitEntries(layout, input.home, input.env, out);
    if (layout.marker !== 'bare' && layout.marker !== 'symlink') repoRoots.push(layout.root);
  }
  hostGitConfigEntries(repoRoots, input.home, input.env, out);
  for (const root of input.agentConfigRoots) {
    hostRunEntries(root, out);
    envrcEntries(join(root, '.envrc'), root, out);
  }
  // in subdirectories: what exists (a symlink among them is refused, as at the top)
  for (const scan of scans) {
    for (const [path, f] of scan.hostRun) {
      if (typeof f.what === 'string') continue;
      out.push(entry(path, f.what.group, f.what.kind, `${f.what.what}, in a subdirectory`));
      if (f.what.name === '.envrc') envrcEntries(path, scan.root, out);
    }
  }
  const seen = new Set<string>();
  let absentRefs = 0;
  const dropped: string[] = [];
  const kept = out.filter((e) => {
    if (seen.has(e.path)) return false;
    seen.add(e.path);
    if (!e.ref || e.kind !== 'absent') return true;
    if (++absentRefs <= MAX_ABSENT_REFS) return true;
    dropped.push(e.path);
    return false;
  });
  if (dropped.length > 0)
    notes?.push(
      `hooks name ${absentRefs} scripts that do not exist; only the first ${MAX_ABSENT_REFS} are held by a placeholder, so the agent can create ${dropped.length} others (${dropped.slice(0, 5).map(displayPath).join(', ')}${dropped.length > 5 ? ', ...' : ''}) and your next \`git commit\` runs them`,
    );
  return kept;
}
