import type { AgentName, SandboxDaemon, SessionFile } from '../../agents/types.js';
import type { Hardening } from './hardening.js';
import type { UnenforcedLimit } from './limits.js';

/** One bind mount: a host path at a container path. */
export interface Mount {
  source: string;
  target: string;
  mode: 'ro' | 'rw';
  /** Why it is there, for --dry-run readers: 'workdir', 'home', 'add-dir', 'config', 'tools', 'guard', ... */
  why: string;
  /** Listed in the prompt hint as a host path the agent can see. */
  showInHint: boolean;
  /**
   * What ags writes into the file it makes on the host as this mount's mount point, when it must make one (else
   * the point is empty). The host sees it while the run lasts: `.git/commondir` must read ".", since git on the
   * host refuses an empty one.
   */
  pointContent?: string;
}

/**
 * What a host service (src/launch/services/) gives the sandbox: mounts (its socket, say), public env and session
 * files. Plain data, known before the service starts, so --dry-run shows it.
 */
export interface ServiceContribution {
  /** The service's name, shown as the reason of its mounts. */
  service: string;
  mounts: { source: string; target: string; mode: 'ro' | 'rw' }[];
  env: Record<string, string>;
  /** Container directories put before the rest of PATH (the auth proxy's browser commands). */
  pathDirs?: string[];
  /**
   * A command the sandbox runs before the agent, which must succeed for the agent to start (the egress
   * forwarder). Its words are ags's own constants, never values from a workspace.
   */
  prelude?: string[];
  files: SessionFile[];
}

/**
 * The sandbox's network: none at all; open outbound (with or without the host's loopback services); or only
 * through a proxy socket ags serves on the host (typed for the egress proxy, not used yet).
 */
export type Network =
  | { mode: 'none' }
  | { mode: 'open'; hostLoopback: boolean }
  | { mode: 'proxied'; socket: string; allow: string[]; hostLoopback: boolean };

/**
 * Everything one run will do, as plain data: built by a pure function, rendered by a sandbox backend
 * (src/runtime/), printed whole by --dry-run. Neutral: nothing in it is one backend's flag. Secret values are
 * never part of it, only their names.
 */
export interface LaunchPlan {
  agent: AgentName;
  image: string;
  containerName: string;
  /** The directory mounted as the workspace (the git top level, or the cwd outside a repo). */
  workdir: string;
  /** Where the agent starts (the cwd, which lies inside workdir). */
  cwd: string;
  /** `invoker`: the user who ran ags, with the same uid and gid inside; `root`: uid 0 inside (--root). */
  user: 'invoker' | 'root';
  /** Allocate a TTY: only when stdin and stdout are terminals. */
  tty: boolean;
  network: Network;
  /** A tiny init runs as PID 1 (forwards signals, reaps zombies). */
  init: boolean;
  security: {
    capDropAll: boolean;
    noNewPrivileges: boolean;
    /** ags's seccomp profile, an OCI seccomp file (for Podman: src/runtime/podman/seccomp.ts). */
    seccompProfile: string;
    /** Resource limits the sandbox gets: only those this host's cgroups can enforce. */
    pidsLimit?: number;
    memory?: string;
    cpus?: number;
    /** Configured limits left out because this host cannot enforce them, each with the reason. */
    unenforcedLimits: UnenforcedLimit[];
  };
  mounts: Mount[];
  /**
   * What a hardened run (lockdown) adds: a read-only root, size-limited tmpfs, no nested user namespaces
   * (src/plan/hardening.ts). Absent in a default run.
   */
  hardening?: Hardening;
  /** Public environment. */
  env: Record<string, string>;
  /**
   * Names of variables whose values travel only in the 0600 env file (secrets and passthrough_env), which the
   * sandbox entry exports before it execs the agent.
   */
  secretEnv: string[];
  /** Files the session writes to the session dir, mounted read-only. */
  sessionFiles: SessionFile[];
  /** The command inside the container: agent argv, possibly wrapped in tmux, behind the entry with secrets. */
  command: string[];
  /**
   * Programs started in the sandbox as its root once it runs, before the agent (Claude Code's guard server); the
   * command's preludes wait for them. The backend keeps unprivileged processes off ports below 1024 for them.
   */
  daemons?: SandboxDaemon[];
  /** Things the user must hear about (guards off, root, and so on). */
  warnings: string[];
  /**
   * The guard runs inside the agent (pi, opencode): the run watches `markerFile` (a host path) for `token`, which
   * the guard writes when it loads; `failClosed` refuses the run when it does not appear (src/session/guard-load.ts).
   */
  guardLoadCheck?: { markerFile: string; token: string; failClosed: boolean };
  /**
   * A lockdown run: its home is a fresh directory (the 'sandbox home' mount) staged from `sourceHome` with the
   * files `staged` lists (those that exist), and what the config asked for that lockdown left out. Its hardening
   * is `hardening`, its limits `security`.
   */
  lockdown?: {
    home: string;
    sourceHome: string;
    staged: string[];
    ignored: string[];
  };
}
