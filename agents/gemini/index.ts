import { type AgentAdapter, type SandboxDaemon, type SessionFile, guardEnv } from '../types.js';
import { thinHookWiring } from '../guard-server.js';

/** The name of the read-only extension ags mounts into ~/.gemini/extensions for each run. */
const EXTENSION = 'ags-sandbox';

/**
 * Gemini CLI: a small extension mounted read-only at ~/.gemini/extensions/ags-sandbox carries the hint (its
 * context file, loaded next to the user's GEMINI.md) and the guard (its hooks/hooks.json: a BeforeTool command
 * hook; extension hooks run whatever the folder's trust). A system settings file would not do: Gemini CLI skips
 * system settings whose file or parent directories are not owned by root, and the session dir is the user's.
 */
export const gemini: AgentAdapter = {
  name: 'gemini',
  title: 'Gemini CLI',
  command: 'gemini',
  npmPackage: '@google/gemini-cli',
  homePaths: [{ path: '.gemini', kind: 'dir' }],
  env: {},
  // Gemini CLI opens no browser on Linux unless DISPLAY, WAYLAND_DISPLAY or MIR_SOCKET is set (it then logs in
  // by a pasted code, and its MCP OAuth fails). MIR_SOCKET is the one nothing else in a sandbox reads: a fake
  // DISPLAY would send X clients (clipboard tools) to a display that is not there.
  browserEnv: { MIR_SOCKET: '/run/ags-auth/no-display' },
  reservedPaths: { home: [`.gemini/extensions/${EXTENSION}`], system: ['/etc/gemini-cli'] },
  guarded: true,
  defaultArgs: ['--yolo'],
  lockdownStaging: ['.gemini/settings.json', '.gemini/GEMINI.md'],
  lockdownCredentials: ['.gemini/oauth_creds.json', '.gemini/google_accounts.json'],
  wire(ctx) {
    const manifest = { name: EXTENSION, version: '1.0.0', contextFileName: 'AGS_SANDBOX.md' };
    const dir = `.gemini/extensions/${EXTENSION}`;
    const files: SessionFile[] = [
      { name: 'AGS_SANDBOX.md', content: ctx.hint },
      { name: 'gemini-extension.json', content: `${JSON.stringify(manifest, null, 2)}\n` },
    ];
    const homeFiles = [
      { file: 'gemini-extension.json', target: `${dir}/gemini-extension.json` },
      { file: 'AGS_SANDBOX.md', target: `${dir}/AGS_SANDBOX.md` },
    ];
    const systemFiles: Array<{ file: string; target: string }> = [];
    const daemons: SandboxDaemon[] = [];
    if (ctx.guard) {
      // The name is random per run: hooksConfig.disabled (a union over every settings layer, the repository's
      // too) disables hooks by name, and a repository cannot name what it cannot know.
      const thin = thinHookWiring(ctx, 'gemini-hook.cjs');
      const hook = {
        type: 'command',
        name: `ags-guard-${ctx.nonce}`,
        command: thin.command,
        timeout: 10_000,
      };
      const hooks = { hooks: { BeforeTool: [{ matcher: '*', hooks: [hook] }] } };
      files.push({ name: 'gemini-hooks.json', content: `${JSON.stringify(hooks, null, 2)}\n` });
      homeFiles.push({ file: 'gemini-hooks.json', target: `${dir}/hooks/hooks.json` });
      // System settings outrank user and project settings, so a repository's hooksConfig.enabled = false loses.
      // Gemini CLI reads them only when root owns the file, hence ownedByRoot.
      files.push({
        name: 'gemini-system-settings.json',
        content: `${JSON.stringify({ hooksConfig: { enabled: true } }, null, 2)}\n`,
        ownedByRoot: true,
      });
      systemFiles.push({ file: 'gemini-system-settings.json', target: '/etc/gemini-cli/settings.json' });
      daemons.push(...thin.daemons);
    }
    return {
      args: [],
      env: guardEnv(ctx),
      files,
      homeFiles,
      systemFiles,
      ...(daemons.length ? { daemons } : {}),
    };
  },
};
