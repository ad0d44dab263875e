import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { defaultConfig } from '../../config/index.js';
import { readConfigFile } from '../../config/load.js';
import { defaultUserConfigPath, trustStorePath } from '../../config/locate.js';
import { ConfigSchema, type Config } from '../../config/schema.js';
import { requireHome } from '../../host/home.js';
import { removeStaleSessions } from '../../session/session-dir.js';
import { chooseRuntimeDir } from '../../session/runtime-dir.js';
import { agsLauncher } from '../../shell/alias-set.js';
import { selfLinkState } from '../../shell/self-link.js';
import { displayPath } from '../../util/paths.js';
import { removeTree } from '../../util/remove-tree.js';
import { shQuote } from '../../shell/quote.js';
import { AgsError } from '../../errors.js';
import { isDryRun, removeAliases, wrapperDir } from './alias-files.js';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The user config (not an overlay) for the paths ags keeps, or the defaults when it cannot be read. */
function userConfig(env: NodeJS.ProcessEnv): Config {
  const path = defaultUserConfigPath(env);
  try {
    if (existsSync(path)) return ConfigSchema.parse(readConfigFile(path, 'user', env).expanded);
  } catch (err) {
    if (!(err instanceof AgsError)) throw err;
  }
  return defaultConfig(env);
}

/** The runtime dir, unless a run is using it: stale sessions go first; a live one keeps the whole dir. */
function removeRuntimeDir(dryRun: boolean): string | null {
  let dir: string;
  try {
    dir = chooseRuntimeDir(process.env, process.getuid!());
  } catch {
    return null;
  }
  if (!existsSync(dir)) return null;
  if (!dryRun) removeStaleSessions(dir);
  const live = readdirSync(dir).filter((n) => n.startsWith('session-'));
  if (live.length > 0 && !dryRun) {
    say(`kept ${displayPath(dir)}: ${live.length} run(s) are using it`);
    return null;
  }
  if (!dryRun) removeTree(dir);
  return dir;
}

/** `ags uninstall`: removes what ags put on the host for the shell and runs, and says what it leaves. */
export function uninstallCommand(): Command {
  return new Command('uninstall')
    .description('remove the wrappers, alias blocks, the --link-self link and run state; list what is left')
    .option('--dir <dir>', 'where install put the wrappers (default: ~/.local/bin)')
    .option('--dry-run', 'say what would be removed; remove nothing')
    .action((opts: { dir?: string }, cmd: Command) => {
      const home = requireHome(process.env, { mustExist: true });
      const dryRun = isDryRun(cmd);
      const would = dryRun ? 'would be ' : '';
      for (const line of removeAliases(home, opts, dryRun)) say(line);
      const link = join(wrapperDir(opts.dir, home), 'ags');
      if (selfLinkState(link, agsLauncher()) === 'ours') {
        if (!dryRun) rmSync(link);
        say(`${would}removed ${displayPath(link)}`);
      }
      const runtime = removeRuntimeDir(dryRun);
      if (runtime) say(`${would}removed ${displayPath(runtime)} (run state)`);

      const config = userConfig(process.env);
      const left: [string, string][] = [
        [
          `agent homes and tools in ${displayPath(config.sandbox.data_dir)}`,
          `rm -rf ${shQuote(config.sandbox.data_dir)}`,
        ],
        [`caches in ${displayPath(config.sandbox.cache_dir)}`, `rm -rf ${shQuote(config.sandbox.cache_dir)}`],
        [
          `your config in ${displayPath(dirname(defaultUserConfigPath(process.env)))}`,
          `rm -rf ${shQuote(dirname(defaultUserConfigPath(process.env)))}`,
        ],
        [
          `trust decisions and remembered workspaces in ${displayPath(dirname(trustStorePath(process.env)))}`,
          `rm -rf ${shQuote(dirname(trustStorePath(process.env)))}`,
        ],
        [`the image ${config.sandbox.image}`, `podman image rm ${shQuote(config.sandbox.image)}`],
      ];
      say('left in place (remove them yourself if you want):');
      for (const [what, how] of left) say(`  ${what}: ${how}`);
    });
}
