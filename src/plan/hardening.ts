import { isAbsolute, join, normalize } from 'node:path';
import { ConfigError } from '../errors.js';
import type { CgroupFacts } from '../host/cgroups.js';
import { isWithin } from '../util/paths.js';
import type { RequestedLimits, UnenforcedLimit } from './limits.js';

/**
 * A size-limited tmpfs of a hardened run: a fresh, empty, writable directory. `sticky`: mode 1777, for every
 * user (/tmp, /var/tmp); `system`: mode 0755, owned by the container's root (/run, which holds ags's own
 * mounts); `private`: mode 0700, owned by the plan's user (the home's cache dirs).
 */
export interface TmpfsMount {
  target: string;
  /** A size the engine and the kernel both read: digits and k, m or g ("512m"). */
  size: string;
  access: 'sticky' | 'system' | 'private';
  why: string;
}

/**
 * The hardening section of a LaunchPlan: what a hardened run (lockdown) adds on top of a default run's
 * security, as neutral policy. Each backend renders it its own way (Podman: --read-only, --mount type=tmpfs,
 * a seccomp profile without user namespaces); the limits of a hardened run are the plan's `security` limits.
 */
export interface Hardening {
  /** The image's filesystem is read-only; only mounts (workspace, home, tmpfs) are writable. */
  readOnlyRoot: boolean;
  tmpfs: TmpfsMount[];
  /** false: nothing in the sandbox can create a user namespace (and so none of the powers of its "root"). */
  nestedUserNamespaces: boolean;
}

/** A tmpfs as settings ask for it: an absolute container path, or one in the sandbox home ("~/.cache"). */
export interface TmpfsRequest {
  path: string;
  size: string;
  access: TmpfsMount['access'];
}

/** What RunSettings carries for a hardened run (src/launch/lockdown-hardening.ts makes it from [lockdown]). */
export interface HardeningSettings {
  readOnlyRoot: boolean;
  tmpfs: TmpfsRequest[];
  nestedUserNamespaces: boolean;
  /** The run's limits, in place of [runtime]'s. */
  limits: RequestedLimits;
  /** Refuse the run when the host cannot enforce one of `limits`. */
  requireLimits: boolean;
  /** The config table the values come from, for messages ("[lockdown]"). */
  source: string;
}

/** A tmpfs size: digits and a unit (the kernel's tmpfs reads no fractions). */
export const TMPFS_SIZE = /^[1-9]\d*[kmg]$/i;

/** Bytes of a size as podman and the config write them: digits (a fraction allowed) and b, k, m or g. */
export function sizeBytes(size: string): number {
  const m = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(size);
  if (!m) throw new ConfigError(`"${size}" is not a size`, 'write a size like "512m" or "4g"');
  const unit = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()]!;
  return Math.floor(Number(m[1]) * unit);
}

/**
 * The plan's hardening from its settings: home-relative tmpfs paths resolved against `home`. A tmpfs at or
 * inside another mount of the plan (a workspace that is /tmp, say) is left out: that directory is a host
 * directory the run mounts already, and two mounts at one target are an engine error. Pure.
 */
export function planHardening(
  settings: HardeningSettings,
  home: string,
  mountTargets: readonly string[],
): Hardening {
  const tmpfs: TmpfsMount[] = [];
  for (const t of settings.tmpfs) {
    const target = t.path.startsWith('~/') ? join(home, t.path.slice(2)) : normalize(t.path);
    if (!isAbsolute(target)) throw new ConfigError(`tmpfs path ${t.path} is not absolute`);
    if (!TMPFS_SIZE.test(t.size)) {
      throw new ConfigError(
        `${settings.source}: tmpfs size "${t.size}" for ${t.path} is not a size the kernel reads`,
        'write digits and k, m or g, for example "512m"',
      );
    }
    if (mountTargets.some((m) => m !== home && isWithin(target, m))) continue;
    tmpfs.push({
      target,
      size: t.size,
      access: t.access,
      why: `${settings.source} tmpfs`,
    });
  }
  return {
    readOnlyRoot: settings.readOnlyRoot,
    tmpfs,
    nestedUserNamespaces: settings.nestedUserNamespaces,
  };
}

/** The fix for limits this host cannot enforce, for the cgroup setup it has. */
function limitsFix(cgroups: CgroupFacts, controllers: string[]): string {
  const list = controllers.join(' ');
  if (cgroups.version === 'v1') {
    return cgroups.rootless
      ? `boot the host with cgroup v2 (systemd.unified_cgroup_hierarchy=1) and delegate the ${list} controllers to your user`
      : `mount the ${list} cgroup controllers`;
  }
  return cgroups.rootless
    ? `delegate the ${list} controllers to your user (systemd: a user@.service.d drop-in with Delegate=${list})`
    : `enable the ${list} controllers in /sys/fs/cgroup/cgroup.subtree_control`;
}

const CONTROLLER: Record<UnenforcedLimit['setting'], string> = {
  pids_limit: 'pids',
  memory: 'memory',
  cpus: 'cpu',
};

/**
 * One line refusing a run that requires limits this host cannot enforce: which, why, and the two ways out.
 * Null when every limit is enforced.
 */
export function limitsRefusal(
  unenforced: readonly UnenforcedLimit[],
  cgroups: CgroupFacts,
  source: string,
): string | null {
  if (unenforced.length === 0) return null;
  const which = unenforced.map((u) => `${u.setting} = ${u.value}`).join(', ');
  const why = [...new Set(unenforced.map((u) => u.reason))].join('; ');
  const controllers = unenforced.map((u) => CONTROLLER[u.setting]);
  const them = unenforced.length === 1 ? 'it' : 'them';
  return (
    `${source} cannot enforce ${which} on this host (${why}): ` +
    `set ${source} require_limits = false to run without ${them}, or ${limitsFix(cgroups, controllers)}`
  );
}
