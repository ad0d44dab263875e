import type { AgentAdapter } from '../types.js';

/** A plain bash in the sandbox; arguments after `--` go to bash (`-- -c 'make test'`). */
export const shell: AgentAdapter = {
  name: 'shell',
  title: 'bash shell',
  // by absolute path: the agent-writable ~/.local/bin is on PATH
  command: '/bin/bash',
  homePaths: [],
  env: {},
  reservedPaths: { home: [], system: [] },
  guarded: false,
  defaultArgs: [],
  lockdownStaging: [],
  lockdownCredentials: [],
  wire() {
    return { args: [], env: {}, files: [] };
  },
};
