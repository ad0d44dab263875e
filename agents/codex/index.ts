import { type SessionFile, type SandboxDaemon, guardEnv, type AgentAdapter } from '../types.js';
import { thinHookWiring } from '../guard-server.js';

/** TOML basic string, for `codex -c key=value` and the requirements file (both parsed as TOML). */
function tomlString(text: string): string {
  return JSON.stringify(text);
}

/** Where Codex reads its managed requirements on Linux: they outrank every config layer, `-c` included. */
export const CODEX_REQUIREMENTS = '/etc/codex/requirements.toml';

/**
 * The managed requirements ags mounts for a guarded run: hooks forced on (`[features] hooks`, which a user or
 * project config could otherwise turn off) and the guard as a managed PreToolUse command hook. Codex trusts
 * managed hooks by policy and no hook state can disable them, so the run needs no
 * `--dangerously-bypass-hook-trust`, and every other hook keeps its review.
 */
export function codexRequirements(hookCommand: string): string {
  return [
    '# written by ags for this run; read-only and root-owned inside the sandbox',
    '[features]',
    'hooks = true',
    '',
    '[[hooks.PreToolUse]]',
    'matcher = "*"',
    '',
    '[[hooks.PreToolUse.hooks]]',
    'type = "command"',
    `command = ${tomlString(hookCommand)}`,
    'timeout = 10',
    '',
  ].join('\n');
}

/**
 * Codex CLI: hint as a developer message (`-c developer_instructions=...`, before the user's arguments, where
 * codex accepts it for the TUI and for `exec` alike); guard as a managed PreToolUse command hook (exit 2 +
 * stderr blocks) in /etc/codex/requirements.toml, mounted read-only and owned by root inside the sandbox.
 */
export const codex: AgentAdapter = {
  name: 'codex',
  title: 'OpenAI Codex CLI',
  command: 'codex',
  npmPackage: '@openai/codex',
  homePaths: [{ path: '.codex', kind: 'dir' }],
  env: {},
  reservedPaths: { home: [], system: ['/etc/codex'] },
  guarded: true,
  defaultArgs: [],
  lockdownStaging: ['.codex/config.toml', '.codex/AGENTS.md'],
  lockdownCredentials: ['.codex/auth.json'],
  wire(ctx) {
    const args = ['-c', `developer_instructions=${tomlString(ctx.hint)}`];
    const files: SessionFile[] = [];
    const systemFiles: Array<{ file: string; target: string }> = [];
    const daemons: SandboxDaemon[] = [];
    if (ctx.guard) {
      const hook = thinHookWiring(ctx, 'codex-hook.cjs');
      files.push({
        name: 'codex-requirements.toml',
        content: codexRequirements(hook.command),
        ownedByRoot: true,
      });
      systemFiles.push({ file: 'codex-requirements.toml', target: CODEX_REQUIREMENTS });
      daemons.push(...hook.daemons);
    }
    return { args, env: guardEnv(ctx), files, systemFiles, ...(daemons.length ? { daemons } : {}) };
  },
};
