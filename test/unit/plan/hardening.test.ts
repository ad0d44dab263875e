import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../agents/index.js';
import type { CgroupFacts } from '../../../src/host/cgroups.js';
import { buildLaunchPlan } from '../../../src/plan/build.js';
import {
  type HardeningSettings,
  limitsRefusal,
  planHardening,
  sizeBytes,
} from '../../../src/plan/hardening.js';
import { podmanRunArgv } from '../../../src/runtime/podman/argv.js';
import { mountsNeedingPoints } from '../../../src/session/mountpoints.js';
import { host, request, settings } from './fixtures.js';

const hardening: HardeningSettings = {
  readOnlyRoot: true,
  tmpfs: [
    { path: '/tmp', size: '512m', access: 'sticky' },
    { path: '/run', size: '16m', access: 'system' },
    { path: '~/.cache', size: '1g', access: 'private' },
  ],
  nestedUserNamespaces: false,
  limits: { pidsLimit: 1024, memory: '4g', cpus: 2 },
  requireLimits: true,
  source: '[lockdown]',
};

const v1Rootless: CgroupFacts = { version: 'v1', rootless: true, controllers: ['pids', 'memory', 'cpu'] };

describe('planHardening', () => {
  it('resolves home paths against the home and keeps the rest as given', () => {
    expect(planHardening(hardening, '/home/u', ['/home/u', '/home/u/src/app'])).toEqual({
      readOnlyRoot: true,
      tmpfs: [
        { target: '/tmp', size: '512m', access: 'sticky', why: '[lockdown] tmpfs' },
        { target: '/run', size: '16m', access: 'system', why: '[lockdown] tmpfs' },
        { target: '/home/u/.cache', size: '1g', access: 'private', why: '[lockdown] tmpfs' },
      ],
      nestedUserNamespaces: false,
    });
  });

  it('leaves out a tmpfs at or inside another mount (a workspace that is /tmp), never over it', () => {
    const h = planHardening(hardening, '/home/u', ['/home/u', '/tmp']);
    expect(h.tmpfs.map((t) => t.target)).toEqual(['/run', '/home/u/.cache']);
    const inside = planHardening(hardening, '/home/u', ['/home/u', '/home/u/.cache']);
    expect(inside.tmpfs.map((t) => t.target)).toEqual(['/tmp', '/run']);
  });

  it('refuses a size the kernel cannot read', () => {
    const bad = { ...hardening, tmpfs: [{ path: '/tmp', size: '1.5g', access: 'sticky' as const }] };
    expect(() => planHardening(bad, '/home/u', [])).toThrow(
      '[lockdown]: tmpfs size "1.5g" for /tmp is not a size the kernel reads',
    );
  });
});

describe('sizeBytes', () => {
  it('reads sizes as podman does (1024-based units)', () => {
    expect([sizeBytes('512'), sizeBytes('1k'), sizeBytes('4g'), sizeBytes('1.5M')]).toEqual([
      512,
      1024,
      4 * 1024 ** 3,
      1.5 * 1024 ** 2,
    ]);
    expect(() => sizeBytes('lots')).toThrow('"lots" is not a size');
  });
});

describe('limitsRefusal', () => {
  const all = [
    {
      setting: 'pids_limit' as const,
      value: '1024',
      reason: 'rootless podman cannot enforce resource limits on cgroup v1',
    },
    {
      setting: 'memory' as const,
      value: '4g',
      reason: 'rootless podman cannot enforce resource limits on cgroup v1',
    },
  ];

  it('says which limits, why, and both ways out, on one line', () => {
    expect(limitsRefusal(all, v1Rootless, '[lockdown]')).toBe(
      '[lockdown] cannot enforce pids_limit = 1024, memory = 4g on this host (rootless podman cannot enforce resource limits on cgroup v1): ' +
        'set [lockdown] require_limits = false to run without them, or boot the host with cgroup v2 (systemd.unified_cgroup_hierarchy=1) and delegate the pids memory controllers to your user',
    );
  });

  it('names the delegation fix on cgroup v2', () => {
    const memory = [
      {
        setting: 'memory' as const,
        value: '4g',
        reason: 'the memory controller is not delegated to this user (cgroup v2)',
      },
    ];
    expect(
      limitsRefusal(memory, { version: 'v2', rootless: true, controllers: ['pids'] }, '[lockdown]'),
    ).toBe(
      '[lockdown] cannot enforce memory = 4g on this host (the memory controller is not delegated to this user (cgroup v2)): ' +
        'set [lockdown] require_limits = false to run without it, or delegate the memory controllers to your user (systemd: a user@.service.d drop-in with Delegate=memory)',
    );
    expect(limitsRefusal([], v1Rootless, '[lockdown]')).toBeNull();
  });
});

describe('a hardened plan', () => {
  const hardened = { ...settings, hardening };

  it('carries the hardening, and its limits in place of [runtime]’s', () => {
    const plan = buildLaunchPlan(request, hardened, host, ADAPTERS.shell);
    expect(plan.hardening?.tmpfs.map((t) => t.target)).toEqual(['/tmp', '/run', '/home/u/.cache']);
    expect(plan.security).toMatchObject({ pidsLimit: 1024, memory: '4g', cpus: 2, unenforcedLimits: [] });
    expect(buildLaunchPlan(request, settings, host, ADAPTERS.shell).hardening).toBeUndefined();
  });

  it('renders for podman: read-only root without podman’s own tmpfs, each tmpfs sized, the no-userns profile', () => {
    const argv = podmanRunArgv(buildLaunchPlan(request, hardened, host, ADAPTERS.shell));
    const picked = argv.filter((a) =>
      /^--(read-only|mount=type=tmpfs|security-opt=seccomp|pids-limit|memory|cpus)/.test(a),
    );
    expect(picked).toEqual([
      '--security-opt=seccomp=/run/user/1000/ags/seccomp-1-2049-77-16401-1668211200000-no-userns.json',
      '--pids-limit=1024',
      '--memory=4g',
      '--cpus=2',
      '--read-only',
      '--read-only-tmpfs=false',
      '--mount=type=tmpfs,"target=/tmp",tmpfs-size=512m,tmpfs-mode=1777,nosuid,nodev,notmpcopyup',
      '--mount=type=tmpfs,"target=/run",tmpfs-size=16m,tmpfs-mode=0755,nosuid,nodev,notmpcopyup',
      '--mount=type=tmpfs,"target=/home/u/.cache",tmpfs-size=1g,tmpfs-mode=0700,U=true,nosuid,nodev,notmpcopyup',
    ]);
    const plain = podmanRunArgv(buildLaunchPlan(request, settings, host, ADAPTERS.shell));
    expect(plain.filter((a) => /^--(read-only|mount=type=tmpfs)/.test(a))).toEqual([]);
    expect(plain).toContain(`--security-opt=seccomp=${host.seccompProfile}`);
  });

  it('refuses to plan when a required limit cannot be enforced; without require_limits it warns about each', () => {
    const v1 = { ...host, cgroups: v1Rootless };
    expect(() => buildLaunchPlan(request, hardened, v1, ADAPTERS.shell)).toThrow(
      /^\[lockdown\] cannot enforce pids_limit = 1024, memory = 4g, cpus = 2 on this host/,
    );
    const lax = { ...settings, hardening: { ...hardening, requireLimits: false } };
    const plan = buildLaunchPlan(request, lax, v1, ADAPTERS.shell);
    expect(plan.security.unenforcedLimits.map((u) => u.setting)).toEqual(['pids_limit', 'memory', 'cpus']);
    expect(plan.warnings.filter((w) => w.startsWith('[lockdown]'))).toEqual([
      '[lockdown] pids_limit = 1024 is not applied on this host (rootless podman cannot enforce resource limits on cgroup v1)',
      '[lockdown] memory = 4g is not applied on this host (rootless podman cannot enforce resource limits on cgroup v1)',
      '[lockdown] cpus = 2 is not applied on this host (rootless podman cannot enforce resource limits on cgroup v1)',
    ]);
  });

  it('gives the home’s tmpfs a mount point in the home, made by ags (not by the runtime as a subordinate uid)', () => {
    const plan = buildLaunchPlan(request, hardened, host, ADAPTERS.shell);
    const targets = mountsNeedingPoints(plan).map((m) => m.target);
    expect(targets.slice(0, plan.mounts.length)).toEqual(plan.mounts.map((m) => m.target));
    expect(targets.slice(plan.mounts.length)).toEqual(['/tmp', '/run', '/home/u/.cache']);
  });
});
