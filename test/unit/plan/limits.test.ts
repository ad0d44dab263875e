import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../agents/index.js';
import type { CgroupFacts } from '../../../src/host/cgroups.js';
import { buildLaunchPlan } from '../../../src/plan/build.js';
import type { HostFacts, RunRequest, RunSettings } from '../../../src/plan/inputs.js';
import { decideLimits } from '../../../src/plan/limits.js';
import { podmanRunArgv } from '../../../src/runtime/podman/argv.js';

const all = { pidsLimit: 4096, memory: '8g', cpus: 2.5 };
const v1Rootless: CgroupFacts = { version: 'v1', rootless: true, controllers: ['pids', 'memory', 'cpu'] };

describe('decideLimits', () => {
  it('drops every limit on a rootless cgroup v1 host (podman would ignore them), saying why', () => {
    const d = decideLimits(all, v1Rootless);
    expect(d.applied).toEqual({});
    expect(d.unenforced).toEqual([
      {
        setting: 'pids_limit',
        value: '4096',
        reason: 'rootless podman cannot enforce resource limits on cgroup v1',
      },
      {
        setting: 'memory',
        value: '8g',
        reason: 'rootless podman cannot enforce resource limits on cgroup v1',
      },
      {
        setting: 'cpus',
        value: '2.5',
        reason: 'rootless podman cannot enforce resource limits on cgroup v1',
      },
    ]);
  });

  it('keeps on cgroup v1 as root the limits whose controller is mounted', () => {
    const d = decideLimits(all, { version: 'v1', rootless: false, controllers: ['pids', 'memory'] });
    expect(d.applied).toEqual({ pidsLimit: 4096, memory: '8g' });
    expect(d.unenforced).toEqual([
      { setting: 'cpus', value: '2.5', reason: 'the cpu cgroup controller is not mounted' },
    ]);
  });

  it('on cgroup v2 keeps exactly the limits whose controller is delegated to the user', () => {
    const d = decideLimits(all, { version: 'v2', rootless: true, controllers: ['memory', 'pids'] });
    expect(d.applied).toEqual({ pidsLimit: 4096, memory: '8g' });
    expect(d.unenforced).toEqual([
      {
        setting: 'cpus',
        value: '2.5',
        reason: 'the cpu controller is not delegated to this user (cgroup v2)',
      },
    ]);
    const full = decideLimits(all, { version: 'v2', rootless: true, controllers: ['cpu', 'memory', 'pids'] });
    expect(full).toEqual({ applied: all, unenforced: [] });
    const none = decideLimits({ pidsLimit: 10 }, { version: 'v2', rootless: true, controllers: [] });
    expect(none.unenforced.map((u) => u.setting)).toEqual(['pids_limit']);
  });

  it('keeps every limit when the cgroup layout is unknown (podman decides)', () => {
    expect(decideLimits(all, { version: 'unknown', rootless: true })).toEqual({
      applied: all,
      unenforced: [],
    });
  });

  it('asks nothing for limits that are not configured', () => {
    expect(decideLimits({ pidsLimit: 100 }, v1Rootless).unenforced).toHaveLength(1);
  });
});

describe('limits in the plan and the podman command', () => {
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
    secretEnvFile: '/run/user/1000/ags/session-7/secrets/env',
    seccompProfile: '/run/user/1000/ags/seccomp-1-2-3-4-5.json',
    hostServicesAddress: 'host.containers.internal',
    sandboxBundleDir: null,
    nonce: 'n',
    agentCommandAt: 'unknown',
    cgroups: v1Rootless,
  };
  const settings: RunSettings = {
    image: 'localhost/ags:latest',
    network: { mode: 'none' },
    runtime: { init: true, pidsLimit: 4096, memory: '8g', cpus: 2 },
    agentHome: '/home/u/.local/share/ags/homes/shell',
    toolsDir: '/home/u/.local/share/ags/tools',
    mounts: [],
    passthroughEnv: [],
    secretNames: [],
    agent: { args: [], env: {}, hostHome: false },
    guard: false,
    guardPolicy: { extraRules: [], allow: [], sensitivePaths: [], lockdown: false },
  };
  const request: RunRequest = {
    agent: 'shell',
    addDirs: [],
    defaults: false,
    tmux: false,
    root: false,
    yolo: false,
    dryRun: false,
    agentArgs: [],
  };

  it('on a rootless cgroup v1 host: no limit flags, the plan lists them as not applied, user-set ones warn', () => {
    const plan = buildLaunchPlan(request, settings, host, ADAPTERS.shell);
    const argv = podmanRunArgv(plan);
    expect(argv.filter((a) => /^--(pids-limit|memory|cpus)/.test(a))).toEqual([]);
    expect(plan.security.unenforcedLimits.map((u) => `${u.setting}=${u.value}`)).toEqual([
      'pids_limit=4096',
      'memory=8g',
      'cpus=2',
    ]);
    // the default pids_limit is not worth a line on every run; limits the user set are
    expect(plan.warnings).toEqual([
      '[runtime] memory = 8g is not applied on this host (rootless podman cannot enforce resource limits on cgroup v1)',
      '[runtime] cpus = 2 is not applied on this host (rootless podman cannot enforce resource limits on cgroup v1)',
    ]);
  });

  it('on a host that enforces them: every limit flag, nothing unenforced', () => {
    const plan = buildLaunchPlan(
      request,
      settings,
      { ...host, cgroups: { version: 'v2', rootless: true, controllers: ['cpu', 'memory', 'pids'] } },
      ADAPTERS.shell,
    );
    expect(podmanRunArgv(plan)).toEqual(
      expect.arrayContaining(['--pids-limit=4096', '--memory=8g', '--cpus=2']),
    );
    expect(plan.security.unenforcedLimits).toEqual([]);
    expect(plan.warnings).toEqual([]);
  });

  it('[runtime] init = false leaves --init out; the default keeps it', () => {
    const on = podmanRunArgv(buildLaunchPlan(request, settings, host, ADAPTERS.shell));
    expect(on.slice(0, 5)).toEqual(['run', '--rm', '--log-driver=none', '--init', '-i']);
    const off = podmanRunArgv(
      buildLaunchPlan(
        request,
        { ...settings, runtime: { ...settings.runtime, init: false } },
        host,
        ADAPTERS.shell,
      ),
    );
    expect(off.slice(0, 4)).toEqual(['run', '--rm', '--log-driver=none', '-i']);
    expect(off).not.toContain('--init');
  });
});
