import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { type CgroupFacts, readCgroupFacts } from './cgroups.js';

export interface BasicHostFacts {
  uid: number;
  gid: number;
  home: string;
  cwd: string;
  /** The git top level containing cwd (real path), else cwd: the directory mounted as the workspace. */
  workdir: string;
  pid: number;
  stdinTTY: boolean;
  stdoutTTY: boolean;
  env: Record<string, string | undefined>;
  /** What the host's cgroups let podman enforce (decides which resource limits a run passes). */
  cgroups: CgroupFacts;
}

/** The user's home: the sandbox home appears at the same path inside. */
export function hostHome(): string {
  return process.env.HOME || homedir();
}

/** The facts a plan depends on, read once. `repoRoot` comes from the config loader, which already asked git. */
export function hostFacts(cwd: string, repoRoot: string | null): BasicHostFacts {
  return {
    uid: process.getuid!(),
    gid: process.getgid!(),
    home: hostHome(),
    cwd,
    workdir: repoRoot ? realpathSync(repoRoot) : cwd,
    pid: process.pid,
    stdinTTY: Boolean(process.stdin.isTTY),
    stdoutTTY: Boolean(process.stdout.isTTY),
    env: { ...process.env },
    cgroups: readCgroupFacts(process.getuid!()),
  };
}
