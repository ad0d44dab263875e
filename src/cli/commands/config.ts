import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { ConfigError, UsageError } from '../errors.js';
import { configJsonSchema } from '../../config/json-schema.js';
import { defaultUserConfigPath, findRepoRoot, overlayPath } from '../../config/locate.js';
import { loadConfig, readConfigFile, type LoadedConfig } from '../../config/load.js';
import { ADDITIVE_ARRAYS, isTable } from '../../config/merge.js';
import { formatPath, type PathSegment } from '../../config/positions.js';
import { starterConfig } from '../../config/starter.js';

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

/** TOML-like rendering of one value on one line. */
function inline(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  if (isTable(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return entries.length === 0
      ? '{}'
      : `{ ${entries.map(([k, x]) => `${formatPath([k])} = ${inline(x)}`).join(', ')} }`;
  }
  return String(v);
}

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
        lines.push(`${formatPath([...path, i])} = ${inline(v)}  # ${origin([...path, i])}`),
      );
    } else {
      lines.push(`${formatPath(path)} = ${inline(value)}  # ${origin(path)}`);
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
          JSON.stringify(
            {
              config: loaded.config,
              origins: loaded.origins,
              user_config: loaded.userConfigPath,
              overlay: loaded.overlay,
              repo_root: loaded.repoRoot,
            },
            null,
            2,
          ),
        );
        return;
      }
      out(`# user config: ${loaded.userConfigPath ?? 'none (built-in defaults)'}`);
      out(
        `# repo overlay: ${loaded.overlay.status === 'absent' ? 'none' : `${loaded.overlay.path} (${loaded.overlay.status})`}`,
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
        const path = resolve(file);
        if (!existsSync(path)) throw new ConfigError(`config file not found: ${path}`);
        readConfigFile(path, opts.overlay ? 'overlay' : 'user', process.env);
        out(`ok: ${path}${opts.overlay ? ' (as a repo overlay)' : ''}`);
        return;
      }
      if (opts.overlay)
        throw new UsageError('--overlay needs a FILE', 'ags config validate --overlay .ags/config.toml');
      const explicit = configOption(cmd);
      const userPath = explicit !== undefined ? resolve(explicit) : defaultUserConfigPath(process.env);
      if (existsSync(userPath)) {
        readConfigFile(userPath, 'user', process.env);
        out(`ok: ${userPath}`);
      } else if (explicit !== undefined) {
        throw new ConfigError(`config file not found: ${userPath}`);
      } else {
        out(`no config file at ${userPath}; the built-in defaults apply`);
      }
      const root = await findRepoRoot(process.cwd(), process.env);
      if (root !== null && existsSync(overlayPath(root))) {
        readConfigFile(overlayPath(root), 'overlay', process.env);
        out(`ok: ${overlayPath(root)} (repo overlay)`);
      }
    });
}

function initCommand(): Command {
  return new Command('init')
    .description('write a commented starter config (to --config PATH, or the default location)')
    .option('--force', 'overwrite an existing file')
    .action((opts: { force?: boolean }, cmd: Command) => {
      const explicit = configOption(cmd);
      const path = explicit !== undefined ? resolve(explicit) : defaultUserConfigPath(process.env);
      if (existsSync(path) && !opts.force) {
        throw new UsageError(`${path} already exists`, 'use `ags config init --force` to overwrite it');
      }
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, starterConfig(), { mode: 0o644 });
      out(`wrote ${path}`);
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
          const explicit = configOption(cmd);
          out(explicit !== undefined ? resolve(explicit) : defaultUserConfigPath(process.env));
        }),
    )
    .addCommand(
      new Command('schema').description('print the JSON Schema of the config file').action(() => {
        out(JSON.stringify(configJsonSchema(), null, 2));
      }),
    )
    .addCommand(initCommand());
}
