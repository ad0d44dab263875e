import { Command } from 'commander';
import { closest } from '../config/suggest.js';
import { escapeText } from '../util/terminal-text.js';
import { UsageError } from '../errors.js';

/** The subcommand of `parent` called `name` (or aliased so), if there is one. */
export function subcommandNamed(parent: Command, name: string): Command | undefined {
  return parent.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

/** A word from the command line, safe to show: escaped and bounded. */
function shown(word: string): string {
  return escapeText(word, 80);
}

/** `unknown command 'doctr'; did you mean 'doctor'?`, as git and npm say it. */
function unknownCommand(word: string, parent: Command, hint: string): UsageError {
  const guess = closest(
    word,
    parent.commands.map((c) => c.name()),
  );
  return guess
    ? new UsageError(`unknown command '${shown(word)}'; did you mean '${guess}'?`)
    : new UsageError(`unknown command '${shown(word)}'`, hint);
}

/**
 * A word where a run takes none. With --agent it is an agent argument that belongs after `--`; without, a
 * command that does not exist (most often a typo).
 */
export function strayWord(program: Command, word: string, isRun: boolean): UsageError {
  if (isRun) return new UsageError(`unexpected argument '${shown(word)}'`, "put agent arguments after '--'");
  return unknownCommand(
    word,
    program,
    'see `ags help`; to run an agent: ags --agent NAME [options] [-- agent args]',
  );
}

/** `ags help [command...]`: the same text as `--help`, for ags or for one (nested) command. */
export function helpCommand(program: Command): Command {
  return new Command('help')
    .description('show help for ags, or for one command (ags help config show)')
    .argument('[command...]', 'the command')
    .action((words: string[]) => {
      let cmd = program;
      for (const word of words) {
        const sub = subcommandNamed(cmd, word);
        if (!sub) throw unknownCommand(word, cmd, 'see `ags help`');
        cmd = sub;
      }
      cmd.outputHelp();
    });
}
