import { type Command, InvalidArgumentError } from 'commander';
import { quoteText } from '../util/terminal-text.js';
import { UsageError } from '../errors.js';

/** The root options that only a run takes; `--config` is shared with the subcommands. */
export const RUN_ONLY = [
  'agent',
  'addDir',
  'defaults',
  'tmux',
  'root',
  'yolo',
  'dryRun',
  'network',
  'allowDomain',
  'lockdown',
  'secret',
];

/** `config show`, `update-agents`, and `` for the root command (a run). */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * commander accepts root options anywhere, so `ags --dry-run update-agents claude` would really install:
 * a run option given with a subcommand is refused, naming it.
 */
export function refuseRunOptions(program: Command, action: Command): void {
  for (const key of RUN_ONLY) {
    if (program.getOptionValueSource(key) !== 'cli') continue;
    // a subcommand's own option of that name (`create-aliases --dry-run`): commander gives it to the root
    if (action.options.some((o) => o.attributeName() === key)) continue;
    const flag = program.options.find((o) => o.attributeName() === key)!.long!;
    const path = commandPath(action);
    throw new UsageError(
      `${flag} is an option of a run; \`ags ${path}\` does not take it`,
      key === 'agent'
        ? `to give the agent the argument '${path}', put it after '--': ags --agent NAME -- ${path}`
        : 'run an agent with: ags --agent NAME [options] [-- agent args]',
    );
  }
}

/** An option parser that refuses the option a second time (commander would silently take the last). */
export function once<T>(
  flag: string,
  parse: (value: string) => T,
): (value: string, previous: T | undefined) => T {
  return (value, previous) => {
    if (previous !== undefined) {
      const both = [String(previous), value].map((v) => quoteText(v, 80)).join(' and ');
      throw new UsageError(`${flag} is given twice (${both})`, `give ${flag} once`);
    }
    return parse(value);
  };
}

/** commander's choices() check, for a parser of our own (`choices()` keeps listing them in --help). */
export function oneOf<T extends string>(value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.`);
  }
  return value as T;
}
