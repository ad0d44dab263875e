import { isAbsolute, join } from 'node:path';
import { type ConfigFile, expandConfigPath, readConfigChain } from './git-layout.js';

/**
 * The host's own global and system git config, read as files (never by running git, which would read the
 * workspace's config too). The user's own links are theirs; what is in them applies to every repository.
 */

/** The top config files the host's git reads besides a repository's own (global, XDG, system). */
export function hostGitConfigTops(home: string, env: NodeJS.ProcessEnv): string[] {
  const xdg = env.XDG_CONFIG_HOME || join(home, '.config');
  return [
    env.GIT_CONFIG_GLOBAL || join(home, '.gitconfig'),
    join(xdg, 'git', 'config'),
    env.GIT_CONFIG_SYSTEM || '/etc/gitconfig',
  ];
}

/** The host's global and system git config files, includes followed (bounded reads). */
export function hostGitConfigChain(home: string, env: NodeJS.ProcessEnv): ConfigFile[] {
  return hostGitConfigTops(home, env).flatMap((top) => readConfigChain(top, home));
}

/**
 * Every `core.hooksPath` the host's global or system config sets (whichever file git ends up preferring: a
 * value in any of them may be the one in effect), split into those that name one directory and the relative
 * ones, which git takes from the top of each work tree it runs in: `hooksPath = .githooks` makes every
 * repository's own `.githooks/` its hooks directory.
 */
export function hostHooksPaths(
  home: string,
  env: NodeJS.ProcessEnv,
): { fixed: string[]; relative: string[] } {
  const fixed = new Set<string>();
  const relative = new Set<string>();
  for (const file of hostGitConfigChain(home, env))
    for (const e of file.entries) {
      if (e.key !== 'core.hookspath' || e.value === null || e.value === '') continue;
      if (e.value === '~' || e.value.startsWith('~/') || isAbsolute(e.value))
        fixed.add(expandConfigPath(e.value, home, home));
      else relative.add(e.value);
    }
  return { fixed: [...fixed], relative: [...relative] };
}
