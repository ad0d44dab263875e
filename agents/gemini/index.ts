import type { AgentAdapter } from '../types.js';

/**
 * Gemini CLI: the hint is a context file next to the user's GEMINI.md (mounted read-only into ~/.gemini), and a
 * system settings file (highest precedence, read-only) lists it as a context file name alongside GEMINI.md.
 */
export const gemini: AgentAdapter = {
  name: 'gemini',
  title: 'Gemini CLI',
  command: 'gemini',
  npmPackage: '@google/gemini-cli',
  homePaths: [{ path: '.gemini', kind: 'dir' }],
  env: {},
  guarded: false, // no ags guard entry point for this agent yet (guards issue)
  defaultArgs: ['--yolo'],
  lockdownStaging: ['.gemini/settings.json', '.gemini/GEMINI.md'],
  wire(ctx) {
    const settings = { context: { fileName: ['AGS_SANDBOX.md', 'GEMINI.md'] } };
    return {
      args: [],
      env: { GEMINI_CLI_SYSTEM_SETTINGS_PATH: `${ctx.sessionDir}/gemini-system-settings.json` },
      files: [
        { name: 'AGS_SANDBOX.md', content: ctx.hint },
        { name: 'gemini-system-settings.json', content: `${JSON.stringify(settings, null, 2)}\n` },
      ],
      homeFiles: [{ file: 'AGS_SANDBOX.md', target: '.gemini/AGS_SANDBOX.md' }],
    };
  },
};
