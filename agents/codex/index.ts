import { guardEnv, hookEnv, type AgentAdapter } from '../types.js';
import { sandboxNodeCommand } from '../sandbox-node.js';

/** TOML basic string, for `codex -c key=value` (the value is parsed as TOML). */
function tomlString(text: string): string {
  return JSON.stringify(text);
}

/**
 * Codex CLI: hint as a developer message (`-c developer_instructions=...`); guard as a PreToolUse command hook
 * given with `-c hooks.PreToolUse=...` (exit 2 + stderr blocks). Codex runs non-managed hooks only after the user
 * reviewed and trusted them in its TUI; `--dangerously-bypass-hook-trust` skips that review for this invocation
 * (every hook then runs inside the same sandbox as the agent's own commands). Both go before the user's
 * arguments, where codex accepts them for the TUI and for `exec` alike.
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
  wire(ctx) {
    const args = ['-c', `developer_instructions=${tomlString(ctx.hint)}`];
    if (ctx.guard) {
      const command = tomlString(sandboxNodeCommand(`${ctx.sandboxBinDir}/codex-hook.mjs`, hookEnv(ctx)));
      args.push(
        '--dangerously-bypass-hook-trust',
        '-c',
        `hooks.PreToolUse=[{matcher="*",hooks=[{type="command",command=${command},timeout=10}]}]`,
      );
    }
    return { args, env: guardEnv(ctx), files: [] };
  },
};
