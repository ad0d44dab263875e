import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { isAbsolute } from 'node:path';
import { ConfigError } from '../errors.js';
import { quoteText } from '../util/terminal-text.js';

/** The home directory of the user's password database entry, or null when there is none. */
function passwdHome(): string | null {
  try {
    return userInfo().homedir || null;
  } catch {
    return null;
  }
}

/**
 * The home directory ags paths derive from (config, data and state dirs, the sandbox home's mount point): $HOME,
 * else the password database's entry. It must be an absolute path, and for commands that start containers an
 * existing directory (podman itself needs it); anything else is one clear line instead of a stack trace from
 * the first mkdir under it.
 */
export function requireHome(
  env: NodeJS.ProcessEnv,
  { mustExist }: { mustExist: boolean },
  passwd: () => string | null = passwdHome,
): string {
  const fix = 'set HOME to your home directory (an existing absolute path) and try again';
  const home = env.HOME ?? passwd();
  const what =
    env.HOME !== undefined
      ? `HOME=${quoteText(env.HOME)}`
      : `HOME is not set, and your home directory from the password database (${quoteText(String(home))})`;
  if (home === null) throw new ConfigError('HOME is not set and your user has no home directory', fix);
  if (!isAbsolute(home)) throw new ConfigError(`${what} is not an absolute path`, fix);
  if (!mustExist) return home;
  let isDir: boolean;
  try {
    isDir = statSync(home).isDirectory();
  } catch {
    throw new ConfigError(`${what} does not exist`, fix);
  }
  if (!isDir) throw new ConfigError(`${what} is not a directory`, fix);
  return home;
}
