import type { AgentAdapter, SessionFile, Wiring } from '../types.js';
import {
  GUARD_SERVER_HOOK_URL,
  GUARD_SERVER_URL_PATTERN,
  guardServerDaemon,
  guardServerWait,
} from '../guard-server.js';

/**
 * Claude Code: hint by --append-system-prompt, guard as a PreToolUse http hook passed with --settings, answered by
 * the session's guard server (../guard-server.ts).
 */
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
  guardNeeds: {
    version: '2.1.295',
    otherwise:
      "it ignores the hook's onFailure, so tool calls go through unchecked if the guard server stops answering",
  },
  wire(ctx) {
    const args = ['--append-system-prompt', ctx.hint];
    const files: SessionFile[] = [];
    const extra: Pick<Wiring, 'daemons' | 'preludes'> = {};
    if (ctx.guard) {
      // --settings layers over the user's own settings without editing the home; hook arrays concatenate.
      const settings = {
        // flag settings outrank project settings: a repository's .claude/settings.json cannot switch hooks off
        disableAllHooks: false,
        // a list in any settings file restricts http hooks (an empty one in a repository's settings would make
        // every call fail, and so block); lists merge, so this entry keeps the guard's own URL allowed
        allowedHttpHookUrls: [GUARD_SERVER_URL_PATTERN],
        hooks: {
          PreToolUse: [
            {
              matcher: '*',
              hooks: [
                {
                  type: 'http',
                  url: GUARD_SERVER_HOOK_URL,
                  timeout: 10,
                  // without it a hook that cannot be reached, fails or times out lets the call through
                  onFailure: 'block',
                },
              ],
            },
          ],
        },
      };
      files.push({ name: 'claude-settings.json', content: `${JSON.stringify(settings, null, 2)}\n` });
      args.push('--settings', `${ctx.sessionDir}/claude-settings.json`);
      extra.daemons = [guardServerDaemon(ctx)];
      extra.preludes = [guardServerWait(ctx)];
    }
    const env: Record<string, string> = ctx.guard ? { AGS_GUARD_POLICY: ctx.guardPolicyPath } : {};
    return { args, env, files, ...extra };
  },
};
