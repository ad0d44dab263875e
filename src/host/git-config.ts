import { readFileSync, statSync } from 'node:fs';
import { execa } from 'execa';
import { ConfigError } from '../errors.js';
import { displayPath, printable } from '../util/paths.js';

/** How long git may take to read one config file (an include could name a pipe). */
const GIT_CONFIG_TIMEOUT_MS = 5000;
/** Larger config files go to git without a look first. */
const MAX_SCANNED_BYTES = 1024 * 1024;

/**
 * The `core.worktree` values one repository config file sets, its includes followed, read by git itself but
 * with an environment that reads nothing else: no system or global config, no repository discovered around
 * (GIT_DIR names none), so neither the repository nor git's own config decides what is read.
 */
export async function worktreeSettings(file: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const st = statSync(file, { throwIfNoEntry: false });
  if (st === undefined) return [];
  if (!st.isFile()) {
    throw new ConfigError(
      `the repository config ${displayPath(file)} is not a regular file`,
      'an agent may have replaced it: check the repository, and run ags again',
    );
  }
  // Config keys are spelled out (in any case), so a file that names neither the key nor an include sets
  // nothing: most repositories cost no git call at all.
  const text = st.size <= MAX_SCANNED_BYTES ? readFileSync(file, 'utf8') : null;
  if (text !== null && !/worktree|include/i.test(text)) return [];
  const r = await execa('git', ['config', '--file', file, '--includes', '--get-all', 'core.worktree'], {
    cwd: '/',
    env: {
      PATH: env.PATH ?? process.env.PATH,
      ...(env.HOME ? { HOME: env.HOME } : {}),
      GIT_DIR: '/nonexistent/ags-no-repository',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      LC_ALL: 'C',
    },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: GIT_CONFIG_TIMEOUT_MS,
    maxBuffer: 64 * 1024,
  });
  if ((r as { code?: string }).code === 'ENOENT') return withoutGit(file, text ?? '');
  if (r.exitCode === 0) return String(r.stdout).split('\n').filter(Boolean);
  if (r.exitCode === 1 && !r.timedOut) return [];
  const why = r.timedOut
    ? 'git took too long reading it'
    : String(r.stderr)
        .split('\n')[0]!
        .replace(/^fatal: /, '');
  throw new ConfigError(
    `cannot check the repository config ${displayPath(file)}: ${printable(why.slice(0, 200))}`,
    'fix or remove the broken setting (git itself cannot read it either), then run ags again',
  );
}

/** Without git on the host: refuse when the file so much as names a worktree key (nothing else can tell). */
function withoutGit(file: string, text: string): string[] {
  if (!/(^|\])\s*worktree\s*=/im.test(text)) return [];
  throw new ConfigError(
    `${displayPath(file)} seems to set core.worktree, and git is not installed to read it`,
    'remove the setting, or install git, and run ags again',
  );
}
