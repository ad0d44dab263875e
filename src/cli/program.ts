import { Command, InvalidArgumentError, Option } from 'commander';
import { AGENT_NAMES, type AgentName } from '../../agents/types.js';
import { requireHome } from '../host/home.js';
import { VERSION } from '../util/package-root.js';
import { NETWORK_MODES } from '../config/schema.js';
import type { NetworkModeName } from '../launch/network.js';
import { afterKillCommand as afterKillInternalCommand } from './commands/after-kill.js';
import { completionsCommand } from './commands/completions.js';
import { configCommand } from './commands/config.js';
import { createAliasesCommand } from './commands/create-aliases.js';
import { doctorCommand } from './commands/doctor.js';
import { guardCommand } from './commands/guard.js';
import { installCommand } from './commands/install.js';
import { removeAliasesCommand } from './commands/remove-aliases.js';
import { setupCommand } from './commands/setup.js';
import { runAgent } from './commands/run.js';
import { trustCommand } from './commands/trust.js';
import { uninstallCommand } from './commands/uninstall.js';
import { updateAgentsCommand } from './commands/update-agents.js';
import { updateImageCommand } from './commands/update-image.js';
import { UsageError } from '../errors.js';
import { type ReportExit, returningExit } from './command-exit.js';
import { helpCommand, strayWord } from './help-command.js';
import { commandPath, once, oneOf, refuseRunOptions } from './option-rules.js';

export { AGENT_NAMES, type AgentName };

const EXAMPLES = `
Examples:
  ags --agent shell                      open a shell in the sandbox, in the current repository
  ags --agent shell -- -c 'make test'    run one command in the sandbox and return its exit code
  ags --agent claude -- -p "fix the bug" run Claude Code with a prompt
  ags --agent claude -D -d ../lib        Claude with its sandbox defaults and ../lib mounted too
  ags --agent claude --dry-run           print the launch plan and the podman command, start nothing
  ags --agent claude --lockdown --secret ANTHROPIC_API_KEY
                                         open a repository you do not trust: only the key you name gets in

Arguments after -- go to the agent unchanged.
Exit codes: 2 for usage or config errors, 1 for runtime failures, otherwise the agent's own exit code.`;

interface RootOptions {
  agent?: AgentName;
  addDir?: string[];
  defaults?: boolean;
  tmux?: boolean;
  root?: boolean;
  yolo?: boolean;
  dryRun?: boolean;
  config?: string;
  network?: NetworkModeName;
  allowDomain?: string[];
  lockdown?: boolean;
  secret?: string[];
}

/**
 * Builds the commander program; subcommands each live in src/cli/commands/. `agentArgs` is everything after the
 * first `--` (the agent's); each command's exit code goes to `report`.
 */
export function buildProgram(agentArgs: string[], report: ReportExit): Command {
  const program = new Command('ags')
    .description('Run AI coding agents in a rootless sandbox on your own machine.')
    .usage('--agent <name> [options] [-- agent args]\n       ags <command> [options]')
    .version(VERSION, '-V, --version', 'print the ags version')
    .helpOption('-h, --help', 'show help')
    .addOption(
      new Option('--agent <name>', 'the agent to run')
        .choices(AGENT_NAMES)
        .argParser(once('--agent', (v) => oneOf(v, AGENT_NAMES))),
    )
    .option('-d, --add-dir <dir>', 'also mount DIR read-write at the same path (repeatable)', collectPath)
    .option('-D, --defaults', "put the agent's sandbox defaults before its arguments")
    .option('--tmux', 'run the agent inside tmux in the sandbox (needs a terminal)')
    .option('--root', 'run as root inside the container (to install packages)')
    .option('--yolo', 'turn the guard off (loud warning)')
    .addOption(
      new Option('--network <mode>', "this run's network: open, allowlist (through the host proxy) or none")
        .choices(NETWORK_MODES)
        .argParser(once('--network', (v) => oneOf(v, NETWORK_MODES))),
    )
    .option(
      '--allow-domain <host>',
      'under the allowlist network (--network allowlist, or lockdown), also allow HOST, *.DOMAIN, an IP, a CIDR range or an @preset (repeatable)',
      collectWord,
    )
    .option(
      '--lockdown',
      "for a repository you do not trust: fresh home, no mounts, secrets or overlay, only the agent's API reachable, guard fail-closed",
    )
    .option(
      '--secret <name>',
      'give the run the [[secret]] whose env is NAME, else host variable NAME (repeatable; the only secrets in lockdown)',
      collectEnvName,
    )
    .option('--dry-run', 'print the launch plan and the podman command; start nothing')
    .addOption(
      new Option(
        '--config <path>',
        'use this config file instead of ~/.config/ags/config.toml (must exist)',
      ).argParser(once('--config', (v) => v)),
    )
    .addHelpText('after', EXAMPLES)
    .showSuggestionAfterError(true)
    .exitOverride()
    .hook('preAction', (_root, action) => {
      if (action === program) return; // a run checks its own words first, below
      refuseRunOptions(program, action);
      if (needsHome(action)) requireHome(process.env, { mustExist: startsContainers(action) });
    })
    .action(
      returningExit(report, async (opts: RootOptions, cmd: Command) => {
        if (cmd.args.length > 0) throw strayWord(program, cmd.args[0]!, Boolean(opts.agent));
        if (!opts.agent) {
          throw new UsageError(
            'missing --agent',
            `choose one of: ${AGENT_NAMES.join(', ')} (see ags --help)`,
          );
        }
        requireHome(process.env, { mustExist: true });
        return runAgent(
          {
            agent: opts.agent,
            addDir: opts.addDir ?? [],
            defaults: Boolean(opts.defaults),
            tmux: Boolean(opts.tmux),
            root: Boolean(opts.root),
            yolo: Boolean(opts.yolo),
            dryRun: Boolean(opts.dryRun),
            config: opts.config,
            network: opts.network,
            allowDomain: opts.allowDomain ?? [],
            lockdown: Boolean(opts.lockdown),
            secret: opts.secret ?? [],
          },
          agentArgs,
        );
      }),
    );
  program.allowExcessArguments(true);
  program.addCommand(configCommand());
  program.addCommand(trustCommand());
  program.addCommand(doctorCommand(report));
  program.addCommand(updateImageCommand(report));
  program.addCommand(updateAgentsCommand(report));
  program.addCommand(guardCommand(report));
  program.addCommand(createAliasesCommand(program));
  program.addCommand(removeAliasesCommand());
  program.addCommand(completionsCommand(program));
  program.addCommand(setupCommand(report));
  program.addCommand(installCommand(program));
  program.addCommand(uninstallCommand());
  program.addCommand(helpCommand(program));
  program.addCommand(afterKillInternalCommand(), { hidden: true });
  return program;
}

/** The subcommands that run podman, which needs an existing home directory (as a run does). */
function startsContainers(action: Command): boolean {
  return ['doctor', 'setup', 'update-image', 'update-agents'].includes(commandPath(action));
}

/** Everything but the in-sandbox guard and help derives paths from the home directory. */
function needsHome(action: Command): boolean {
  const top = commandPath(action).split(' ')[0];
  return top !== 'guard' && top !== 'help';
}

/** -d values: an empty one (`-d ''`, an unset variable in `-d "$DIR"`) is refused, never ignored. */
function collectWord(value: string, previous: string[] | undefined): string[] {
  if (value === '') throw new InvalidArgumentError('A value is needed, not an empty string.');
  return [...(previous ?? []), value];
}

/** --secret values: an environment variable name. */
function collectEnvName(value: string, previous: string[] | undefined): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value))
    throw new InvalidArgumentError('An environment variable name is needed (letters, digits and _).');
  return [...(previous ?? []), value];
}

function collectPath(value: string, previous: string[] | undefined): string[] {
  if (value === '') throw new InvalidArgumentError('A path is needed, not an empty string.');
  return [...(previous ?? []), value];
}
