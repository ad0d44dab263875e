import { type Command, CommanderError } from 'commander';
import { escapeText, scrubText } from '../util/terminal-text.js';
import { AgsError, EXIT_RUNTIME, EXIT_USAGE, UsageError, formatError } from '../errors.js';
import { subcommandNamed } from './help-command.js';
import { buildProgram } from './program.js';

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
    return subcommandNamed(program, arg) ? arg : null;
  }
  return null;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    let exitCode = 0;
    const agentArgs: string[] = [];
    const program = buildProgram(agentArgs, (code) => (exitCode = code));
    // In a run, everything after the first `--` belongs to the agent: commander never sees it, so an agent
    // argument named like an ags subcommand cannot be taken for one. Subcommands parse their own `--`.
    const sep = firstSubcommand(program, argv) === null ? argv.indexOf('--') : -1;
    if (sep !== -1) agentArgs.push(...argv.slice(sep + 1));
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
    await program.parseAsync(sep === -1 ? argv : argv.slice(0, sep), { from: 'user' });
    return exitCode;
  } catch (err) {
    return reportFailure(err);
  }
}

/** Prints a failure as one line and returns its exit code. */
function reportFailure(err: unknown): number {
  if (err instanceof CommanderError) {
    // help and version "errors" are successful exits; commander has already printed its line
    return err.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  const known = err instanceof AgsError ? err : cwdGone(err);
  if (known) {
    process.stderr.write(formatError(known));
    return known.exitCode;
  }
  process.stderr.write(internalErrorText(err, process.env.AGS_DEBUG === '1'));
  return EXIT_RUNTIME;
}

/**
 * The current directory was deleted (or cannot be read): anything that asks for it, even resolving a relative
 * path, fails with this. It is the user's situation, not a bug.
 */
function cwdGone(err: unknown): AgsError | null {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.syscall !== 'uv_cwd') return null;
  const why = e.code === 'ENOENT' ? 'it no longer exists' : `${e.code ?? 'unknown error'}`;
  return new UsageError(
    `cannot use the current directory: ${why}`,
    'cd into an existing directory and try again',
  );
}

/**
 * A bug in ags: one line that says so and where to report it; the stack trace only with AGS_DEBUG=1. The message
 * is escaped and bounded (it can carry paths from the workspace).
 */
export function internalErrorText(err: unknown, debug: boolean): string {
  const raw = err instanceof Error ? err.message : String(err);
  const message = escapeText(raw.split('\n')[0]!, 300);
  const line = `ags: internal error (a bug in ags): ${message}; run again with AGS_DEBUG=1 and report the output in the ags repository's issues\n`;
  if (!debug) return line;
  const stack = err instanceof Error && err.stack ? err.stack : String(err);
  return `${line}${stack.split('\n').map(scrubText).join('\n')}\n`;
}
