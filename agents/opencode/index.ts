import { guardEnv, type AgentAdapter } from '../types.js';

/**
 * opencode: the hint is an extra instructions file, and the guard a plugin (`tool.execute.before` throws to
 * veto) loaded from the read-only bundle directory by file URL; both through OPENCODE_CONFIG_CONTENT, which
 * opencode merges over the user's config (plugin lists concatenate), so the user's files are never edited.
 */
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
  reservedPaths: { home: [], system: ['/etc/opencode'] },
  guarded: true,
  guardInProcess: true,
  defaultArgs: [],
  lockdownStaging: ['.config/opencode/opencode.json', '.config/opencode/AGENTS.md'],
  lockdownCredentials: ['.local/share/opencode/auth.json'],
  wire(ctx) {
    const config: Record<string, unknown> = { instructions: [`${ctx.sessionDir}/AGS_SANDBOX.md`] };
    if (ctx.guard) config.plugin = [`file://${ctx.sandboxBinDir}/opencode-guard.mjs`];
    return {
      args: [],
      env: {
        OPENCODE_CONFIG_CONTENT: JSON.stringify(config),
        ...guardEnv(ctx),
      },
      files: [{ name: 'AGS_SANDBOX.md', content: ctx.hint }],
    };
  },
};
