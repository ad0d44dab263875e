/** The shells ags writes aliases and completions for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type ShellName = (typeof SHELLS)[number];

/**
 * Characters no shell ags writes for treats specially, so a word of only these needs no quotes (a leading `=`
 * would be zsh's `=command` expansion, a leading `~` a home directory).
 */
const BARE = /^[A-Za-z0-9_./:@+,-][A-Za-z0-9_./:=@+,-]*$/;

/**
 * One word for a POSIX shell (sh, bash, zsh): single quotes, inside which nothing is special but the quote
 * itself, written as '\'' (end quote, escaped quote, reopen).
 */
export function shQuote(word: string): string {
  if (BARE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** One word for fish: inside fish's single quotes, `\` and `'` are the only escapes. */
export function fishQuote(word: string): string {
  if (BARE.test(word)) return word;
  return `'${word.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export function quoteFor(shell: ShellName): (word: string) => string {
  return shell === 'fish' ? fishQuote : shQuote;
}
