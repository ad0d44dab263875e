import type { HostFacts, RunRequest, RunSettings } from '../../../src/plan/inputs.js';
import type { PodmanOptions } from '../../../src/runtime/podman/argv.js';

/** One host, one config and one request, shared by the plan's and the backends' tests. */
export const host: HostFacts = {
  uid: 1000,
  gid: 1000,
  home: '/home/u',
  cwd: '/home/u/src/app/lib',
  workdir: '/home/u/src/app',
  pid: 4242,
  stdinTTY: false,
  stdoutTTY: false,
  env: { TERM: 'xterm-256color', ANTHROPIC_API_KEY: 'sk-secret-value', SHELL: '/bin/zsh' },
  sessionDir: '/run/user/1000/ags/session-4242/public',
  secretEnvFile: '/run/user/1000/ags/session-4242/secrets/env',
  seccompProfile: '/run/user/1000/ags/seccomp-1-2049-77-16401-1668211200000.json',
  hostServicesAddress: 'host.containers.internal',
  sandboxBundleDir: '/opt/ags-pkg/dist/sandbox',
  nonce: 'n0nce',
  agentCommandAt: 'unknown',
  cgroups: { version: 'v2', rootless: true, controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'] },
};

export const settings: RunSettings = {
  image: 'localhost/ags:latest',
  network: { mode: 'open', hostLoopback: false },
  runtime: { init: true, pidsLimit: 4096 },
  agentHome: '/home/u/.local/share/ags/homes/shell',
  toolsDir: '/home/u/.local/share/ags/tools',
  mounts: [{ host: '/home/u/.ssh/known_hosts', container: '/home/u/.ssh/known_hosts', mode: 'ro' }],
  passthroughEnv: ['ANTHROPIC_API_KEY', 'NOT_SET_ON_HOST'],
  secretNames: ['GITHUB_TOKEN'],
  agent: { args: [], env: {}, hostHome: false },
  guard: true,
  guardPolicy: { extraRules: [], allow: [], sensitivePaths: [], lockdown: false },
  gitconfig: 'gitconfig',
};

/** `[runtime.podman]` for these tests: the backend's own options. */
export const podman: PodmanOptions = { ociRuntime: 'runc', ulimits: ['nofile=1024:1024'], extraArgs: [] };

export const request: RunRequest = {
  agent: 'shell',
  addDirs: [],
  defaults: false,
  tmux: false,
  root: false,
  yolo: false,
  dryRun: false,
  agentArgs: ['-c', 'exit 3'],
};
