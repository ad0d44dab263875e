import type { AgentName, SessionFile } from '../../agents/types.js';
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
  files: SessionFile[];
}

export type NetworkMode = 'slirp4netns' | 'none';

/**
 * Everything one run will do, as plain data: built by a pure function, rendered to argv by a runtime backend,
 * printed whole by --dry-run. Secret values are never part of it, only their names.
 */
export interface LaunchPlan {
  agent: AgentName;
  image: string;
  containerName: string;
  /** The directory mounted as the workspace (the git top level, or the cwd outside a repo). */
  workdir: string;
  /** Where the agent starts (the cwd, which lies inside workdir). */
  cwd: string;
  user: 'keep-id' | 'root';
  /** Allocate a TTY: only when stdin and stdout are terminals. */
  tty: boolean;
  network: { mode: NetworkMode; allowHostLoopback: boolean };
  security: {
    capDropAll: boolean;
    noNewPrivileges: boolean;
    /** ags's seccomp profile (podman's default without AF_VSOCK sockets: src/runtime/podman/seccomp.ts). */
    seccompProfile: string;
    /** Resource limits passed to podman: only those this host's cgroups can enforce. */
    pidsLimit?: number;
    memory?: string;
    cpus?: number;
    /** Configured limits left out because this host cannot enforce them, each with the reason. */
    unenforcedLimits: UnenforcedLimit[];
  };
  /** `init`: a tiny init (podman's --init, catatonit) runs as PID 1. */
  engine: { init: boolean; ociRuntime?: string; ulimits: string[]; extraArgs: string[] };
  mounts: Mount[];
  /** Public environment, passed as -e. */
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
  /** Things the user must hear about (guards off, root, and so on). */
  warnings: string[];
  /**
   * The guard runs inside the agent (pi, opencode): the run watches `markerFile` (a host path) for `token`, which
   * the guard writes when it loads; `failClosed` refuses the run when it does not appear (src/session/guard-load.ts).
   */
  guardLoadCheck?: { markerFile: string; token: string; failClosed: boolean };
}
