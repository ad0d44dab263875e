import { join } from 'node:path';

type Env = Record<string, string | undefined>;

/** XDG base directories for ags, each `<base>/ags`, with the spec's defaults under $HOME. */
export function xdgDirs(env: Env, home: string) {
  const base = (name: string, fallback: string) => {
    const v = env[name];
    return v && v.startsWith('/') ? v : join(home, fallback);
  };
  return {
    config: join(base('XDG_CONFIG_HOME', '.config'), 'ags'),
    data: join(base('XDG_DATA_HOME', '.local/share'), 'ags'),
    cache: join(base('XDG_CACHE_HOME', '.cache'), 'ags'),
    state: join(base('XDG_STATE_HOME', '.local/state'), 'ags'),
  };
}
