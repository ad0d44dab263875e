import type { CgroupFacts } from '../host/cgroups.js';

/** The resource limits a run asks for, as configured under [runtime]. */
export interface RequestedLimits {
  pidsLimit: number;
  memory?: string;
  cpus?: number;
}

/** A configured limit that is left out of the podman command, and why. Named by its config key. */
export interface UnenforcedLimit {
  setting: 'pids_limit' | 'memory' | 'cpus';
  value: string;
  reason: string;
}

export interface LimitDecision {
  /** The limits podman gets (only those the host can enforce). */
  applied: Partial<RequestedLimits>;
  unenforced: UnenforcedLimit[];
}

const CONTROLLER: Record<UnenforcedLimit['setting'], string> = {
  pids_limit: 'pids',
  memory: 'memory',
  cpus: 'cpu',
};

/**
 * Which configured limits this host's cgroups can enforce. podman itself ignores every limit on a rootless cgroup
 * v1 host (with a warning on each run), and a limit whose cgroup v2 controller is not delegated to the user cannot
 * be set either; those flags are left out and reported instead. Unknown cgroups keep every flag (podman decides).
 */
export function decideLimits(requested: RequestedLimits, cgroups: CgroupFacts): LimitDecision {
  const asked: [UnenforcedLimit['setting'], number | string | undefined][] = [
    ['pids_limit', requested.pidsLimit],
    ['memory', requested.memory],
    ['cpus', requested.cpus],
  ];
  const applied: Partial<RequestedLimits> = {};
  const unenforced: UnenforcedLimit[] = [];
  for (const [setting, value] of asked) {
    if (value === undefined) continue;
    const reason = whyNotEnforced(CONTROLLER[setting], cgroups);
    if (reason) {
      unenforced.push({ setting, value: String(value), reason });
      continue;
    }
    if (setting === 'pids_limit') applied.pidsLimit = value as number;
    else if (setting === 'memory') applied.memory = value as string;
    else applied.cpus = value as number;
  }
  return { applied, unenforced };
}

function whyNotEnforced(controller: string, cgroups: CgroupFacts): string | null {
  if (cgroups.version === 'unknown') return null;
  if (cgroups.version === 'v1') {
    if (cgroups.rootless) return 'rootless podman cannot enforce resource limits on cgroup v1';
    return cgroups.controllers.includes(controller)
      ? null
      : `the ${controller} cgroup controller is not mounted`;
  }
  if (cgroups.controllers.includes(controller)) return null;
  return cgroups.rootless
    ? `the ${controller} controller is not delegated to this user (cgroup v2)`
    : `the ${controller} controller is not enabled (cgroup v2)`;
}
