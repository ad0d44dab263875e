/**
 * The data model of normalization: an invocation is one command that can run, with how it was reached
 * (wrappers, nesting, working directory, stdin source). Shared by the walkers, inline-code analysis and the rules.
 */
import type { Budget } from '../budget.js';
import type { Part, Redirect, Script, Word } from './ast.js';
import { displayText, hasGlob, staticValue } from './words.js';

export interface Arg {
  word: Word;
  /** The literal value, or null when it contains an expansion. */
  value: string | null;
  /** Display text (`$X` and `$(…)` as written). */
  text: string;
  /** Unquoted glob characters. */
  glob: boolean;
  /** Starts with an unquoted `~` (so tilde expansion applies). */
  tilde: boolean;
}

/** Where a command's standard input comes from, as far as the guard can tell. */
export type ProducerKind = 'literal' | 'network' | 'decoded' | 'file' | 'dynamic';

export interface Producer {
  kind: ProducerKind;
  /** For `literal`: the text. */
  text?: string;
  /** What produced it, for messages (`curl`, `base64 -d`, `heredoc`). */
  desc: string;
}

export type Lang = 'python' | 'node' | 'perl' | 'ruby' | 'php' | 'lua' | 'awk' | 'r';

export interface InlineCode {
  lang: Lang;
  /** The flag that introduced the code (`-c`, `-e`), or `program` for awk, `stdin` when the script is read from stdin. */
  flag: string;
  /** The code when literal; null when computed at run time or read from stdin. */
  text: string | null;
  /** The interpreter reads its program from standard input. */
  readsStdin: boolean;
}

export interface Invocation {
  /** Normalized command name: the basename, wrappers removed. Empty when the name is computed at run time. */
  name: string;
  /** The command name is computed at run time (`$CMD`, `$(…)`, a glob). */
  dynamic: boolean;
  args: Arg[];
  redirs: Redirect[];
  /** Standard input when it is not inherited: a pipe, heredoc, here-string or `<` redirection. */
  stdin: Producer | null;
  /** Earlier commands of the same pipeline, nearest last. */
  upstream: Invocation[];
  /** Later commands of the same pipeline (filled once the pipeline is walked). */
  downstream: Invocation[];
  /** The wrappers and nesting that led here, outermost first (`sudo`, `bash -c`, `$(…)`). */
  via: string[];
  level: number;
  /** Extra arguments are appended at run time (`xargs`, `find -exec … +`). */
  appendsArgs: boolean;
  /** For interpreters given code inline (`python -c`, `node -e`, …). */
  code: InlineCode | null;
  /** For `bash -c`, `eval`, `trap`, `su -c`: the string was not literal. */
  evalDynamic: boolean;
  /** For a non-literal eval string: the most worrying source among its substitutions. */
  evalSource: Producer | null;
  /** The commands whose output its arguments substitute (`curl -d "$(env)"` has `env`). */
  subs: Invocation[];
  /** The original words, for display. */
  display: string;
  /** The working directory it runs in, following literal `cd`s earlier in the same command. */
  cwd: string;
  /** A function that runs itself in a pipeline or in the background (a fork bomb's shape). */
  spawnsItself: boolean;
  /** Text this command wrote to the files a database client runs (`-f F`, `\\i F`, `< F`), for the SQL rules. */
  sqlFiles?: string;
  /** `RAILS_ENV=test bin/rails db:reset`: the command's own assignments whose text is known, as `NAME=value`. */
  prefixEnv?: string[];
  /** A redirection target comes from a command's output (`> "$(…)"`, or a variable a substitution or `read` set). */
  targetFed?: boolean;
}

export interface WalkContext {
  budget: Budget;
  warnings: string[];
  out: Invocation[];
  /** The current directory (updated by literal `cd`), and the home directory for `cd` and `~`. */
  cwd: string;
  home: string;
  /** The directory before the last literal `cd` ($OLDPWD, `~-`); unknown until the script changes directory. */
  oldpwd?: string;
  /** The workspace root, for `git rev-parse --show-toplevel`; unknown when absent. */
  workspace?: string;
  /** What the script assigned so far (created on first use). */
  env?: Env;
}

/** One value a variable can have: its parts after expansion. `glob`: produced by pathname expansion (a loop item). */
export interface Alt {
  parts: Part[];
  glob?: boolean;
  /** `"${a[@]}"`: the unquoted blanks between elements split the value even where it is used quoted. */
  fields?: boolean;
}

export interface Env {
  /** Variables the script assigned, with every value they could have. Absent: unknown (from the environment). */
  vars: Map<string, Alt[]>;
  /** `$1`…: known inside a function call or after `set --`; null at the top level. */
  positional: Alt[] | null;
  funcs: Map<string, Script>;
  aliases: Map<string, string>;
  /** Functions being defined or called, innermost last (for recursion). */
  fnStack: string[];
  /**
   * For variables set from a substitution whose output is unknown (`X=$(env | base64)`, `for c in $(…)`): the
   * commands that produced it, so a command using `$X` counts them as its own substitutions (data flows on).
   */
  feeds?: Map<string, Invocation[]>;
  /** `declare -n REF=NAME`: REF reads NAME. */
  namerefs?: Map<string, string>;
  /** Files the script wrote with known text (`echo 'rm -rf ~' > /tmp/c.sh`): the path → the text. */
  files?: Map<string, string>;
  /** Files the script wrote decoded text to (`echo … | base64 -d > /tmp/y`): the path → what decoded it. */
  decodedFiles?: Map<string, string>;
  /** Programs the script copied or linked (`cp /bin/rm ./x`): the new path → the program's name. */
  programs?: Map<string, string>;
  /** Arrays the script assigned (`a=(rm -rf x)`): each element's parts. */
  arrays?: Map<string, Part[][]>;
  /** Associative arrays (`declare -A`), and the slot in `arrays` each of their keys has. */
  assoc?: Set<string>;
  assocKeys?: Map<string, Map<string, number>>;
  /** The last `for` loop over known items: its variable and the items, in order. */
  lastLoop?: { name: string; items: string[] };
  /** Every name the script assigned, declared or read into (known or not): an unknown one was computed here. */
  touched?: Set<string>;
  /** File descriptors the script opened for reading (`exec 3< <(…)`, `exec 4< F`): what reading them gives. */
  fds?: Map<string, Producer>;
}

/** Where a walker is: nesting level, the wrapper chain so far, the stdin and the earlier stages of its pipeline. */
export interface Frame {
  level: number;
  via: string[];
  stdin: Producer | null;
  upstream: Invocation[];
  /** Extra arguments are appended at run time (`xargs`, `find -exec … +`). */
  appendsArgs?: boolean;
  /** The command runs alongside others (a pipeline stage or a background job). */
  concurrent?: boolean;
  /** The command is started in the background by a loop that never ends (`while true; do … & done`). */
  endless?: boolean;
}

/** A literal word built from text (for brace expansion, xargs input, find's `{}`). */
export function litWord(v: string): Word {
  return { parts: [{ k: 'lit', v, q: true }], raw: v };
}

export function toArg(w: Word): Arg {
  const first = w.parts[0];
  return {
    word: w,
    value: staticValue(w),
    text: displayText(w),
    glob: hasGlob(w),
    tilde: !!first && first.k === 'lit' && !first.q && first.v.startsWith('~'),
  };
}

function displayOf(words: Word[]): string {
  let out = '';
  for (let i = 0; i < words.length; i++) out += (i > 0 ? ' ' : '') + displayText(words[i]!);
  return out;
}

export function newInvocation(words: Word[], redirs: Redirect[], frame: Frame): Invocation {
  return {
    name: '',
    dynamic: false,
    args: [],
    redirs,
    stdin: frame.stdin,
    upstream: frame.upstream,
    downstream: [],
    via: frame.via,
    level: frame.level,
    appendsArgs: frame.appendsArgs ?? false,
    code: null,
    evalDynamic: false,
    evalSource: null,
    subs: [],
    display: displayOf(words),
    cwd: '',
    spawnsItself: false,
  };
}
