import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';

/** podman's built-in `[engine] init_path`: the binary `--init` runs as PID 1 (Debian's catatonit package). */
export const DEFAULT_INIT_PATH = '/usr/libexec/podman/catatonit';

/**
 * The containers.conf files podman reads, in order (a later file wins): CONTAINERS_CONF alone when set, else the
 * system files, then (rootless) the user's; CONTAINERS_CONF_OVERRIDE last.
 */
export function containersConfFiles(
  env: Record<string, string | undefined>,
  home: string,
  rootless: boolean,
): string[] {
  const dropIns = (dir: string) => {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.conf'))
        .sort()
        .map((f) => join(dir, f));
    } catch {
      return [];
    }
  };
  let files: string[];
  if (env.CONTAINERS_CONF) files = [env.CONTAINERS_CONF];
  else {
    files = [
      '/usr/share/containers/containers.conf',
      ...dropIns('/usr/share/containers/containers.conf.d'),
      '/etc/containers/containers.conf',
      ...dropIns('/etc/containers/containers.conf.d'),
    ];
    if (rootless) {
      const user = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers');
      files.push(join(user, 'containers.conf'), ...dropIns(join(user, 'containers.conf.d')));
    }
  }
  if (env.CONTAINERS_CONF_OVERRIDE) files.push(env.CONTAINERS_CONF_OVERRIDE);
  return files;
}

/** Where podman looks for the `--init` binary, and which file said so (null: podman's default). */
export function podmanInitPath(files: string[]): { path: string; from: string | null } {
  let found: { path: string; from: string | null } = { path: DEFAULT_INIT_PATH, from: null };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    try {
      const engine = (parse(text) as { engine?: { init_path?: unknown } }).engine;
      if (typeof engine?.init_path === 'string' && engine.init_path)
        found = { path: engine.init_path, from: file };
    } catch {
      // a file podman cannot parse fails `podman info`, which doctor reports on its own
    }
  }
  return found;
}
