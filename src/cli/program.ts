import { Command, Option } from 'commander';
import { VERSION } from '../util/package-root.js';
import { UsageError } from './errors.js';
import { guardCommand } from './commands/guard.js';

export const AGENT_NAMES = ['claude', 'codex', 'gemini', 'opencode', 'pi', 'shell'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

const EXAMPLES = `
Examples:
  ags --agent shell                      open a shell in the sandbox, in the current repository
  ags --agent shell -- -c 'make test'    run one command in the sandbox and return its exit code
  ags --agent claude -- -p "fix the bug" run Claude Code with a prompt
  ags --agent claude --dry-run           print the launch plan and the podman command, start nothing

Exit codes: 2 for usage or config errors, 1 for runtime failures, otherwise the agent's own exit code.`;

/** Builds the commander program; subcommands register themselves from src/cli/commands/. */
export function buildProgram(): Command {
  const program = new Command('ags')
    .description('Run AI coding agents in a rootless sandbox on your own machine.')
    .version(VERSION, '-V, --version', 'print the ags version')
    .helpOption('-h, --help', 'show help')
    .addOption(new Option('--agent <name>', 'the agent to run').choices(AGENT_NAMES))
    .addHelpText('after', EXAMPLES)
    .showSuggestionAfterError(true)
    .exitOverride()
    .action((opts: { agent?: AgentName }) => {
      if (!opts.agent) {
        throw new UsageError('missing --agent', `choose one of: ${AGENT_NAMES.join(', ')} (see ags --help)`);
      }
    });
  program.addCommand(guardCommand());
  return program;
}
