import { execa } from 'execa';
import { RuntimeError } from '../cli/errors.js';

/**
 * A dedicated ssh-agent for one run, holding only the configured ags keys; its socket is mounted into the
 * sandbox. The user's own agent (and every other key) stays outside. Returns a stop function.
 */
export async function startSshAgent(socket: string, keys: string[]): Promise<() => void> {
  let pid: number;
  try {
    const r = await execa('ssh-agent', ['-s', '-a', socket], { stdin: 'ignore' });
    const m = /SSH_AGENT_PID=(\d+)/.exec(String(r.stdout));
    if (!m) throw new Error('ssh-agent did not report its pid');
    pid = Number(m[1]);
  } catch (err) {
    throw new RuntimeError(
      `could not start ssh-agent: ${(err as Error).message}`,
      'install openssh-client, or remove sandbox.ssh_keys from the config',
    );
  }
  const stop = () => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  for (const key of keys) {
    // ssh-add asks for a passphrase on the terminal when the key has one
    const r = await execa('ssh-add', [key], {
      env: { SSH_AUTH_SOCK: socket },
      stdio: 'inherit',
      reject: false,
    });
    if (r.exitCode !== 0) {
      stop();
      throw new RuntimeError(`ssh-add ${key} failed`, 'check sandbox.ssh_keys in the config');
    }
  }
  return stop;
}
