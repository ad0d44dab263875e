import { type Command, CommanderError } from 'commander';
import { AgsError, EXIT_RUNTIME, EXIT_USAGE, formatError } from './errors.js';
import { type CliState, buildProgram } from './program.js';

/**
 * Entry point. Turns every failure into one readable line and the exit code of the convention:
 * 2 usage/config, 1 runtime, otherwise whatever the command returned (the agent's own code for a run).
 */
export async function main(argv: string[]): Promise<void> {
  // `ags --help | head` closes the pipe early; that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  process.exitCode = await runCli(argv);
}

/** Root options that take a value, so their value is not mistaken for a subcommand name. */
const VALUE_OPTIONS = new Set(['--agent', '--config', '-d', '--add-dir']);

/** The subcommand named before any `--`, or null for a run. */
function firstSubcommand(program: Command, argv: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return null;
    if (VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return program.commands.some((c) => c.name() === arg || c.aliases().includes(arg)) ? arg : null;
  }
  return null;
}

export async function runCli(argv: string[]): Promise<number> {
  const state: CliState = { exitCode: 0, agentArgs: [] };
  const program = buildProgram(state);
  // In a run, everything after the first `--` belongs to the agent: commander never sees it, so an agent
  // argument named like an ags subcommand cannot be taken for one. Subcommands parse their own `--`.
  const sep = firstSubcommand(program, argv) === null ? argv.indexOf('--') : -1;
  if (sep !== -1) state.agentArgs = argv.slice(sep + 1);
  // Subcommands added with addCommand() do not inherit these settings, so apply them to the whole tree.
  const configure = (cmd: Command): void => {
    cmd.exitOverride().showSuggestionAfterError(true);
    cmd.configureOutput({
      // commander already prints "error: ..." lines; prefix them so they read like every other ags error.
      outputError: (text, write) => write(`ags: ${text.replace(/^error: /, '')}`),
    });
    cmd.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync(sep === -1 ? argv : argv.slice(0, sep), { from: 'user' });
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version "errors" are successful exits
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (err instanceof AgsError) {
      process.stderr.write(formatError(err));
      return err.exitCode;
    }
    process.stderr.write(
      `ags: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT_RUNTIME;
  }
}
