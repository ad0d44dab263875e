import type { Argument, Command, Option } from 'commander';

/** What the word after an option (or a positional argument) completes to. */
export type ValueKind =
  { kind: 'words'; words: string[] } | { kind: 'file' } | { kind: 'dir' } | { kind: 'any' };

export interface CommandEntry {
  /** The words that select it: '' for ags itself, 'config show' for a nested command. */
  path: string;
  subcommands: string[];
  /** Every flag it takes (short and long), with what its value completes to; null for a flag without one. */
  options: { flag: string; value: ValueKind | null }[];
  /** What its positional arguments complete to, when anything. */
  args: ValueKind | null;
}

/** Value placeholders that name a path: `<dir>` completes directories, `<path>` and `<file>` files. */
function placeholderKind(name: string): ValueKind {
  const n = name.toLowerCase();
  if (n === 'dir' || n === 'directory') return { kind: 'dir' };
  if (n === 'path' || n === 'file') return { kind: 'file' };
  return { kind: 'any' };
}

function optionValue(o: Option): ValueKind | null {
  if (!o.required && !o.optional) return null;
  if (o.argChoices && o.argChoices.length > 0) return { kind: 'words', words: [...o.argChoices] };
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1] ?? '';
  return placeholderKind(placeholder);
}

function argumentValue(a: Argument): ValueKind | null {
  if (a.argChoices && a.argChoices.length > 0) return { kind: 'words', words: [...a.argChoices] };
  const kind = placeholderKind(a.name());
  return kind.kind === 'any' ? null : kind;
}

function flagsOf(options: readonly Option[]): CommandEntry['options'] {
  return options.flatMap((o) =>
    [o.short, o.long].filter((f): f is string => Boolean(f)).map((flag) => ({ flag, value: optionValue(o) })),
  );
}

/**
 * Every command of the program, walked from commander's own definitions, so completions follow the CLI: its
 * subcommands, flags and their values (choices, paths by placeholder name), and positional arguments. A
 * subcommand also takes the root options that are not a run's (`--config`): all but `runOnly`, the attribute
 * names of the run options (src/cli/option-rules.ts).
 */
export function completionTable(program: Command, runOnly: readonly string[]): CommandEntry[] {
  const shared = flagsOf(
    program.options.filter((o) => !runOnly.includes(o.attributeName()) && o.long !== '--version'),
  );
  const help = [
    { flag: '-h', value: null },
    { flag: '--help', value: null },
  ];
  const entries: CommandEntry[] = [];
  // hidden commands (ags's own internals) are not offered
  const shown = (cmd: Command) =>
    cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const walk = (cmd: Command, path: string) => {
    const own = flagsOf(cmd.options);
    entries.push({
      path,
      subcommands: shown(cmd).map((c) => c.name()),
      options: [
        ...own,
        ...(path === '' ? [] : shared.filter((s) => !own.some((o) => o.flag === s.flag))),
        ...help,
      ],
      args: cmd.registeredArguments.map(argumentValue).find((v) => v !== null) ?? null,
    });
    for (const sub of shown(cmd)) walk(sub, path === '' ? sub.name() : `${path} ${sub.name()}`);
  };
  walk(program, '');
  return entries;
}
