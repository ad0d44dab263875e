import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AGENT_NAMES } from '../../agents/types.js';
import { ConfigError } from '../errors.js';
import { readConfigFile, resolveUserConfigPath } from '../config/load.js';
import { ALIAS_NAME, ALIAS_NAME_RULE, type Alias, ConfigSchema, aliasArgsProblem } from '../config/schema.js';
import { PACKAGE_ROOT } from '../util/package-root.js';
import { escapeText } from '../util/terminal-text.js';

/**
 * The default set when the config has no `[[alias]]`: `ags-<agent>` for every agent, and `ags-<agent>-locked`
 * when this ags has a `--lockdown` run option (read from the program, so the set follows the CLI).
 */
export function defaultAliases(program: Command): Alias[] {
  const lockdown = program.options.some((o) => o.long === '--lockdown');
  return AGENT_NAMES.flatMap((agent) => [
    { name: `ags-${agent}`, args: ['--agent', agent] },
    ...(lockdown ? [{ name: `ags-${agent}-locked`, args: ['--agent', agent, '--lockdown'] }] : []),
  ]);
}

/** Why a name or args cannot be an alias (the config schema checks the same for `[[alias]]`), or null. */
export function aliasProblem(alias: Alias): string | null {
  if (!ALIAS_NAME.test(alias.name) || alias.name.length > 64)
    return `alias name "${alias.name}" ${ALIAS_NAME_RULE}`;
  return aliasArgsProblem(alias.args);
}

/** The ags launcher this process runs from, by real path, which every wrapper and alias executes. */
export function agsLauncher(): string {
  return realpathSync(join(PACKAGE_ROOT, 'bin', 'ags.js'));
}

/**
 * The words of an alias before the user's own arguments: the launcher, the alias's ags arguments, and a `--`
 * (unless the alias has one), so everything the user adds goes to the agent.
 */
export function aliasWords(launcher: string, alias: Alias): string[] {
  return [launcher, ...alias.args, ...(alias.args.includes('--') ? [] : ['--'])];
}

/** The `[[alias]]` entries of the user config (never a repo overlay's, which may not have any), checked. */
export function configuredAliases(
  configPath: string | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Alias[] {
  const path = resolveUserConfigPath(configPath, cwd, env);
  if (configPath !== undefined && !existsSync(path)) {
    throw new ConfigError(
      `config file not found: ${escapeText(path, 4096)}`,
      'give an existing file, or leave out --config to use the default',
    );
  }
  if (!existsSync(path)) return [];
  const { expanded } = readConfigFile(path, 'user', env);
  return ConfigSchema.parse(expanded).alias;
}

/**
 * The alias set create-aliases and install write: the user config's, else the default one; every entry
 * checked again here (the schema checks configured ones; this also holds for the defaults).
 */
export function aliasSet(
  program: Command,
  configPath: string | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Alias[] {
  const configured = configuredAliases(configPath, cwd, env);
  const aliases = configured.length > 0 ? configured : defaultAliases(program);
  for (const alias of aliases) {
    const problem = aliasProblem(alias);
    if (problem !== null)
      throw new ConfigError(
        problem.startsWith('alias name') ? problem : `alias ${JSON.stringify(alias.name)}: ${problem}`,
      );
  }
  return aliases;
}
