import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

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
  sshSocket: string;
  /** podman writes the container id here once the container exists. */
  cidFile: string;
  /** The OCI runtime writes the container's first pid here once it has created that process. */
  pidFile: string;
  gitconfig: string;
}

const PREFIX = 'session-';

export function sessionPaths(runtimeDir: string, pid: number): SessionPaths {
  const root = join(runtimeDir, `${PREFIX}${pid}`);
  return {
    root,
    publicDir: join(root, 'public'),
    secretsDir: join(root, 'secrets'),
    envFile: join(root, 'secrets', 'env'),
    sshSocket: join(root, 'ssh-agent.sock'),
    cidFile: join(root, 'container-id'),
    pidFile: join(root, 'container-pid'),
    gitconfig: join(root, 'public', 'gitconfig'),
  };
}

export function createSessionDir(paths: SessionPaths): void {
  rmSync(paths.root, { recursive: true, force: true });
  mkdirSync(paths.publicDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.secretsDir, { mode: 0o700 });
}

export function removeSessionDir(paths: SessionPaths): void {
  rmSync(paths.root, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what killed runs left behind (SIGKILL, power loss): session dirs whose owning process is gone.
 * Returns the removed paths.
 */
export function removeStaleSessions(runtimeDir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(runtimeDir)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    rmSync(join(runtimeDir, name), { recursive: true, force: true });
    removed.push(join(runtimeDir, name));
  }
  return removed;
}
