import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the host's cgroups let podman enforce, read from the filesystem (no podman call):
 * - `v2`: /sys/fs/cgroup is the unified hierarchy; `controllers` are those available to this process's cgroup
 *   when rootless (what systemd delegated to the user), or at the root when run as root. podman reads the same
 *   file to decide.
 * - `v1`: legacy or hybrid hierarchy; `controllers` are the v1 hierarchies mounted (rootless podman can use none
 *   of them).
 * - `unknown`: no cgroup filesystem where podman looks.
 */
export type CgroupFacts =
  | { version: 'v1' | 'v2'; rootless: boolean; controllers: string[] }
  | { version: 'unknown'; rootless: boolean };

/** The controllers that back ags's limits: pids_limit, memory and cpus. */
const LIMIT_CONTROLLERS = ['pids', 'memory', 'cpu'];

function readWords(path: string): string[] | null {
  try {
    return readFileSync(path, 'utf8').split(/\s+/).filter(Boolean);
  } catch {
    return null;
  }
}

/** This process's cgroup v2 path (the `0::` line of /proc/self/cgroup), or null. */
export function ownCgroupV2Path(procSelfCgroup: string): string | null {
  const line = procSelfCgroup.split('\n').find((l) => l.startsWith('0::'));
  return line ? line.slice(3) : null;
}

export function readCgroupFacts(
  uid: number,
  root = '/sys/fs/cgroup',
  procSelfCgroup = '/proc/self/cgroup',
): CgroupFacts {
  const rootless = uid !== 0;
  const unified = readWords(join(root, 'cgroup.controllers'));
  if (unified) {
    if (!rootless) return { version: 'v2', rootless, controllers: unified };
    let own: string | null = null;
    try {
      own = ownCgroupV2Path(readFileSync(procSelfCgroup, 'utf8'));
    } catch {
      own = null;
    }
    const delegated = own === null ? null : readWords(join(root, own, 'cgroup.controllers'));
    return { version: 'v2', rootless, controllers: delegated ?? [] };
  }
  if (!existsSync(root)) return { version: 'unknown', rootless };
  const mounted = LIMIT_CONTROLLERS.filter((c) => existsSync(join(root, c)));
  if (mounted.length === 0 && !existsSync(join(root, 'systemd'))) return { version: 'unknown', rootless };
  return { version: 'v1', rootless, controllers: mounted };
}
