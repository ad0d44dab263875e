import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../agents/index.js';
import { ConfigError } from '../../../src/errors.js';
import { buildLaunchPlan } from '../../../src/plan/build.js';
import type { HostFacts, RunRequest, RunSettings } from '../../../src/plan/inputs.js';
import { reservedCollision, reservedContainerPaths } from '../../../src/plan/reserved.js';

const host: HostFacts = {
  uid: 1000,
  gid: 1000,
  home: '/home/u',
  cwd: '/home/u/src/app',
  workdir: '/home/u/src/app',
  pid: 7,
  stdinTTY: false,
  stdoutTTY: false,
  env: {},
  sessionDir: '/run/user/1000/ags/session-7/public',
  sandboxBundleDir: '/pkg/dist/sandbox',
  nonce: 'n',
  agentCommandAt: 'unknown',
  secretEnvFile: '/run/user/1000/ags/session-7/secrets/env',
  seccompProfile: '/run/user/1000/ags/seccomp.json',
  hostServicesAddress: 'host.containers.internal',
  cgroups: { version: 'v2', rootless: true, controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'] },
};

const settings: RunSettings = {
  image: 'localhost/ags:latest',
  network: { mode: 'none' },
  runtime: { init: true, pidsLimit: 4096 },
  agentHome: '/home/u/.local/share/ags/homes/gemini',
  toolsDir: '/home/u/.local/share/ags/tools',
  mounts: [],
  passthroughEnv: [],
  secretNames: [],
  agent: { args: [], env: {}, hostHome: false },
  guard: true,
  guardPolicy: { extraRules: [], allow: [], sensitivePaths: [], lockdown: false },
};

const request: RunRequest = {
  agent: 'gemini',
  addDirs: [],
  defaults: false,
  tmux: false,
  root: false,
  yolo: false,
  dryRun: false,
  agentArgs: [],
};

const plan =
  (over: { settings?: Partial<RunSettings>; request?: Partial<RunRequest>; host?: Partial<HostFacts> }) =>
  () =>
    buildLaunchPlan(
      { ...request, ...over.request },
      { ...settings, ...over.settings },
      { ...host, ...over.host },
      ADAPTERS.gemini,
    );

const mountAt = (container: string) => ({
  settings: { mounts: [{ host: '/srv/evil', container, mode: 'ro' as const }] },
});

describe("ags's reserved container paths", () => {
  const reserved = reservedContainerPaths('/home/u', Object.values(ADAPTERS));

  it('collide when a path is one, lies inside one or contains one; the sandbox home only may hold mounts', () => {
    expect(reservedCollision('/run/ags', reserved)).toMatch(/^is \/run\/ags \(ags's session files/);
    expect(reservedCollision('/run/ags/guard-policy.json', reserved)).toMatch(/^is inside \/run\/ags /);
    expect(reservedCollision('/run', reserved)).toMatch(/^contains \/run\/ags /);
    expect(reservedCollision('/run/ags-ssh/agent.sock', reserved)).toMatch(/^is inside \/run\/ags-ssh /);
    expect(reservedCollision('/run/ags-secrets', reserved)).toMatch(
      /^is \/run\/ags-secrets \(ags's secrets file\)/,
    );
    expect(reservedCollision('/opt/ags/tools/bin/claude', reserved)).toMatch(/^is inside \/opt\/ags /);
    expect(reservedCollision('/etc/gemini-cli/settings.json', reserved)).toMatch(
      /Gemini CLI's system-wide settings/,
    );
    expect(reservedCollision('/etc/claude-code/managed-settings.json', reserved)).toMatch(/Claude Code/);
    expect(reservedCollision('/home/u', reserved)).toMatch(/^is \/home\/u \(the sandbox home\)/);
    expect(reservedCollision('/home', reserved)).toMatch(/^contains \/home\/u/);
    expect(reservedCollision('/home/u/.gemini', reserved)).toMatch(
      /^contains \/home\/u\/\.gemini\/extensions\/ags-sandbox/,
    );
    // what the guard hooks run with: a [[tool]] named node may not replace it
    expect(reservedCollision('/usr/local/bin/node', reserved)).toMatch(/what the guard hooks run with/);
    expect(reservedCollision('/usr/bin/env', reserved)).toMatch(/what the guard hooks run with/);
    expect(reservedCollision('/usr/local/bin', reserved)).toMatch(/^contains \/usr\/local\/bin\/node/);
    expect(reservedCollision('/usr/local/bin/rg', reserved)).toBeNull();
    expect(reservedCollision('/home/u/.ssh/known_hosts', reserved)).toBeNull();
    expect(reservedCollision('/run/agsx', reserved)).toBeNull();
    expect(reservedCollision('/opt/other', reserved)).toBeNull();
  });

  it('no mount from outside reaches a plan over them, whichever way it came', () => {
    for (const target of [
      '/run/ags',
      '/run/ags/guard-policy.json',
      '/opt/ags/sandbox/gemini-hook.cjs',
      '/etc/gemini-cli',
      '/home/u/.gemini/extensions/ags-sandbox/hooks/hooks.json',
      '/home/u',
      '/',
    ]) {
      expect(plan(mountAt(target)), target).toThrow(ConfigError);
    }
    expect(plan({ request: { addDirs: ['/opt/ags/x'] } })).toThrow(
      /refusing to mount \/opt\/ags\/x \(--add-dir\)/,
    );
    expect(plan({ host: { workdir: '/run/ags', cwd: '/run/ags' } })).toThrow(
      /\(workdir\) at \/run\/ags: it is \/run\/ags/,
    );
  });

  it("leaves ags's own mounts alone: host_home's ~/.gemini holds the wiring, mounted over it", () => {
    const p = plan({ settings: { agent: { args: [], env: {}, hostHome: true } } })();
    const targets = p.mounts.map((m) => m.target);
    expect(targets).toContain('/home/u/.gemini');
    expect(targets).toContain('/home/u/.gemini/extensions/ags-sandbox/hooks/hooks.json');
    expect(plan(mountAt('/home/u/.ssh/known_hosts'))).not.toThrow();
  });
});
