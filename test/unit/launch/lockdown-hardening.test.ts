import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/config/index.js';
import type { CgroupFacts } from '../../../src/host/cgroups.js';
import { lockdownHardening, requireLockdownHardening } from '../../../src/launch/lockdown-hardening.js';

const delegated: CgroupFacts = { version: 'v2', rootless: true, controllers: ['cpu', 'memory', 'pids'] };
const v1Rootless: CgroupFacts = { version: 'v1', rootless: true, controllers: ['cpu', 'memory', 'pids'] };
const config = (toml: Record<string, unknown> = {}) => ConfigSchema.parse(toml);

describe('lockdownHardening', () => {
  it('from the defaults: read-only root, sized tmpfs, no user namespaces, the [lockdown] limits', () => {
    expect(lockdownHardening(config(), delegated, 8)).toEqual({
      hardening: {
        readOnlyRoot: true,
        tmpfs: [
          { path: '/tmp', size: '512m', access: 'sticky' },
          { path: '/var/tmp', size: '256m', access: 'sticky' },
          { path: '/run', size: '16m', access: 'system' },
          { path: '~/.cache', size: '512m', access: 'private' },
          { path: '~/.npm', size: '512m', access: 'private' },
        ],
        nestedUserNamespaces: false,
        limits: { pidsLimit: 1024, memory: '4g', cpus: 2 },
        requireLimits: true,
        source: '[lockdown]',
      },
    });
  });

  it('takes the sizes and limits [lockdown] sets, and a lower [runtime] limit over it', () => {
    const h = lockdownHardening(
      config({
        lockdown: { tmp_size: '64m', cache_size: '1g', memory: '8g', cpus: 4, pids_limit: 300 },
        runtime: { memory: '1536m', cpus: 8, pids_limit: 200 },
      }),
      delegated,
      8,
    ).hardening;
    expect(h.limits).toEqual({ pidsLimit: 200, memory: '1536m', cpus: 4 });
    // never more CPUs than the host has
    expect(lockdownHardening(config(), delegated, 1).hardening.limits.cpus).toBe(1);
    expect(h.tmpfs.map((t) => `${t.path}=${t.size}`)).toEqual([
      '/tmp=64m',
      '/var/tmp=256m',
      '/run=16m',
      '~/.cache=1g',
      '~/.npm=1g',
    ]);
  });

  it('refuses, in one line, on a host that cannot enforce the limits; require_limits = false runs without', () => {
    const refused = lockdownHardening(config(), v1Rootless, 8);
    expect(refused.refusal).toBe(
      '[lockdown] cannot enforce pids_limit = 1024, memory = 4g, cpus = 2 on this host (rootless podman cannot enforce resource limits on cgroup v1): ' +
        'set [lockdown] require_limits = false to run without them, or boot the host with cgroup v2 (systemd.unified_cgroup_hierarchy=1) and delegate the pids memory cpu controllers to your user',
    );
    expect(() => requireLockdownHardening(config(), v1Rootless)).toThrow(refused.refusal!);
    const lax = lockdownHardening(config({ lockdown: { require_limits: false } }), v1Rootless);
    expect(lax.refusal).toBeUndefined();
    expect(lax.hardening.requireLimits).toBe(false);
    // only the controller missing is named
    const noMemory = lockdownHardening(config(), {
      version: 'v2',
      rootless: true,
      controllers: ['cpu', 'pids'],
    });
    expect(noMemory.refusal).toMatch(
      /^\[lockdown\] cannot enforce memory = 4g on this host \(the memory controller is not delegated/,
    );
  });

  it('rejects sizes the kernel cannot read, in the config', () => {
    const r = ConfigSchema.safeParse({ lockdown: { tmp_size: '1.5g' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe(
      'must be a whole size like "64m" or "1g" (digits and k, m or g)',
    );
  });
});
