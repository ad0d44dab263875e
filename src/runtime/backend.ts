import type { AgsError } from '../errors.js';
import type { SandboxDaemon } from '../../agents/types.js';
import type { LaunchPlan } from '../plan/types.js';
import type { Teardown } from '../session/signals.js';
import type { TerminalHandoff } from '../session/terminal-handoff.js';

/** This run's files the backend reads or writes (they live in the session dir). */
export interface RunFiles {
  /** Where the backend writes the sandbox's id once it has created it. */
  cidFile?: string;
  /** Where the sandbox's first pid is written once that process exists (how a start failure is told apart). */
  pidFile?: string;
  /** Labels naming the owning ags process, so a sandbox that outlives it is found and removed. */
  labels?: Record<string, string>;
}

/** How a sandbox ended: its exit status, or 128+n when ags stopped it after signal n. */
export interface RunOutcome {
  status: number;
  signalled: boolean;
}

/** Building the sandbox image. */
export interface ImageBuild {
  image: string;
  containerfile: string;
  /** Overrides the Containerfile's ARG BASE_IMAGE when set. */
  baseImage?: string;
}

/** Installing agent CLIs into the tools volume, in a sandbox of the image. */
export interface AgentInstall {
  image: string;
  toolsDir: string;
  npmCacheDir: string;
  packages: string[];
  /** The host's npm registry and CA bundle, so installs work behind the same proxies the host uses. */
  registry?: string;
  caFile?: string;
}

/** The security profile file a backend derives for the host, found before planning and written before a run. */
export interface SeccompFile {
  path: string;
  /** Writes the file when it is missing or stale (not needed for --dry-run). */
  ensure(): void;
}

export interface RunOptions {
  /** Told which process holds the terminal while the sandbox runs attached to it. */
  terminal?: TerminalHandoff;
  /**
   * A host command (argv) to run once the sandbox is gone, should ags itself be killed outright while it runs
   * (no handler of ags's own runs then): the rest of the run's teardown.
   */
  afterKill?: readonly string[];
}

/**
 * One way to run a sandbox (Podman today; bubblewrap, gVisor or Apptainer would each be one more folder next to
 * podman/). A LaunchPlan is neutral data; the backend alone knows its flags, its image store and how its own
 * failures look. It is the only code that spawns the engine.
 */
export interface SandboxBackend {
  readonly name: string;
  /** The name under which the sandbox reaches services on the host (said in the prompt hint and env). */
  readonly hostServicesAddress: string;
  /** Where the security profile for this host lives (derived once per base file, in the private runtime dir). */
  seccompProfile(runtimeDir: string): SeccompFile;
  imageExists(image: string): Promise<boolean>;
  buildImage(build: ImageBuild): Promise<void>;
  /** The full command line that starts the plan (printed by --dry-run, run by `run`). Pure. */
  render(plan: LaunchPlan, files: RunFiles): string[];
  /** Makes the plan's `ownedByRoot` session files owned by root inside the sandbox (for the plan's user). */
  handToSandboxRoot(plan: LaunchPlan, paths: string[]): Promise<void>;
  /**
   * Runs the plan in the foreground with the terminal (stdio inherited). Signals during the run stop the sandbox;
   * `teardown` releases what the run holds as soon as one arrives.
   */
  run(
    plan: LaunchPlan,
    files: RunFiles,
    teardown: Teardown,
    detached: boolean,
    options?: RunOptions,
  ): Promise<RunOutcome>;
  /**
   * Starts one of the plan's daemons in the running sandbox as its root; resolves to null once it is up, or to
   * the one line that says why it is not.
   */
  startDaemon(plan: LaunchPlan, daemon: SandboxDaemon): Promise<string | null>;
  /** Removes the plan's sandbox at once, whatever state it is in (a run stopped from the host). */
  removeSandbox(plan: LaunchPlan): Promise<unknown>;
  /** Runs the plan without a terminal, its output captured (doctor's probe). */
  capture(plan: LaunchPlan): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** The engine's own failure for an outcome in which the sandbox's first process never existed, or null. */
  startFailure(status: number, started: boolean): AgsError | null;
  /** Whether an outcome is the engine failing to create the sandbox (worth checking for a missing image). */
  couldNotCreate(status: number): boolean;
  /** Removes sandboxes whose owning ags process has ended (best effort). */
  removeOrphans(): Promise<unknown>;
  /** Labels that name the owning ags process and session on a sandbox. */
  ownerLabels(session: string): Record<string, string>;
  /** Runs the agent-CLI install sandbox, npm's output on stderr; its exit status. */
  installAgents(install: AgentInstall): Promise<RunOutcome>;
}
