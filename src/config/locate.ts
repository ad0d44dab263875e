import { join } from 'node:path';
import { expansionEnv } from './expand.js';

/** Where ags looks for things on the host. All follow the XDG base directory spec. */

/** `$XDG_CONFIG_HOME/ags/config.toml`, normally `~/.config/ags/config.toml`. */
export function defaultUserConfigPath(env: NodeJS.ProcessEnv): string {
  return join(expansionEnv(env).XDG_CONFIG_HOME!, 'ags', 'config.toml');
}

/** `$XDG_STATE_HOME/ags/trust.json`, normally `~/.local/state/ags/trust.json`. */
export function trustStorePath(env: NodeJS.ProcessEnv): string {
  return join(expansionEnv(env).XDG_STATE_HOME!, 'ags', 'trust.json');
}

/** The overlay file of a repository. */
export function overlayPath(repoRoot: string): string {
  return join(repoRoot, '.ags', 'config.toml');
}

export { findRepoRoot } from '../host/repository.js';
