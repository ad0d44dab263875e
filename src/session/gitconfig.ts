import { writeFileSync } from 'node:fs';
import { execa } from 'execa';

/** The user's git identity from the host's global config, in one git call. */
async function hostIdentity(): Promise<{ name?: string; email?: string }> {
  const r = await execa('git', ['config', '--global', '--get-regexp', '^user\\.(name|email)$'], {
    reject: false,
    stdin: 'ignore',
  });
  const found: { name?: string; email?: string } = {};
  if (r.exitCode !== 0) return found;
  for (const line of String(r.stdout).split('\n')) {
    const m = /^user\.(name|email) (.*)$/.exec(line);
    if (m) found[m[1] as 'name' | 'email'] = m[2]!.trim();
  }
  return found;
}

/**
 * The sandbox's global gitconfig: the user's identity only, nothing else of the host's gitconfig (which can
 * name credential helpers, hooks paths and includes that make no sense or leak inside).
 */
export async function writeSandboxGitconfig(path: string): Promise<void> {
  const id = await hostIdentity();
  const name = id.name || 'ags agent';
  const email = id.email || 'agent@ags.invalid';
  const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  writeFileSync(path, `[user]\n\tname = ${quote(name)}\n\temail = ${quote(email)}\n`, { mode: 0o644 });
}
