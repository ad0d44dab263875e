import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { defaultUserConfigPath, trustStorePath } from '../config/locate.js';
import { expansionEnv } from '../config/expand.js';
import { runtimeDirPath } from '../session/runtime-dir.js';
import { realpathLoose } from '../util/paths.js';

/** A directory (or file) of ags's own that no mount may expose: what it is, and where. */
export interface AgsPath {
  what: string;
  path: string;
  /** What it holds, for the message. */
  holds?: string;
}

export interface AgsPathInputs {
  env: NodeJS.ProcessEnv;
  uid: number;
  /** The config file this run reads (`--config`, or the default one), when there is one. */
  configFile: string | null;
  /** `sandbox.data_dir` and `sandbox.cache_dir` as configured (expanded). */
  dataDir: string;
  cacheDir: string;
}

/** Each path as written and as its real path, so a symlink on either side is seen through. */
function bothWays(entries: AgsPath[]): AgsPath[] {
  const out: AgsPath[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    for (const path of [resolve(e.path), realpathLoose(e.path)]) {
      if (seen.has(path)) continue;
      seen.add(path);
      out.push({ ...e, path });
    }
  }
  return out;
}

/**
 * Everything ags keeps on the host that a sandbox must never reach (and podman's own files, see podmanPaths): a sandbox that can write the config
 * adds a `[[secret]] command` the next run executes on the host; the data dir holds every agent's home
 * (their logins) and the agent CLIs the host trusts read-only; the state dir holds the trust store; the
 * runtime dir holds every run's secrets. The XDG defaults are included even when configured elsewhere:
 * ags reads the default config whenever `--config` is not given, and older data may still sit there.
 */
export function agsOwnPaths(i: AgsPathInputs): AgsPath[] {
  const x = expansionEnv(i.env);
  const data = { what: 'the ags data directory', holds: 'agent homes and CLIs' };
  const cache = { what: 'the ags cache directory' };
  return bothWays([
    { what: 'the ags config directory', path: dirname(defaultUserConfigPath(i.env)) },
    ...(i.configFile ? [{ what: 'the config file in use', path: i.configFile }] : []),
    { ...data, path: i.dataDir },
    { ...data, path: resolve(x.XDG_DATA_HOME!, 'ags') },
    { what: 'the ags state directory', holds: 'trust store', path: dirname(trustStorePath(i.env)) },
    { ...cache, path: i.cacheDir },
    { ...cache, path: resolve(x.XDG_CACHE_HOME!, 'ags') },
    {
      what: 'the ags runtime directory',
      holds: 'session files and secrets',
      path: runtimeDirPath(i.env, i.uid),
    },
    ...podmanPaths(i.env, i.uid),
  ]);
}

/**
 * Rootless podman's own files, which a sandbox must not reach for the same reason: its config
 * (containers.conf can name hook and helper programs) runs code on the host at the next podman call, its
 * runtime directory holds the API socket and registry logins, its storage every image and container.
 */
function podmanPaths(env: NodeJS.ProcessEnv, uid: number): AgsPath[] {
  const x = expansionEnv(env);
  const runtimes = new Set([`/run/user/${uid}`]);
  if (env.XDG_RUNTIME_DIR && isAbsolute(env.XDG_RUNTIME_DIR)) runtimes.add(env.XDG_RUNTIME_DIR);
  const engine = { what: "podman's runtime directory", holds: 'its API socket and registry logins' };
  return [
    { what: "podman's config directory", path: resolve(x.XDG_CONFIG_HOME!, 'containers') },
    { what: "podman's storage", path: resolve(x.XDG_DATA_HOME!, 'containers') },
    ...[...runtimes].flatMap((r) => [
      { ...engine, path: resolve(r, 'containers') },
      { ...engine, path: resolve(r, 'podman') },
      { ...engine, path: resolve(r, 'libpod') },
    ]),
    { ...engine, path: `/tmp/podman-run-${uid}` },
    { ...engine, path: `/tmp/storage-run-${uid}` },
    // the storage run root without $XDG_RUNTIME_DIR (podman info: Store.RunRoot)
    { ...engine, path: `/tmp/containers-user-${uid}` },
    ...storageConfPaths(resolve(x.XDG_CONFIG_HOME!, 'containers', 'storage.conf')),
  ];
}

/**
 * The `runroot` and `graphroot` the user's storage.conf sets (read here rather than asking podman on every
 * launch): podman keeps its run-time state and its images there instead of the defaults above.
 */
function storageConfPaths(file: string): AgsPath[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').slice(0, 64 * 1024);
  } catch {
    return [];
  }
  const out: AgsPath[] = [];
  for (const m of text.matchAll(/^\s*(runroot|graphroot)\s*=\s*["']([^"'\n]+)["']/gm)) {
    const path = m[2]!;
    if (!isAbsolute(path)) continue;
    out.push(
      m[1] === 'runroot'
        ? { what: "podman's storage run root", holds: "its containers' run-time state", path }
        : { what: "podman's storage", path },
    );
  }
  return out;
}

/** The user's home as $HOME says and as the password database says, each also as its real path. */
export function userHomes(env: NodeJS.ProcessEnv): string[] {
  const homes = new Set<string>();
  let passwd: string | undefined;
  try {
    passwd = userInfo().homedir;
  } catch {
    passwd = undefined;
  }
  for (const h of [env.HOME, passwd]) {
    if (!h || !isAbsolute(h)) continue;
    homes.add(resolve(h));
    homes.add(realpathLoose(h));
  }
  return [...homes];
}
