import { execFileSync } from 'node:child_process';
import { chownSync, cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options, ResultPromise } from 'execa';
import { REPO_ROOT, type TestHost, runAsTestUser } from './host.js';

/** The built CLI, run with the same Node that runs the tests (so the Node 24 leg of CI exercises Node 24). */
export const AGS_BIN = join(REPO_ROOT, 'bin', 'ags.js');

/** Runs `ags <args>` as the rootless test user; never throws on exit codes. */
export function runAgs(host: TestHost, args: string[], options: Options = {}) {
  return runAsTestUser(host, [process.execPath, AGS_BIN, ...args], { stdin: 'ignore', ...options });
}

/**
 * Sends `signal` to the ags process of a `runAgs` run. Not to the `runuser` wrapper, which relays SIGTERM to ags
 * and then SIGKILLs it 2 s later, whatever ags is doing; a user's signal reaches ags itself.
 */
export function signalAgs(run: ResultPromise, signal: NodeJS.Signals): void {
  const wrapper = run.pid;
  if (wrapper === undefined) throw new Error('the run has no process');
  let target = wrapper;
  if (process.getuid?.() === 0) {
    const children = readFileSync(`/proc/${wrapper}/task/${wrapper}/children`, 'utf8').trim().split(' ');
    if (children.length !== 1 || !children[0]) throw new Error(`runuser ${wrapper} has no single child`);
    target = Number(children[0]);
  }
  process.kill(target, signal);
}

/**
 * `[runtime]` with `extra`, then the `[runtime.podman]` lines this host needs (from the podman options the
 * provisioning script probed). TOML written after it lands in `[runtime.podman]`.
 */
export function runtimeToml(host: TestHost, extra = ''): string {
  const lines: string[] = [];
  const ulimits: string[] = [];
  for (const arg of host.engineArgs) {
    const runtime = /^--runtime=(.+)$/.exec(arg);
    const ulimit = /^--ulimit=(\w+)=(.+)$/.exec(arg);
    if (runtime) lines.push(`oci_runtime = "${runtime[1]}"`);
    if (ulimit) ulimits.push(`${ulimit[1]} = "${ulimit[2]}"`);
  }
  if (ulimits.length) lines.push(`ulimits = { ${ulimits.join(', ')} }`);
  return `[runtime]\n${extra}\n[runtime.podman]\n${lines.join('\n')}\n`;
}

/**
 * A config file for a test run: the given image, data and cache dirs under `dir`, this host's runtime
 * options, plus `extra` TOML (which lands in `[runtime.podman]` unless it opens a table). Returns its path.
 */
export function writeTestConfig(
  host: TestHost,
  dir: string,
  extra = '',
  {
    image = host.image,
    dataDir = join(dir, 'data'),
    sandbox = '',
    runtime = '',
  }: {
    image?: string;
    dataDir?: string;
    /** extra lines for [sandbox] */
    sandbox?: string;
    /** extra lines for [runtime] */
    runtime?: string;
  } = {},
): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'config.toml');
  writeFileSync(
    path,
    `[sandbox]\nimage = "${image}"\ndata_dir = "${dataDir}"\ncache_dir = "${dir}/cache"\n${sandbox}\n${runtimeToml(host, runtime)}\n${extra}\n`,
  );
  for (const d of [dataDir, join(dir, 'cache')]) mkdirSync(d, { recursive: true });
  giveToTestUser(host, dir, path, dataDir, join(dir, 'cache'));
  return path;
}

/** Hands files the (root) test process made over to the test user. */
export function giveToTestUser(host: TestHost, ...paths: string[]): void {
  if (process.getuid?.() !== 0) return;
  for (const p of paths) chownSync(p, host.uid, host.uid);
}

/**
 * A copy of this checkout's built ags (bin/, dist/, package.json; node_modules linked) with some of its files
 * replaced, e.g. a broken guard bundle: for tests of what a run does when a part of ags is not what it should
 * be. Returns the copy's `bin/ags.js`.
 */
export function agsCopyWith(host: TestHost, dir: string, replace: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const part of ['bin', 'dist', 'package.json'])
    cpSync(join(REPO_ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  for (const [path, content] of Object.entries(replace)) writeFileSync(join(dir, path), content);
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', `${host.uid}:${host.uid}`, dir]);
  return join(dir, 'bin', 'ags.js');
}

/** Runs `ags <args>` from `bin` (an ags copy) as the test user. */
export function runAgsFrom(host: TestHost, bin: string, args: string[], options: Options = {}) {
  return runAsTestUser(host, [process.execPath, bin, ...args], { stdin: 'ignore', ...options });
}
