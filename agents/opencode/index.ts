import type { AgentAdapter } from '../types.js';

/** opencode: the hint is an extra instructions file, added through OPENCODE_CONFIG_CONTENT (merged over the user's config). */
export const opencode: AgentAdapter = {
  name: 'opencode',
  title: 'opencode',
  command: 'opencode',
  npmPackage: 'opencode-ai',
  homePaths: [
    { path: '.config/opencode', kind: 'dir' },
    { path: '.local/share/opencode', kind: 'dir' },
  ],
  env: {},
  guarded: false, // no ags guard entry point for this agent yet (guards issue)
  defaultArgs: [],
  lockdownStaging: ['.config/opencode/opencode.json', '.config/opencode/AGENTS.md'],
  wire(ctx) {
    const config = { instructions: [`${ctx.sessionDir}/AGS_SANDBOX.md`] };
    return {
      args: [],
      env: { OPENCODE_CONFIG_CONTENT: JSON.stringify(config) },
      files: [{ name: 'AGS_SANDBOX.md', content: ctx.hint }],
    };
  },
};
