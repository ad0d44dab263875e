import { hookEnv, type AgentAdapter, type SessionFile } from '../types.js';
import { sandboxNodeCommand } from '../sandbox-node.js';

/** Claude Code: hint by --append-system-prompt, guard as a PreToolUse hook passed with --settings. */
export const claude: AgentAdapter = {
  name: 'claude',
  title: 'Claude Code',
  command: 'claude',
  npmPackage: '@anthropic-ai/claude-code',
  homePaths: [
    { path: '.claude', kind: 'dir' },
    { path: '.claude.json', kind: 'file' },
  ],
  env: { DISABLE_AUTOUPDATER: '1' },
  reservedPaths: { home: [], system: ['/etc/claude-code'] },
  guarded: true,
  defaultArgs: ['--dangerously-skip-permissions'],
  lockdownStaging: ['.claude/settings.json', '.claude/CLAUDE.md'],
  lockdownCredentials: ['.claude/.credentials.json'],
  wire(ctx) {
    const args = ['--append-system-prompt', ctx.hint];
    const files: SessionFile[] = [];
    if (ctx.guard) {
      // --settings layers over the user's own settings without editing the home; hook arrays concatenate.
      const settings = {
        // flag settings outrank project settings: a repository's .claude/settings.json cannot switch hooks off
        disableAllHooks: false,
        hooks: {
          PreToolUse: [
            {
              matcher: '*',
              hooks: [
                {
                  type: 'command',
                  command: sandboxNodeCommand(`${ctx.sandboxBinDir}/claude-hook.cjs`, hookEnv(ctx)),
                  timeout: 10,
                },
              ],
            },
          ],
        },
      };
      files.push({ name: 'claude-settings.json', content: `${JSON.stringify(settings, null, 2)}\n` });
      args.push('--settings', `${ctx.sessionDir}/claude-settings.json`);
    }
    const env: Record<string, string> = ctx.guard ? { AGS_GUARD_POLICY: ctx.guardPolicyPath } : {};
    return { args, env, files };
  },
};
