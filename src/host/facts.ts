import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { execa } from 'execa';

/** The git top level containing `dir`, or null outside a repository (or without git). */
export async function gitTopLevel(dir: string): Promise<string | null> {
  try {
    const r = await execa('git', ['rev-parse', '--show-toplevel'], {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
    });
    return r.exitCode === 0 && r.stdout ? realpathSync(String(r.stdout).trim()) : null;
  } catch {
    return null;
  }
}

export interface BasicHostFacts {
  uid: number;
  gid: number;
  home: string;
  cwd: string;
  workdir: string;
  pid: number;
  stdinTTY: boolean;
  stdoutTTY: boolean;
  env: Record<string, string | undefined>;
}

/** Reads the facts a plan depends on, once. */
export async function gatherHostFacts(): Promise<BasicHostFacts> {
  const cwd = realpathSync(process.cwd());
  return {
    uid: process.getuid!(),
    gid: process.getgid!(),
    home: process.env.HOME || homedir(),
    cwd,
    workdir: (await gitTopLevel(cwd)) ?? cwd,
    pid: process.pid,
    stdinTTY: Boolean(process.stdin.isTTY),
    stdoutTTY: Boolean(process.stdout.isTTY),
    env: { ...process.env },
  };
}
