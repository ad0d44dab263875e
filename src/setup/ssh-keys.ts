import { chmodSync, lstatSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { RuntimeError } from '../errors.js';
import { displayPath } from '../util/paths.js';

/** The dedicated keys setup makes: one to authenticate (offered through the sandbox's ssh-agent), one to sign. */
export const AGS_KEYS = [
  {
    id: 'auth',
    file: 'ags-agent-auth',
    use: 'add it to your Git host as an authentication key (for example GitHub: Settings, SSH and GPG keys, New SSH key, type Authentication)',
  },
  {
    id: 'signing',
    file: 'ags-agent-signing',
    use: 'add it to your Git host as a signing key (GitHub: New SSH key, type Signing) to verify commits signed in the sandbox',
  },
] as const;

export function sshDir(home: string): string {
  return join(home, '.ssh');
}

/** ~/.ssh, made 0700 when missing (an existing one is the user's and is left as it is). */
export function ensureSshDir(home: string): void {
  mkdirSync(sshDir(home), { recursive: true, mode: 0o700 });
}

/** Whether anything (a file, a link, even a dangling one) is at the key's path: then it is never replaced. */
export function keyExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Makes an ed25519 key with ssh-keygen (no passphrase: the sandbox's ssh-agent holds it), mode 0600. */
export async function generateKey(path: string, comment: string): Promise<void> {
  const r = await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], {
    stdin: 'ignore',
    reject: false,
  });
  if (r.failed) {
    const why =
      (r as { code?: string }).code === 'ENOENT' ? 'ssh-keygen is not installed' : String(r.stderr).trim();
    throw new RuntimeError(
      `cannot create ${displayPath(path)}: ${why}`,
      'install OpenSSH (Debian/Ubuntu: sudo apt install openssh-client)',
    );
  }
  chmodSync(path, 0o600);
}

export function keyComment(id: string): string {
  return `ags-agent-${id}@${hostname()}`;
}

export function publicKey(path: string): string | null {
  try {
    if (!statSync(`${path}.pub`).isFile()) return null;
    return readFileSync(`${path}.pub`, 'utf8').trim();
  } catch {
    return null;
  }
}
