import { writeFileSync } from 'node:fs';
import { execa } from 'execa';

async function hostGit(key: string): Promise<string | null> {
  try {
    const r = await execa('git', ['config', '--global', '--get', key], { reject: false, stdin: 'ignore' });
    return r.exitCode === 0 ? String(r.stdout).trim() || null : null;
  } catch {
    return null;
  }
}

/**
 * The sandbox's global gitconfig: the user's identity only, nothing else of the host's gitconfig (which can
 * name credential helpers, hooks paths and includes that make no sense or leak inside).
 */
export async function writeSandboxGitconfig(path: string): Promise<void> {
  const name = (await hostGit('user.name')) ?? 'ags agent';
  const email = (await hostGit('user.email')) ?? 'agent@ags.invalid';
  const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  writeFileSync(path, `[user]\n\tname = ${quote(name)}\n\temail = ${quote(email)}\n`, { mode: 0o644 });
}
