import type { AgentAdapter } from '../types.js';

/** TOML basic string, for `codex -c key=value` (the value is parsed as TOML). */
function tomlString(text: string): string {
  return JSON.stringify(text);
}

/** Codex CLI: hint as a developer message (`-c developer_instructions=...`). */
export const codex: AgentAdapter = {
  name: 'codex',
  title: 'OpenAI Codex CLI',
  command: 'codex',
  npmPackage: '@openai/codex',
  homePaths: [{ path: '.codex', kind: 'dir' }],
  env: {},
  guarded: false, // no ags guard entry point for this agent yet (guards issue)
  defaultArgs: [],
  lockdownStaging: ['.codex/config.toml', '.codex/AGENTS.md'],
  wire(ctx) {
    return { args: ['-c', `developer_instructions=${tomlString(ctx.hint)}`], env: {}, files: [] };
  },
};
