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
  // guards/bin/gemini-hook.ts is the BeforeTool hook, but Gemini CLI 0.61 cannot be made to run it yet: it skips a
  // system settings file that is not owned by root (ours is the user's, under keep-id), and it runs no settings
  // hooks at all in a folder it does not trust (docs/GUARDS.md, "Gemini CLI").
  guarded: false,
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
