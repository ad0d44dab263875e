import { availableParallelism } from 'node:os';
import type { Config } from '../config/index.js';
import { RuntimeError } from '../errors.js';
import type { CgroupFacts } from '../host/cgroups.js';
import { type HardeningSettings, limitsRefusal, sizeBytes } from '../plan/hardening.js';
import { type RequestedLimits, decideLimits } from '../plan/limits.js';

/** The home's cache directories a lockdown run gets as tmpfs (XDG caches, npm's): nothing there outlives it. */
export const LOCKDOWN_HOME_CACHES = ['~/.cache', '~/.npm'];

const SOURCE = '[lockdown]';

/** The lower of two optional values, by `key`. */
function lower<T>(a: T | undefined, b: T, key: (v: T) => number): T {
  return a !== undefined && key(a) < key(b) ? a : b;
}

/**
 * The hardening a lockdown run gets, from `[lockdown]` (and `[runtime]`, whose limits apply when they are
 * lower): a read-only root, size-limited tmpfs for /tmp, /var/tmp, /run and the home's caches, no nested
 * user namespaces, and memory, cpu and pids limits. `refusal` is set when the host cannot enforce a limit and
 * `require_limits` is true: one line saying which, why and the fix. `cpus` is at most the host's CPUs (more is
 * no limit, and an engine may refuse it). Pure but for the default of `hostCpus`.
 */
export function lockdownHardening(
  config: Pick<Config, 'lockdown' | 'runtime'>,
  cgroups: CgroupFacts,
  hostCpus: number = availableParallelism(),
): { hardening: HardeningSettings; refusal?: string } {
  const l = config.lockdown;
  const r = config.runtime;
  const limits: RequestedLimits = {
    pidsLimit: Math.min(l.pids_limit, r.pids_limit),
    memory: lower(r.memory, l.memory, sizeBytes),
    cpus: Math.min(
      lower(r.cpus, l.cpus, (c) => c),
      hostCpus,
    ),
  };
  const hardening: HardeningSettings = {
    readOnlyRoot: true,
    tmpfs: [
      { path: '/tmp', size: l.tmp_size, access: 'sticky' },
      { path: '/var/tmp', size: l.var_tmp_size, access: 'sticky' },
      { path: '/run', size: l.run_size, access: 'system' },
      ...LOCKDOWN_HOME_CACHES.map((path) => ({ path, size: l.cache_size, access: 'private' as const })),
    ],
    nestedUserNamespaces: false,
    limits,
    requireLimits: l.require_limits,
    source: SOURCE,
  };
  const refusal = l.require_limits
    ? limitsRefusal(decideLimits(limits, cgroups).unenforced, cgroups, SOURCE)
    : null;
  return refusal ? { hardening, refusal } : { hardening };
}

/** lockdownHardening for a run: its hardening, or the refusal as the run's error (exit 1). */
export function requireLockdownHardening(
  config: Pick<Config, 'lockdown' | 'runtime'>,
  cgroups: CgroupFacts,
  hostCpus: number = availableParallelism(),
): HardeningSettings {
  const { hardening, refusal } = lockdownHardening(config, cgroups, hostCpus);
  if (refusal) throw new RuntimeError(refusal);
  return hardening;
}
