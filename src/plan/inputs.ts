import type { AgentName } from '../../agents/types.js';
import type { Policy } from '../../guards/engine/policy.js';
import type { BasicHostFacts } from '../host/facts.js';
import type { ProtectedEntry } from '../host/protected-facts.js';
import type { HardeningSettings } from './hardening.js';
import type { Protections } from './protected-paths.js';
import type { Network, ServiceContribution } from './types.js';

/** What the user asked for on the command line. */
export interface RunRequest {
  agent: AgentName;
  addDirs: string[];
  defaults: boolean;
  tmux: boolean;
  root: boolean;
  yolo: boolean;
  dryRun: boolean;
  /** Everything after `--`, passed to the agent unchanged. */
  agentArgs: string[];
}

/** Facts about the host, gathered once before planning (src/host/facts.ts), plus this run's paths. */
export interface HostFacts extends BasicHostFacts {
  /** This run's private directory on the host (0700); mounted read-only at SANDBOX_SESSION_DIR. */
  sessionDir: string;
  /**
   * This run's env file of secret values on the host (0600, alone in a 0700 directory); its directory is
   * mounted read-only at SANDBOX_SECRETS_DIR when the run has secrets.
   */
  secretEnvFile: string;
  /** ags's seccomp profile file (src/runtime/podman/seccomp.ts), in the private runtime dir. */
  seccompProfile: string;
  /** The built in-sandbox bundles (dist/sandbox), or null when this checkout has none. */
  sandboxBundleDir: string | null;
  /** The name under which the sandbox reaches services on the host: a fact of the backend (SandboxBackend). */
  hostServicesAddress: string;
  /** Random per run (see WireContext.nonce). */
  nonce: string;
  /**
   * For an agent whose guard runs in its own process: the host directory (0700, fresh per run) mounted read-write
   * at SANDBOX_GUARD_LOAD_DIR for the marker the guard writes on load, and the random token it must write there
   * (src/session/guard-load.ts). Absent: no load check (doctor's probe, the shell).
   */
  guardLoad?: { dir: string; token: string };
  /**
   * Where the host found the agent's command (src/host/agent-install.ts): 'tools' starts it by absolute path from
   * the read-only tools volume; 'home' from the agent-writable ~/.local/bin (said in a warning); 'unknown' when
   * the host cannot tell (image agents, a Containerfile or PATH of the user's own) leaves it to PATH.
   */
  agentCommandAt: 'tools' | 'home' | 'unknown';
  /** The agent's version in the tools volume, when it starts from there and its package says (else absent). */
  agentVersion?: string;
  /** Git config and hooks, agent project settings of the run's directories (src/host/protected-facts.ts). */
  protectedPaths?: ProtectedEntry[];
}

/** A host path mounted into the sandbox, after config expansion and existence checks. */
export interface ResolvedMount {
  host: string;
  container: string;
  mode: 'ro' | 'rw';
}

/** What makes a run a lockdown run (src/launch/lockdown.ts); absent on a normal run. */
export interface LockdownSettings {
  /** The agent's persistent sandbox home, which the staged files are read from (the agent wrote it: untrusted). */
  sourceHome: string;
  /** Home-relative files copied from it into the run's fresh home (the adapter's staging list). */
  staged: string[];
  /** What the config asks for that lockdown leaves out or overrides in this run, said in the plan and banner. */
  ignored: string[];
}

/** The settings a run needs, taken from the merged config (src/launch/run-settings.ts maps them). */
export interface RunSettings {
  image: string;
  network: Network;
  runtime: {
    /** Run a tiny init as PID 1. */
    init: boolean;
    pidsLimit: number;
    memory?: string;
    cpus?: number;
  };
  /** The agent's persistent sandbox home on the host. */
  agentHome: string;
  /** The persistent tools volume (agent CLIs installed by update-agents). */
  toolsDir: string;
  mounts: ResolvedMount[];
  /** Names of host env vars passed through (their values travel in the env file). */
  passthroughEnv: string[];
  /** Names of [[secret]] variables (values travel in the env file). */
  secretNames: string[];
  agent: { args: string[]; env: Record<string, string>; hostHome: boolean };
  guard: boolean;
  /** The guard engine's policy (written to the session dir when the guard is on). */
  guardPolicy: Policy;
  /** File name of the generated gitconfig in the session dir, when the session makes one. */
  gitconfig?: string;
  /** What this run's host services give the sandbox, in the order they start. */
  services?: ServiceContribution[];
  /** Which of those paths are kept read-only (default: all; `[sandbox] git_config`, `writable_agent_config`). */
  protections?: Protections;
  /** A hardened run (lockdown): its hardening and limits, which replace `runtime`'s limits. */
  hardening?: HardeningSettings;
  /** Present on a lockdown run: its fresh home is `agentHome`, staged from `lockdown.sourceHome`. */
  lockdown?: LockdownSettings;
}
