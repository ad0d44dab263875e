import { mkdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { SHELLS, type ShellName } from './quote.js';

/** The file each shell reads at interactive start-up, where the alias block goes. */
export function defaultRcFile(shell: ShellName, env: NodeJS.ProcessEnv, home: string): string {
  if (shell === 'bash') return join(home, '.bashrc');
  if (shell === 'zsh') return join(env.ZDOTDIR || home, '.zshrc');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'fish', 'config.fish');
}

/** The shell named by $SHELL (its last path component), when ags writes for it. */
export function shellFromEnv(env: NodeJS.ProcessEnv): ShellName | null {
  const name = basename(env.SHELL ?? '');
  return (SHELLS as readonly string[]).includes(name) ? (name as ShellName) : null;
}

/** An rc file larger than this is not edited (ags reads it whole). */
const MAX_RC_BYTES = 4 * 1024 * 1024;

export type RcOutcome = 'created' | 'updated' | 'unchanged' | 'removed';

/**
 * Rewrites an rc file through `change` (its content, null when absent → new content, null to delete). A
 * symlinked rc file (a dotfiles manager's) is edited where it points; the file is replaced atomically with its
 * mode kept, and not written at all when nothing changes.
 */
export function editRcFile(
  path: string,
  change: (content: string | null) => string | null,
  dryRun: boolean,
): RcOutcome {
  let real = path;
  let content: string | null = null;
  let mode = 0o644;
  try {
    real = realpathSync(path);
    const st = statSync(real);
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    if (st.size > MAX_RC_BYTES) throw new Error(`${path} is larger than 4 MiB`);
    mode = st.mode & 0o7777;
    content = readFileSync(real, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const next = change(content);
  if (next === content) return 'unchanged';
  if (next === null) {
    if (!dryRun) rmSync(real);
    return 'removed';
  }
  if (!dryRun) {
    mkdirSync(dirname(real), { recursive: true, mode: 0o755 });
    writeFileAtomic(real, next, mode);
  }
  return content === null ? 'created' : 'updated';
}
