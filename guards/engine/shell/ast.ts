/** The shell AST the guard works on: only what matters to decide what runs, not a full POSIX grammar. */

/** A piece of a word. `q` is true when the text was quoted (no globbing, no tilde, no brace expansion). */
export type Part =
  | { k: 'lit'; v: string; q: boolean }
  /** `$NAME`, `${NAME…}`; `op` is the operator after the name in `${…}` (`:-`, `:?`, `#`, …), `subs` the scripts inside. */
  /** `computed`: unknown, but the script set it (see interp.ts scriptComputed), so it could be anything. */
  | { k: 'param'; name: string; op: string; raw: string; q: boolean; subs: Script[]; computed?: boolean }
  /** `$(…)` or a backtick substitution. */
  | { k: 'cmdsub'; script: Script; raw: string; q: boolean }
  /** `<(…)` or `>(…)`. */
  | { k: 'procsub'; script: Script; dir: '<' | '>'; raw: string }
  /** `$((…))`; `subs` holds any command substitutions inside. */
  | { k: 'arith'; raw: string; subs: Script[] };

export interface Word {
  parts: Part[];
  /** The source text of the word, for display. */
  raw: string;
}

export interface Heredoc {
  delim: string;
  /** The delimiter was quoted: the body is taken literally. */
  quoted: boolean;
  /** `<<-`: leading tabs are stripped. */
  strip: boolean;
  body: string;
  /** For an unquoted delimiter: the body with its expansions (command substitutions run). */
  parts: Part[] | null;
  terminated: boolean;
}

export interface Redirect {
  /** `<`, `>`, `>>`, `>|`, `<>`, `<&`, `>&`, `&>`, `&>>`, `<<`, `<<-`, `<<<`. */
  op: string;
  fd: string | null;
  target: Word | null;
  heredoc: Heredoc | null;
}

export interface SimpleCommand {
  k: 'cmd';
  assigns: Word[];
  words: Word[];
  redirs: Redirect[];
  /** A `for NAME [in WORDS]` header: binds NAME to each word (null: to the positional parameters). */
  loop?: { name: string; items: Word[] | null };
  /** Array assignments `NAME=(WORDS)` at the start of the command. */
  /** `a=(…)`, `a+=(…)` (append). */
  arrays?: Array<{ name: string; items: Word[]; append?: boolean; declared?: boolean }>;
}

export interface Group {
  k: 'group';
  /** `(…)` runs in a subshell, `{ …; }` and compound commands (if, while, case, functions) do not. */
  subshell: boolean;
  body: Script;
  redirs: Redirect[];
  /** A function definition `name() { … }` / `function name { … }`: the function's name. */
  fn?: string;
}

export type Stage = SimpleCommand | Group;

export interface Pipeline {
  stages: Stage[];
  /** Ended by `&`. */
  background: boolean;
  /** Started in the background inside a loop that never ends on its own: an unbounded number of processes. */
  endless?: boolean;
}

export interface Script {
  /** Pipelines in source order; `&&`, `||`, `;`, `&` and newlines all just separate them for the guard. */
  pipelines: Pipeline[];
}
