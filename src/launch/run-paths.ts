import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ADAPTERS } from '../../agents/index.js';
import type { AgentAdapter } from '../../agents/types.js';
import type { Config, LoadOptions } from '../config/index.js';
import { agsOwnPaths, userHomes } from '../host/ags-dirs.js';
import { symlinkEscape } from '../host/logical-cwd.js';
import { type MountSafety, hostPathProblem } from '../host/mount-safety.js';
import {
  formerWorkspaceAbove,
  readWorkspaces,
  rememberWorkspace,
  workspaceMemoryPath,
} from '../host/workspace-memory.js';
import { reservedContainerPaths } from '../plan/reserved.js';
import { displayPath } from '../util/paths.js';
import { ConfigError, RuntimeError, UsageError } from '../errors.js';

/** What a run's host paths are checked against (see hostPathProblem), from the config this run reads. */
export function mountSafety(
  config: Config,
  configFile: string | null,
  env: NodeJS.ProcessEnv,
  uid: number,
  home: string,
): MountSafety {
  return {
    homes: userHomes(env),
    agsPaths: agsOwnPaths({
      env,
      uid,
      configFile,
      dataDir: config.sandbox.data_dir,
      cacheDir: config.sandbox.cache_dir,
    }),
    reserved: reservedContainerPaths(home, Object.values(ADAPTERS)),
  };
}

/**
 * The check a run makes of its workspace before any overlay is read: it is mounted read-write, so it must be
 * neither the home (nor contain it), nor hold ags's own files, nor land on ags's control paths inside; it must
 * not have been reached through a symlink leading out of a repository, nor be found by walking past a former
 * workspace whose .git is gone. A repository that passes is remembered (see workspace-memory.ts).
 */
export function workspaceCheck(
  env: NodeJS.ProcessEnv,
  uid: number,
  home: string,
): NonNullable<LoadOptions['checkWorkspace']> {
  return (workspace, config, configFile, found) => {
    const safety = mountSafety(config, configFile, env, uid, home);
    const escape = symlinkEscape(env, found.cwd, safety.homes);
    if (escape !== null) {
      throw new UsageError(
        `refusing to run: you reached ${displayPath(found.cwd)} through a symlink inside repository ${displayPath(escape.repo)} that leads out of it (${displayPath(escape.link)})`,
        `an agent may have planted it: check ${displayPath(escape.link)}; to work in ${displayPath(found.cwd)} itself, cd there by its real path`,
      );
    }
    const problem = hostPathProblem(workspace, safety, true);
    if (problem !== null) {
      throw new UsageError(
        `refusing to mount ${displayPath(workspace)} as the workspace: ${problem}`,
        "cd into a project directory that holds neither your home nor ags's own files (a git repository is mounted from its top level)",
      );
    }
    const memory = workspaceMemoryPath(env);
    const remembered = readWorkspaces(memory);
    const former = formerWorkspaceAbove(workspace, found.cwd, remembered);
    if (former !== null) {
      throw new UsageError(
        `refusing to mount ${displayPath(workspace)}: ${displayPath(former)} was a repository's top level when ags last ran there; its .git is gone or moved`,
        `restore ${displayPath(join(former, '.git'))} (an agent may have moved it), or, if it is meant to be part of ${displayPath(workspace)} now, delete its line from ${displayPath(memory)}`,
      );
    }
    if (found.repository) {
      try {
        rememberWorkspace(memory, workspace, remembered);
      } catch (err) {
        throw new RuntimeError(
          `cannot write ${displayPath(memory)}: ${(err as Error).message}`,
          'check that the directory is writable (it is $XDG_STATE_HOME/ags, normally ~/.local/state/ags)',
        );
      }
    }
  };
}

/** The -d directories as real paths, each checked like the workspace; duplicates dropped. */
export function resolveAddDirs(dirs: string[], cwd: string, safety: MountSafety): string[] {
  const resolved = dirs.map((d) => {
    if (d === '') throw new UsageError('-d needs a directory, not an empty string');
    const abs = isAbsolute(d) ? d : join(cwd, d);
    if (!existsSync(abs) || !statSync(abs).isDirectory())
      throw new UsageError(`--add-dir ${displayPath(d)}: not a directory`);
    const real = realpathSync(abs);
    const problem = hostPathProblem(real, safety, true);
    if (problem !== null) {
      throw new UsageError(
        `refusing -d ${displayPath(d)}${real === abs ? '' : ` (${displayPath(real)})`}: ${problem}`,
        "name a project directory that holds neither your home nor ags's own files",
      );
    }
    return real;
  });
  return [...new Set(resolved)];
}

/**
 * `host_home = true` mounts the host's own agent home paths; podman would fail on a missing one with a bare
 * statfs error, so a missing (or mistyped) one is named here.
 */
export function checkHostHome(adapter: AgentAdapter, home: string): void {
  for (const p of adapter.homePaths) {
    const path = join(home, p.path);
    if (!existsSync(path)) {
      throw new ConfigError(
        `[agents.${adapter.name}] host_home = true, but ${displayPath(path)} does not exist on the host`,
        `run ${adapter.command} on the host once (it creates it)${p.kind === 'dir' ? `, or mkdir -p ${displayPath(path)}` : ''}; or set host_home = false`,
      );
    }
    const isDir = statSync(path).isDirectory();
    if (isDir !== (p.kind === 'dir')) {
      throw new ConfigError(
        `[agents.${adapter.name}] host_home = true, but ${displayPath(path)} is ${isDir ? 'a directory' : 'not a directory'}; ${adapter.title} keeps ${p.kind === 'dir' ? 'a directory' : 'a file'} there`,
        'fix that path on the host, or set host_home = false',
      );
    }
  }
}
