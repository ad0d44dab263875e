/** The shells ags writes aliases and completions for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type ShellName = (typeof SHELLS)[number];

/**
 * One word for a POSIX shell (sh, bash, zsh): single quotes, inside which nothing is special but the quote
 * itself, written as '\'' (end quote, escaped quote, reopen).
 */
export function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** One word for fish: inside fish's single quotes, `\` and `'` are the only escapes. */
export function fishQuote(word: string): string {
  return `'${word.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export function quoteFor(shell: ShellName): (word: string) => string {
  return shell === 'fish' ? fishQuote : shQuote;
}
