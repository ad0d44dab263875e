import type { AgentAdapter } from '../types.js';

/** The name of the read-only extension ags mounts into ~/.gemini/extensions for each run. */
const EXTENSION = 'ags-sandbox';

/**
 * Gemini CLI: the hint is the context file of a small extension mounted read-only at
 * ~/.gemini/extensions/ags-sandbox; Gemini CLI loads extension context files next to the user's GEMINI.md.
 * (A system settings file naming the hint in `context.fileName` does not work rootless: Gemini CLI skips
 * system settings whose file or parent directories are not owned by root, and the session dir is the user's.)
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
    const manifest = { name: EXTENSION, version: '1.0.0', contextFileName: 'AGS_SANDBOX.md' };
    const dir = `.gemini/extensions/${EXTENSION}`;
    return {
      args: [],
      env: {},
      files: [
        { name: 'AGS_SANDBOX.md', content: ctx.hint },
        { name: 'gemini-extension.json', content: `${JSON.stringify(manifest, null, 2)}\n` },
      ],
      homeFiles: [
        { file: 'gemini-extension.json', target: `${dir}/gemini-extension.json` },
        { file: 'AGS_SANDBOX.md', target: `${dir}/AGS_SANDBOX.md` },
      ],
    };
  },
};
