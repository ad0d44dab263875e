import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { ConfigError, UsageError } from '../../errors.js';
import { configJsonSchema } from '../../config/json-schema.js';
import { findRepoRoot, overlayPath } from '../../config/locate.js';
import {
  loadConfig,
  readConfigFile,
  readRepoOverlay,
  resolveUserConfigPath,
  type LoadedConfig,
} from '../../config/load.js';
import { ADDITIVE_ARRAYS, isTable } from '../../config/merge.js';
import { displayPath, formatPath, type PathSegment } from '../../config/positions.js';
import { showValue } from '../../config/show-value.js';
import { writeStarterConfig } from '../../config/starter.js';
import { escapeText, safeJson, scrubText } from '../../util/terminal-text.js';

/** The global `--config PATH` option, seen from any subcommand. */
export function configOption(cmd: Command): string | undefined {
  return (cmd.optsWithGlobals() as { config?: string }).config;
}

export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** The longest value `config show` prints on one line (a user's own lists can be long). */
const MAX_SHOWN = 4000;

/** `key = value  # origin` lines, in the same granularity as the origin map. */
function showLines(loaded: LoadedConfig): string[] {
  const lines: string[] = [];
  const origin = (path: PathSegment[]) => loaded.origins[formatPath(path)] ?? 'default';
  const walk = (value: unknown, path: PathSegment[]) => {
    const dotted = path.filter((s) => typeof s === 'string').join('.');
    if (isTable(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    } else if (Array.isArray(value) && ADDITIVE_ARRAYS.has(dotted) && value.length > 0) {
      value.forEach((v, i) =>
        lines.push(`${displayPath([...path, i])} = ${showValue(v, MAX_SHOWN)}  # ${origin([...path, i])}`),
      );
    } else {
      lines.push(`${displayPath(path)} = ${showValue(value, MAX_SHOWN)}  # ${origin(path)}`);
    }
  };
  walk(loaded.config, []);
  return lines;
}

function showCommand(): Command {
  return new Command('show')
    .description('print the effective config, with where each value comes from (default, user, overlay)')
    .option('--json', 'print JSON: { config, origins, user_config, overlay, repo_root }')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const loaded = await loadConfig({
        configPath: configOption(cmd),
        cwd: process.cwd(),
        env: process.env,
        interactive: isInteractive(),
      });
      if (opts.json) {
        out(
          safeJson(
            {
              config: loaded.config,
              origins: loaded.origins,
              user_config: loaded.userConfigPath,
              overlay: loaded.overlay,
              repo_root: loaded.repoRoot,
            },
            2,
          ),
        );
        return;
      }
      const user = loaded.userConfigPath;
      out(`# user config: ${user === null ? 'none (built-in defaults)' : escapeText(user, 4096)}`);
      out(
        `# repo overlay: ${loaded.overlay.status === 'absent' ? 'none' : `${escapeText(loaded.overlay.path, 4096)} (${loaded.overlay.status})`}`,
      );
      out(showLines(loaded).join('\n'));
    });
}

function validateCommand(): Command {
  return new Command('validate')
    .description('check a config file (default: your config, and the overlay of the current repository)')
    .argument('[file]', 'the file to check')
    .option('--overlay', 'check FILE as a repo overlay (with the overlay restrictions)')
    .action(async (file: string | undefined, opts: { overlay?: boolean }, cmd: Command) => {
      if (file !== undefined) {
        if (file === '') throw new UsageError('the FILE to check is empty', 'ags config validate FILE');
        const path = resolve(file);
        if (!existsSync(path)) throw new ConfigError(`config file not found: ${escapeText(path, 4096)}`);
        readConfigFile(path, opts.overlay ? 'overlay' : 'user', process.env);
        out(`ok: ${escapeText(path, 4096)}${opts.overlay ? ' (as a repo overlay)' : ''}`);
        return;
      }
      if (opts.overlay)
        throw new UsageError('--overlay needs a FILE', 'ags config validate --overlay .ags/config.toml');
      const explicit = configOption(cmd);
      const userPath = resolveUserConfigPath(explicit, process.cwd(), process.env);
      if (existsSync(userPath)) {
        readConfigFile(userPath, 'user', process.env);
        out(`ok: ${escapeText(userPath, 4096)}`);
      } else if (explicit !== undefined) {
        throw new ConfigError(`config file not found: ${escapeText(userPath, 4096)}`);
      } else {
        out(`no config file at ${escapeText(userPath, 4096)}; the built-in defaults apply`);
      }
      const root = await findRepoRoot(process.cwd(), process.env);
      if (root !== null && readRepoOverlay(root, process.env) !== null) {
        out(`ok: ${escapeText(overlayPath(root), 4096)} (repo overlay)`);
      }
    });
}

function initCommand(): Command {
  return new Command('init')
    .description('write a commented starter config (to --config PATH, or the default location)')
    .option('--force', 'overwrite an existing file')
    .action((opts: { force?: boolean }, cmd: Command) => {
      const path = resolveUserConfigPath(configOption(cmd), process.cwd(), process.env);
      writeStarterConfig(path, Boolean(opts.force));
      out(`wrote ${escapeText(path, 4096)}`);
    });
}

export function configCommand(): Command {
  return new Command('config')
    .description('inspect, check and create the ags configuration')
    .addCommand(showCommand())
    .addCommand(validateCommand())
    .addCommand(
      new Command('path')
        .description('print the path of the user config file (whether or not it exists)')
        .action((_opts: unknown, cmd: Command) => {
          // controls escaped, backslashes kept: the output is meant for $(ags config path)
          out(scrubText(resolveUserConfigPath(configOption(cmd), process.cwd(), process.env)));
        }),
    )
    .addCommand(
      new Command('schema').description('print the JSON Schema of the config file').action(() => {
        out(safeJson(configJsonSchema(), 2));
      }),
    )
    .addCommand(initCommand());
}
