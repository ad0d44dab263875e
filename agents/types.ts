import type { HookEnv } from './sandbox-node.js';
/** The agents ags knows; one folder each under agents/. */
export const AGENT_NAMES = ['claude', 'codex', 'gemini', 'opencode', 'pi', 'shell'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

/** A file ags writes into the session directory, mounted read-only at SANDBOX_SESSION_DIR. */
export interface SessionFile {
  name: string;
  content: string;
  /**
   * Must appear owned by root inside the sandbox: for agents that ignore a system config file not owned by
   * root. Under --userns=keep-id the session gives it to the subordinate id that is root in there.
   */
  ownedByRoot?: boolean;
}

/** What an adapter contributes to one run: arguments before the user's, env, and session files. */
export interface Wiring {
  args: string[];
  env: Record<string, string>;
  files: SessionFile[];
  /** Read-only single-file mounts into the agent home: session file name → home-relative target. */
  homeFiles?: Array<{ file: string; target: string }>;
  /** Read-only single-file mounts outside the home: session file name → absolute container path. */
  systemFiles?: Array<{ file: string; target: string }>;
  /** Programs the run starts in the sandbox as its root before the agent (the guard server). */
  daemons?: SandboxDaemon[];
  /**
   * Commands the sandbox runs before the agent, which must succeed for it to start (waiting for a daemon). Their
   * words are ags's own constants and plan paths, never values from a workspace.
   */
  preludes?: string[][];
}

/**
 * A program started in the sandbox as its root (uid 0 inside, a uid the agent cannot signal or trace), with the
 * capability to bind a port below 1024, once the sandbox runs and before the agent starts. `argv` exits 0 once
 * the daemon is up, or non-zero with one line on stderr, which stops the run.
 */
export interface SandboxDaemon {
  name: string;
  argv: string[];
}

export interface WireContext {
  /** The prompt-context hint text (markdown). */
  hint: string;
  /** The session directory as the container sees it (read-only). */
  sessionDir: string;
  /** The directory of the bundled in-sandbox programs, as the container sees it (read-only). */
  sandboxBinDir: string;
  /** The agent's home inside the container. */
  home: string;
  /** Whether the guard is wired (false with --yolo or [guard] enabled = false). */
  guard: boolean;
  /** Path of the guard policy JSON inside the container. */
  guardPolicyPath: string;
  /** The workspace as the container sees it (the guard protects it). */
  workspace: string;
  root: boolean;
  /** Random per run, unknown to the repository: for names a repository must not be able to refer to. */
  nonce: string;
  /** A lockdown run: the guard fails closed. */
  lockdown?: boolean;
}

/**
 * An agent adapter: mostly data (command, home paths, npm package, defaults) plus one function that says how
 * the prompt hint and the guard reach this agent.
 */
export interface AgentAdapter {
  name: AgentName;
  /** One line for --help and docs. */
  title: string;
  /** The agent's argv[0] inside the container (found on PATH). */
  command: string;
  /** The npm package `ags update-agents` installs, if the agent is installed that way. */
  npmPackage?: string;
  /** Home-relative paths holding the agent's state; `host_home = true` mounts these from the host's home. */
  homePaths: Array<{ path: string; kind: 'dir' | 'file' }>;
  /** Static env for every run (telemetry and auto-update off: the tools volume is read-only). */
  env: Record<string, string>;
  /**
   * Env that makes the agent open a browser for a login (which the auth proxy's shim turns into the host's)
   * instead of taking a headless path (a code to paste, a device code); only set when the auth proxy runs.
   */
  browserEnv?: Record<string, string>;
  /** Arguments `--defaults`/`-D` puts before the user's. */
  defaultArgs: string[];
  /** Whether the agent has a tool-call hook the guard can sit in (a plain shell has none). */
  guarded: boolean;
  /**
   * The guard runs inside the agent's own process (an extension, a plugin), so only the agent can tell whether it
   * loaded: the run checks for the marker the entry point writes on load (src/session/guard-load.ts).
   */
  guardInProcess?: boolean;
  /**
   * Container paths no configured mount may cover, replace or sit inside (src/plan/reserved.ts): where ags wires
   * its hint and guard into the agent's home (`home`, home-relative), and the agent's system-wide settings
   * directories (`system`), which outrank ags's wiring and could switch the guard off.
   */
  reservedPaths: { home: string[]; system: string[] };
  /**
   * Home-relative regular files a lockdown run copies from the persistent sandbox home into its fresh one:
   * settings the agent needs to start, never history, sessions, caches or credentials (src/session/staged-home.ts).
   */
  lockdownStaging: string[];
  /** Home-relative files holding the agent's login: staged too only with `[lockdown] copy_credentials = true`. */
  lockdownCredentials: string[];
  /**
   * The oldest version whose guard wiring fails closed (Claude Code: `onFailure` on hooks), and what an older one
   * does instead; a run of an older version from the tools volume says so.
   */
  guardNeeds?: { version: string; otherwise: string };
  /** How the hint and the guard reach the agent. */
  wire(ctx: WireContext): Wiring;
}

/** The env every guard entry point reads: the policy file (lockdown and the workspace come from the plan). */
export function guardEnv(ctx: WireContext): Record<string, string> {
  return ctx.guard ? { AGS_GUARD_POLICY: ctx.guardPolicyPath } : {};
}

/** What a command hook pins for the guard (agents/sandbox-node.ts). */
export function hookEnv(ctx: WireContext): HookEnv {
  return {
    policyPath: ctx.guardPolicyPath,
    workspace: ctx.workspace,
    home: ctx.home,
    ...(ctx.lockdown ? { lockdown: true } : {}),
  };
}
