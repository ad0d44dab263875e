import { join } from 'node:path';
import { execa } from 'execa';
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

/** The top of the git work tree containing `cwd`, or null outside a repository (or without git). */
export async function findRepoRoot(cwd: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  try {
    const r = await execa('git', ['rev-parse', '--show-toplevel'], {
      cwd,
      env: { ...env, PATH: env.PATH ?? process.env.PATH },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    const root = String(r.stdout).trim();
    return r.exitCode === 0 && root !== '' ? root : null;
  } catch {
    return null;
  }
}
