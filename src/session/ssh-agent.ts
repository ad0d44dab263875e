import { execa } from 'execa';
import { RuntimeError } from '../errors.js';

/** A dedicated ssh-agent for one run: its pid (known from the moment it is spawned) and how to stop it. */
export interface SshAgent {
  pid: number;
  stop: () => void;
}

const NOT_STARTED_HINT = 'install openssh-client, or remove sandbox.ssh_keys from the config';

/**
 * Starts a dedicated ssh-agent for one run, holding only the configured ags keys; its socket is mounted into
 * the sandbox. The user's own agent (and every other key) stays outside. It runs in the foreground (`-D`) as a
 * child in its own session, so its pid is known before it has even bound the socket: `onSpawn` gets the agent
 * at once (to register its stop and record it), before this waits for the socket to be ready.
 */
export async function startSshAgent(socket: string, onSpawn: (agent: SshAgent) => void): Promise<void> {
  const child = execa('ssh-agent', ['-s', '-a', socket, '-D'], {
    stdin: 'ignore',
    detached: true,
    reject: false,
    buffer: false,
    cleanup: false,
  });
  if (child.pid === undefined) {
    const r = await child;
    throw new RuntimeError(`could not start ssh-agent: ${r.message ?? 'not found'}`, NOT_STARTED_HINT);
  }
  const pid = child.pid;
  onSpawn({
    pid,
    stop: () => {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  });
  // the agent prints its environment once the socket is bound; an early exit means it could not start
  const ready = await new Promise<string | null>((resolve) => {
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('SSH_AUTH_SOCK=')) resolve(null);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    void child.then((r) => resolve(stderr.trim() || `exit ${r.exitCode ?? r.signal}`));
  });
  child.stdout?.resume();
  child.stderr?.resume();
  if (ready !== null) throw new RuntimeError(`could not start ssh-agent: ${ready}`, NOT_STARTED_HINT);
}

/** Loads the keys into the run's agent; ssh-add asks for a passphrase on the terminal when a key has one. */
export async function addSshKeys(socket: string, keys: string[]): Promise<void> {
  for (const key of keys) {
    const r = await execa('ssh-add', [key], {
      env: { SSH_AUTH_SOCK: socket },
      stdio: 'inherit',
      reject: false,
    });
    if (r.exitCode !== 0) {
      throw new RuntimeError(`ssh-add ${key} failed`, 'check sandbox.ssh_keys in the config');
    }
  }
}
