import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { realpathLoose } from '../util/paths.js';
import {
  type RepoLayout,
  expandConfigPath,
  isIncludeKey,
  lastValue,
  lstatOrNull,
  readConfigChain,
  readRepoLayout,
} from './git-layout.js';

/**
 * The host paths whose content the host runs later (git's config and hooks, agents' project settings), found on
 * the host before a run; src/plan/protected-paths.ts turns them into read-only mounts. Each path's parent is a
 * real path and its last step is looked at without following a symlink (a symlink there is reported as one: a
 * link cannot be pinned, the agent could replace it).
 */
export type ProtectedGroup = 'git' | 'agent-config';

export interface ProtectedEntry {
  path: string;
  group: ProtectedGroup;
  kind: 'file' | 'dir' | 'symlink' | 'absent' | 'other';
  /** What covers the path when it does not exist, so the agent cannot create it either. */
  placeholder: 'file' | 'dir';
  /** A read-write mount of the path onto itself, only so that it cannot be renamed away (the `.git` dir). */
  pin?: boolean;
  what: string;
}

/**
 * The agents' (and editors') project-level files that a program on the host loads and may act on: hooks, MCP
 * servers, plugins, tasks, environment. Whole directories, so everything inside (hook scripts, plugins,
 * commands) is covered, and so is a file that does not exist yet.
 */
export const AGENT_CONFIG_DIRS: readonly { name: string; what: string }[] = [
  { name: '.ags', what: "ags's repo overlay" },
  { name: '.claude', what: 'Claude Code project settings, hooks, commands, agents' },
  { name: '.codex', what: 'Codex project config and hooks' },
  { name: '.gemini', what: 'Gemini CLI project settings, extensions, commands' },
  { name: '.opencode', what: 'opencode project plugins, tools, agents' },
  { name: '.pi', what: 'pi project settings and extensions' },
  { name: '.cursor', what: 'Cursor MCP servers and rules' },
  { name: '.vscode', what: 'VS Code tasks, launch and settings' },
  { name: '.idea', what: 'JetBrains run configurations and tools' },
  { name: '.zed', what: 'Zed tasks and settings' },
  { name: '.devcontainer', what: 'dev container config (initializeCommand runs on the host)' },
  { name: '.github/hooks', what: 'GitHub Copilot CLI hooks' },
];
export const AGENT_CONFIG_FILES: readonly { name: string; what: string }[] = [
  { name: '.mcp.json', what: 'project MCP servers (Claude Code)' },
  { name: 'opencode.json', what: 'opencode project config' },
  { name: 'opencode.jsonc', what: 'opencode project config' },
  { name: '.envrc', what: 'direnv' },
  { name: '.devcontainer.json', what: 'dev container config (initializeCommand runs on the host)' },
];

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
  placeholder: 'file' | 'dir',
  what: string,
  pin = false,
): ProtectedEntry {
  const p = realParent(path);
  return { path: p, group, kind: kindOf(p), placeholder, what, ...(pin ? { pin } : {}) };
}

function gitEntries(layout: RepoLayout, home: string, out: ProtectedEntry[]): void {
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
  }
  out.push(entry(join(commonDir, 'hooks'), 'git', 'dir', 'git hooks'));
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
}

/** A submodule's config and hooks, its checkout's `.git` file (rewritten, it could name a planted git dir), and its own submodules. */
function moduleEntries(m: RepoLayout, out: ProtectedEntry[]): void {
  out.push(entry(join(m.gitDir, 'config'), 'git', 'file', 'submodule git config'));
  out.push(entry(join(m.gitDir, 'hooks'), 'git', 'dir', 'submodule git hooks'));
  if (m.root !== m.gitDir && kindOf(join(m.root, '.git')) === 'file')
    out.push(entry(join(m.root, '.git'), 'git', 'file', "a submodule's .git file"));
  for (const n of m.modules) moduleEntries(n, out);
}

/**
 * The host's own global and system git config, the files it includes and its core.hooksPath, by real path (the
 * user's own links followed): in a dotfiles repository used as the workspace, `~/.gitconfig` may be a link to a
 * file the agent could otherwise rewrite, and every git on the host would run what it planted there.
 */
function hostGitConfigEntries(home: string, env: NodeJS.ProcessEnv, out: ProtectedEntry[]): void {
  const xdg = env.XDG_CONFIG_HOME || join(home, '.config');
  const tops = [
    env.GIT_CONFIG_GLOBAL || join(home, '.gitconfig'),
    join(xdg, 'git', 'config'),
    env.GIT_CONFIG_SYSTEM || '/etc/gitconfig',
  ];
  for (const top of tops) {
    const chain = readConfigChain(top, home);
    for (const file of chain) {
      let real: string;
      try {
        real = realpathSync(file.path);
      } catch {
        continue;
      }
      out.push(entry(real, 'git', 'file', "your host's global git config"));
    }
    const hooksPath = lastValue(chain, 'core.hookspath');
    if (hooksPath)
      out.push(
        entry(
          realpathLoose(expandConfigPath(hooksPath, home, home)),
          'git',
          'dir',
          "your host's global core.hooksPath",
        ),
      );
  }
}

export interface ProtectionFactsInput {
  /** Real paths of the directories the run mounts read-write whose repository (if any) is protected. */
  repositoryRoots: readonly string[];
  /** Real paths whose agent project config is protected (the workspace and every -d). */
  agentConfigRoots: readonly string[];
  home: string;
  /** For GIT_CONFIG_GLOBAL, GIT_CONFIG_SYSTEM and XDG_CONFIG_HOME: where the host's git finds its own config. */
  env: NodeJS.ProcessEnv;
}

/** Every protected path of the run's repositories and agent config roots, each once, in a stable order. */
export function protectionFacts(input: ProtectionFactsInput): ProtectedEntry[] {
  const out: ProtectedEntry[] = [];
  for (const root of input.repositoryRoots) {
    const layout = readRepoLayout(root, input.home);
    if (layout) gitEntries(layout, input.home, out);
  }
  hostGitConfigEntries(input.home, input.env, out);
  for (const root of input.agentConfigRoots) {
    for (const d of AGENT_CONFIG_DIRS) out.push(entry(join(root, d.name), 'agent-config', 'dir', d.what));
    // an absent file is covered by an empty file, not a directory: opencode, for one, fails on a directory
    // named opencode.json, and takes an empty file for no config
    for (const f of AGENT_CONFIG_FILES) out.push(entry(join(root, f.name), 'agent-config', 'file', f.what));
  }
  const seen = new Set<string>();
  return out.filter((e) => !seen.has(e.path) && seen.add(e.path));
}
