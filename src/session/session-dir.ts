import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProcessIdentity, hasEnded, identityOf, isRunning, pidOf } from './process-identity.js';
import { removeTree } from '../util/remove-tree.js';

/**
 * The files of one run on the host. `publicDir` is mounted into the sandbox (read-only); `secretsDir`, which
 * holds only the env file, is mounted read-only at a path of its own when the run has secrets (the sandbox
 * entry reads it; the agent adapters never expose it). The rest stays on the host.
 */
export interface SessionPaths {
  root: string;
  publicDir: string;
  secretsDir: string;
  /** The 0600 file with the secret values, NAME=VALUE per line, in `secretsDir`. */
  envFile: string;
  /** podman writes the container id here once the container exists. */
  cidFile: string;
  /** The OCI runtime writes the container's first pid here once it has created that process. */
  pidFile: string;
  gitconfig: string;
  /** The identity of the ags process that owns the session (see process-identity.ts). */
  ownerFile: string;
  /** The mount points the run uses and those it made (see mountpoint-sharing.ts). */
  mountpointsFile: string;
  /** Where an in-process guard writes its load marker (mounted read-write; see guard-load.ts). */
  guardDir: string;
  /** A lockdown run's fresh home (staged-home.ts), mounted read-write as the agent's home; gone with the session. */
  stagedHome: string;
}

const PREFIX = 'session-';

export function sessionPaths(runtimeDir: string, pid: number): SessionPaths {
  const root = join(runtimeDir, `${PREFIX}${pid}`);
  return {
    root,
    publicDir: join(root, 'public'),
    secretsDir: join(root, 'secrets'),
    envFile: join(root, 'secrets', 'env'),
    cidFile: join(root, 'container-id'),
    pidFile: join(root, 'container-pid'),
    gitconfig: join(root, 'public', 'gitconfig'),
    ownerFile: join(root, 'owner'),
    mountpointsFile: join(root, 'mountpoints.json'),
    guardDir: join(root, 'guard'),
    stagedHome: join(root, 'home'),
  };
}

/** Creates the session dir, owned by this process (a leftover of an earlier holder of this pid is replaced). */
export function createSessionDir(paths: SessionPaths): void {
  removeTree(paths.root);
  mkdirSync(paths.publicDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.secretsDir, { mode: 0o700 });
  mkdirSync(paths.guardDir, { mode: 0o700 });
  const me = identityOf(process.pid);
  if (me) writeFileSync(paths.ownerFile, `${me}\n`, { mode: 0o600 });
}

export function removeSessionDir(paths: SessionPaths): void {
  removeTree(paths.root);
}

const HELPER_PREFIX = 'helper-';

/** Where the identity of the session's helper process `name` (a host service's, such as the ssh-agent) is kept. */
export function helperFile(paths: SessionPaths, name: string): string {
  return join(paths.root, `${HELPER_PREFIX}${name}`);
}

/** Records a helper process of the session so that a killed run's helpers can be stopped at the next start. */
export function recordHelper(paths: SessionPaths, name: string, pid: number): void {
  const id = identityOf(pid);
  if (id) writeFileSync(helperFile(paths, name), `${id}\n`, { mode: 0o600 });
}

/** Stops every helper a session recorded, if it is still that same process. */
function stopRecordedHelpers(root: string): void {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(HELPER_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const helper = readIdentity(join(root, name));
    if (!helper || !isRunning(helper)) continue;
    try {
      process.kill(pidOf(helper)!, 'SIGTERM');
    } catch {
      // ended meanwhile
    }
  }
}

function readIdentity(file: string): ProcessIdentity | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the run that made session dir `name` is over (its owner file says so, else its pid is free). */
/** The pid a session dir's name carries, or null for a name that is not one of ours. */
function sessionPid(name: string): number | null {
  const pid = Number(name.slice(PREFIX.length));
  return name.startsWith(PREFIX) && Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isStale(runtimeDir: string, name: string): boolean {
  const pid = sessionPid(name);
  if (pid === null || pid === process.pid) return false;
  const owner = readIdentity(sessionPaths(runtimeDir, pid).ownerFile);
  return owner ? hasEnded(owner) : !pidAlive(pid);
}

/** The session dirs of other runs that are still going. */
export function otherLiveSessions(runtimeDir: string, self: SessionPaths): SessionPaths[] {
  let names: string[];
  try {
    names = readdirSync(runtimeDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => sessionPid(n) !== null && join(runtimeDir, n) !== self.root && !isStale(runtimeDir, n))
    .map((n) => sessionPaths(runtimeDir, sessionPid(n)!));
}

/**
 * Removes what killed runs left behind (SIGKILL, power loss): session dirs whose owning process is gone, after
 * stopping the helpers (host services' processes) such a run recorded. Returns the removed paths.
 */
export function removeStaleSessions(runtimeDir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(runtimeDir)) {
    if (!isStale(runtimeDir, name)) continue;
    const dir = join(runtimeDir, name);
    stopRecordedHelpers(dir);
    try {
      removeTree(dir);
    } catch {
      continue; // what cannot be removed stays for the next start; it belongs to no live run
    }
    removed.push(dir);
  }
  return removed;
}
