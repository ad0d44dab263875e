/** Which opt-out turns a protection off: `[sandbox] git_config` or `writable_agent_config`. */
export type ProtectedGroup = 'git' | 'agent-config';

/**
 * The files and directories in a work tree that a program on the host runs or loads WITHOUT the user asking to
 * run the repository's code: git hooks and the hook managers they hand off to, agents' and editors' project
 * settings, direnv and mise files a shell loads on `cd`. The line: what runs because the user commits, opens the
 * folder or enters it is protected; what runs because the user runs it (`make`, `npm test`, a script) is not.
 *
 * `absent` says what covers a name that does not exist at the top of a protected root: `placeholder` (an empty
 * read-only file or directory, so it cannot be created either), or `report` (nothing; it is reported after the
 * run if it appeared). In subdirectories only existing names are protected; new ones are reported.
 */
export interface HostRunName {
  name: string;
  kind: 'dir' | 'file';
  group: ProtectedGroup;
  absent: 'placeholder' | 'report';
  what: string;
}

const agentDir = (
  name: string,
  what: string,
  absent: HostRunName['absent'] = 'placeholder',
): HostRunName => ({
  name,
  kind: 'dir',
  group: 'agent-config',
  absent,
  what,
});
const agentFile = (
  name: string,
  what: string,
  absent: HostRunName['absent'] = 'placeholder',
): HostRunName => ({
  name,
  kind: 'file',
  group: 'agent-config',
  absent,
  what,
});
const hookDir = (name: string, what: string): HostRunName => ({
  name,
  kind: 'dir',
  group: 'git',
  absent: 'report',
  what,
});
const hookFile = (name: string, what: string): HostRunName => ({
  name,
  kind: 'file',
  group: 'git',
  absent: 'report',
  what,
});

/**
 * Agents' and editors' project settings (hooks, MCP servers, plugins, tasks, environment). Whole directories,
 * so everything inside (hook scripts, plugins, commands) is covered, and so is a file that does not exist yet.
 */
export const AGENT_CONFIG_NAMES: readonly HostRunName[] = [
  agentDir('.ags', "ags's repo overlay"),
  agentDir('.claude', 'Claude Code project settings, hooks, commands, agents'),
  agentDir('.codex', 'Codex project config and hooks'),
  agentDir('.gemini', 'Gemini CLI project settings, extensions, commands'),
  agentDir('.opencode', 'opencode project plugins, tools, agents'),
  agentDir('.pi', 'pi project settings and extensions'),
  agentDir('.cursor', 'Cursor MCP servers and rules'),
  agentDir('.vscode', 'VS Code tasks, launch and settings'),
  agentDir('.idea', 'JetBrains run configurations and tools'),
  agentDir('.zed', 'Zed tasks and settings'),
  agentDir('.devcontainer', 'dev container config (initializeCommand runs on the host)'),
  agentDir('.github/hooks', 'GitHub Copilot CLI hooks'),
  // an absent file is covered by an empty file, not a directory: opencode, for one, fails on a directory
  // named opencode.json, and takes an empty file for no config
  agentFile('.mcp.json', 'project MCP servers (Claude Code)'),
  agentFile('opencode.json', 'opencode project config'),
  agentFile('opencode.jsonc', 'opencode project config'),
  agentFile('.envrc', 'direnv (runs when a shell enters the directory)'),
  agentFile('.devcontainer.json', 'dev container config (initializeCommand runs on the host)'),
  // host programs ags does not run; protected where they exist, reported when they appear
  agentDir('.kiro', 'Kiro hooks and settings', 'report'),
  agentDir('.windsurf', 'Windsurf workflows and rules', 'report'),
  agentDir('.continue', 'Continue config and MCP servers', 'report'),
  agentDir('.amazonq', 'Amazon Q MCP servers and rules', 'report'),
  agentDir('.helix', 'Helix language servers (started when a file opens)', 'report'),
  agentDir('.mise', 'mise config (its enter hooks run on cd)', 'report'),
  agentFile('.aider.conf.yml', 'aider config (lint-cmd and test-cmd run after edits)', 'report'),
  agentFile('.envrc.local', 'direnv local environment', 'report'),
  agentFile('mise.toml', 'mise config (its enter hooks run on cd)', 'report'),
  agentFile('.mise.toml', 'mise config (its enter hooks run on cd)', 'report'),
  agentFile('mise.local.toml', 'mise config (its enter hooks run on cd)', 'report'),
  agentFile('.mise.local.toml', 'mise config (its enter hooks run on cd)', 'report'),
  agentDir('.config/mise', 'mise config (its enter hooks run on cd)', 'report'),
  agentFile('.config/mise.toml', 'mise config (its enter hooks run on cd)', 'report'),
  agentFile('.autoenv.zsh', 'zsh-autoenv (sourced when a shell enters the directory)', 'report'),
  agentFile('.autoenv_leave.zsh', 'zsh-autoenv (sourced when a shell leaves the directory)', 'report'),
  agentFile('.dir-locals.el', 'Emacs directory variables (eval forms)', 'report'),
  agentFile('.lazy.lua', 'lazy.nvim local plugin spec', 'report'),
  agentFile('.lvimrc', 'Vim localvimrc', 'report'),
  agentFile('.nvim.lua', 'Neovim exrc', 'report'),
  agentFile('.nvimrc', 'Neovim exrc', 'report'),
  agentFile('.exrc', 'Vim exrc', 'report'),
  agentFile('.vimrc', 'Vim exrc', 'report'),
  agentFile('.gvimrc', 'Vim exrc', 'report'),
  agentDir('.qwen', 'Qwen Code project settings and hooks', 'report'),
  agentDir('.roo', 'Roo Code rules and MCP servers', 'report'),
  agentDir('.kilocode', 'Kilo Code rules and MCP servers', 'report'),
  agentDir('.clinerules', 'Cline rules and hooks', 'report'),
  agentDir('.amp', 'Amp project settings', 'report'),
  agentFile('crush.json', 'Crush project config (MCP servers, LSP commands)', 'report'),
  agentFile('.crush.json', 'Crush project config (MCP servers, LSP commands)', 'report'),
  // package managers' project config runs code on the host's next install, run or test
  agentFile('.npmrc', 'npm project config (node-options, script-shell run with every npm run)', 'report'),
  agentFile('.yarnrc.yml', 'Yarn project config (yarnPath is the yarn that runs)', 'report'),
  agentFile('.yarnrc', 'Yarn classic project config (yarn-path)', 'report'),
  agentFile('.pnpmfile.cjs', 'pnpm hooks (run at every install)', 'report'),
  agentFile('bunfig.toml', 'Bun project config (preload scripts)', 'report'),
  // build tools' project config read by every invocation, even one that runs no project code (`mvn -v`,
  // `gradle --version`), and interpreters' startup files read from the directory they start in (red team 9)
  agentFile('.mvn/jvm.config', 'Maven JVM options (a -javaagent runs at every mvn, even mvn -v)', 'report'),
  agentFile('.mvn/maven.config', 'Maven options read at every mvn', 'report'),
  agentFile('.mvn/extensions.xml', 'Maven core extensions (loaded at every mvn)', 'report'),
  agentFile('gradle.properties', 'Gradle properties (org.gradle.jvmargs runs with every gradle)', 'report'),
  agentDir('gradle/wrapper', 'Gradle wrapper (its distributionUrl is the gradle that runs)', 'report'),
  agentFile('.cargo/config.toml', 'Cargo project config (rustc-wrapper, runner, aliases)', 'report'),
  agentFile('.cargo/config', 'Cargo project config (rustc-wrapper, runner, aliases)', 'report'),
  agentFile('Directory.Build.props', 'MSBuild props imported by every dotnet build', 'report'),
  agentFile('Directory.Build.targets', 'MSBuild targets imported by every dotnet build', 'report'),
  agentFile('Directory.Build.rsp', 'MSBuild response file (arguments to every build)', 'report'),
  agentFile('.hg/hgrc', 'Mercurial repository config (its hooks run at hg commands)', 'report'),
  agentFile('.tool-versions', 'asdf/mise tool versions (mise builds a ref: or path: version)', 'report'),
  agentFile('.pdbrc', 'Python debugger commands (pdb reads it from the directory it starts in)', 'report'),
  agentFile('.Rprofile', 'R startup file (R started in the directory runs it)', 'report'),
  agentFile('.irbrc', 'irb startup file (read from the directory irb starts in)', 'report'),
  agentFile('.pryrc', 'pry startup file (read from the directory pry starts in)', 'report'),
  agentFile('.env.leave', 'autoenv leave script (sourced when a shell leaves the directory)', 'report'),
];

/** The lefthook config files: where one exists, the others are covered too (lefthook merges the local ones). */
export const LEFTHOOK_FILES: readonly string[] = ['', '.', '.config/']
  .flatMap((pre) => ['lefthook', 'lefthook-local'].map((n) => `${pre}${n}`))
  .flatMap((base) => ['yml', 'yaml', 'json', 'jsonc', 'toml'].map((ext) => `${base}.${ext}`));

/** Git hook managers: what the hooks in `.git/hooks` (or core.hooksPath) hand off to on the host's `git commit`. */
export const HOOK_MANAGER_NAMES: readonly HostRunName[] = [
  hookDir('.husky', 'husky hook scripts (the git hooks source them)'),
  hookFile('.pre-commit-config.yaml', 'pre-commit hooks config'),
  hookDir('.lefthook', 'lefthook scripts'),
  hookDir('.lefthook-local', 'lefthook local scripts'),
  ...LEFTHOOK_FILES.map((name) => hookFile(name, 'lefthook config')),
  hookFile('.overcommit.yml', 'overcommit hooks config'),
  hookDir('.git-hooks', 'overcommit hook scripts'),
  ...[
    '.lintstagedrc',
    '.lintstagedrc.json',
    '.lintstagedrc.yaml',
    '.lintstagedrc.yml',
    '.lintstagedrc.js',
    '.lintstagedrc.mjs',
    '.lintstagedrc.cjs',
    'lint-staged.config.js',
    'lint-staged.config.mjs',
    'lint-staged.config.cjs',
  ].map((name) => hookFile(name, 'lint-staged config (run by pre-commit hooks)')),
];

export const HOST_RUN_NAMES: readonly HostRunName[] = [...AGENT_CONFIG_NAMES, ...HOOK_MANAGER_NAMES];

/** The lefthook file names that mean lefthook is in use (the local ones only add to a main one). */
export const isLefthookMain = (name: string) =>
  LEFTHOOK_FILES.includes(name) && !name.includes('lefthook-local');
