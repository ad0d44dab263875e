import { guardEnv, type AgentAdapter } from '../types.js';

/**
 * pi: hint by --append-system-prompt; guard as an extension loaded with `-e` from the read-only bundle directory
 * (explicit `-e` extensions load without project trust and even with `--no-extensions`; nothing is written into
 * the agent's home).
 */
export const pi: AgentAdapter = {
  name: 'pi',
  title: 'pi coding agent',
  command: 'pi',
  npmPackage: '@earendil-works/pi-coding-agent',
  homePaths: [{ path: '.pi', kind: 'dir' }],
  env: {},
  reservedPaths: { home: [], system: [] },
  guarded: true,
  guardInProcess: true,
  defaultArgs: [],
  lockdownStaging: ['.pi/agent/settings.json', '.pi/agent/models.json'],
  lockdownCredentials: ['.pi/agent/auth.json'],
  wire(ctx) {
    const args = ['--append-system-prompt', ctx.hint];
    if (ctx.guard) args.push('--extension', `${ctx.sandboxBinDir}/pi-guard.mjs`);
    return { args, env: guardEnv(ctx), files: [] };
  },
};
