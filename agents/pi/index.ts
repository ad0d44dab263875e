import type { AgentAdapter } from '../types.js';

/** pi: hint by --append-system-prompt. */
export const pi: AgentAdapter = {
  name: 'pi',
  title: 'pi coding agent',
  command: 'pi',
  npmPackage: '@earendil-works/pi-coding-agent',
  homePaths: [{ path: '.pi', kind: 'dir' }],
  env: {},
  guarded: false, // no ags guard entry point for this agent yet (guards issue)
  defaultArgs: [],
  lockdownStaging: ['.pi/agent/settings.json', '.pi/agent/models.json'],
  wire(ctx) {
    return { args: ['--append-system-prompt', ctx.hint], env: {}, files: [] };
  },
};
