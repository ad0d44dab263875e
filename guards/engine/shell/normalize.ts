/**
 * Normalization: walks a parsed script and produces the flat list of commands that can run ("invocations"),
 * seeing through wrappers (`sudo`, `env`, `nohup`, `timeout`, `xargs`, …), absolute binary paths, brace expansion,
 * `bash -c`/`eval`/`trap` strings, heredocs and literal text piped into shells, `find -exec`, command and process
 * substitutions, and shell commands inside inline interpreter code. Each invocation records how it was reached.
 */
import type { Budget } from '../budget.js';
import type { Group, Heredoc, Redirect, Script, SimpleCommand, Stage, Word } from './ast.js';
import { parseShell } from './parser.js';
import { displayText, expandBraces, hasGlob, scriptsOfParts, scriptsOfWord, staticValue } from './words.js';
import { extractInlineCode, shellStringsInCode, type InlineCode } from '../inline-code.js';
import { resolveLexical } from '../paths.js';

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
}

export interface WalkContext {
  budget: Budget;
  warnings: string[];
  out: Invocation[];
  /** The current directory (updated by literal `cd`), and the home directory for `cd` and `~`. */
  cwd: string;
  home: string;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'yash', 'posh', 'fish', 'rbash']);
export function isShell(name: string): boolean {
  return SHELLS.has(name);
}

/** Commands whose output is their input (for tracing a pipe back to its source). */
const PASSTHROUGH = new Set([
  'tee',
  'head',
  'tail',
  'less',
  'more',
  'sort',
  'uniq',
  'cat',
  'dd',
  'pv',
  'buffer',
]);
/** Commands that turn encoded input into something else. */
const DECODERS = new Set([
  'base64',
  'base32',
  'basenc',
  'xxd',
  'openssl',
  'gunzip',
  'zcat',
  'gzip',
  'bzip2',
  'bzcat',
  'bunzip2',
  'xz',
  'xzcat',
  'unxz',
  'zstd',
  'zstdcat',
  'unzstd',
  'uudecode',
  'rev',
  'tr',
  'sed',
  'awk',
  'gawk',
  'mawk',
  'perl',
  'python',
  'python3',
  'ruby',
  'node',
  'iconv',
  'od',
  'hexdump',
  'rot13',
]);
export const NETWORK = new Set([
  'curl',
  'wget',
  'nc',
  'ncat',
  'netcat',
  'socat',
  'telnet',
  'fetch',
  'http',
  'https',
  'xh',
  'aria2c',
  'lynx',
  'links',
  'w3m',
  'ssh',
  'scp',
  'sftp',
  'rsync',
  'ftp',
  'tftp',
  'openssl',
]);

/** A prefix command that runs another command: how to skip its own options. */
interface Wrapper {
  /** Options that take a separate value (`-u root`). Long options also accept `--opt=value`. */
  withArg: readonly string[];
  /** Number of positional arguments before the command (`timeout 5 cmd`, `chroot /x cmd`). */
  positionals?: number;
  /** Options after which nothing runs (`command -v`). */
  noRun?: readonly string[];
}

const WRAPPERS: Record<string, Wrapper> = {
  sudo: {
    withArg: [
      '-u',
      '-g',
      '-h',
      '-p',
      '-C',
      '-r',
      '-t',
      '-U',
      '-D',
      '-T',
      '-R',
      '--user',
      '--group',
      '--host',
      '--prompt',
      '--close-from',
      '--role',
      '--type',
      '--other-user',
      '--chdir',
      '--command-timeout',
      '--chroot',
    ],
    noRun: ['-l', '-v', '-k', '-K', '-V', '--list', '--validate', '--version'],
  },
  doas: { withArg: ['-u', '-C'] },
  run0: {
    withArg: [
      '-u',
      '--user',
      '-g',
      '--group',
      '-D',
      '--chdir',
      '--setenv',
      '--property',
      '--unit',
      '--description',
      '--slice',
      '--nice',
    ],
  },
  nohup: { withArg: [] },
  setsid: { withArg: [] },
  time: { withArg: ['-f', '-o', '--format', '--output'] },
  command: { withArg: [], noRun: ['-v', '-V'] },
  builtin: { withArg: [] },
  exec: { withArg: ['-a'] },
  nice: { withArg: ['-n', '--adjustment'] },
  ionice: { withArg: ['-c', '-n', '--class', '--classdata'] },
  chrt: { withArg: [], positionals: 1 },
  taskset: { withArg: [], positionals: 1 },
  timeout: { withArg: ['-s', '-k', '--signal', '--kill-after'], positionals: 1 },
  stdbuf: { withArg: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  unbuffer: { withArg: [] },
  chroot: { withArg: ['--userspec', '--groups'], positionals: 1 },
  flock: { withArg: ['-w', '-E', '--timeout', '--conflict-exit-code'], positionals: 1 },
  strace: { withArg: ['-o', '-e', '-p', '-s', '-u', '-E', '-a', '-O', '-S', '-X', '-P', '-I', '-b'] },
  ltrace: { withArg: ['-o', '-e', '-p', '-s', '-u', '-a', '-n', '-l'] },
  unshare: { withArg: ['-S', '-G', '-R', '-w', '--setuid', '--setgid', '--root', '--wd'] },
  nsenter: { withArg: ['-t', '-S', '-G', '--target', '--setuid', '--setgid'] },
  runuser: { withArg: ['-u', '-g', '-G', '--user', '--group', '--supp-group'] },
  catchsegv: { withArg: [] },
  fakeroot: { withArg: ['-l', '-s', '-i', '--lib', '--faked'] },
  'with-contenv': { withArg: [] },
  proxychains: { withArg: ['-f'] },
  proxychains4: { withArg: ['-f'] },
  torsocks: { withArg: [] },
  caffeinate: { withArg: ['-w', '-t'] },
};

const MAX_XARGS_WORDS = 64;

/** A literal word built from text (for brace expansion, xargs input, find's `{}`). */
function litWord(v: string): Word {
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

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? p : p.slice(i + 1);
}

/** Walks a script, appending every invocation to `ctx.out`. Returns the primary invocation of the last stage run. */
export function walkScript(
  script: Script,
  ctx: WalkContext,
  level: number,
  via: string[],
  inherited: Producer | null = null,
): Invocation | null {
  let last: Invocation | null = null;
  for (const pl of script.pipelines) {
    ctx.budget.tick();
    const primaries: Invocation[] = [];
    let prev: Invocation | null = null;
    for (let i = 0; i < pl.stages.length; i++) {
      const stage = pl.stages[i]!;
      const piped =
        i > 0
          ? prev
            ? classifyOutput(prev)
            : { kind: 'dynamic' as const, desc: 'a command group' }
          : inherited;
      const stdin = stdinFromRedirs(stage.redirs, ctx) ?? piped;
      const primary = walkStage(stage, ctx, level, via, stdin, primaries.slice());
      prev = primary;
      if (primary) primaries.push(primary);
    }
    for (let i = 0; i < primaries.length; i++) {
      primaries[i]!.downstream = primaries.slice(i + 1);
    }
    last = prev;
  }
  return last;
}

function walkStage(
  stage: Stage,
  ctx: WalkContext,
  level: number,
  via: string[],
  stdin: Producer | null,
  upstream: Invocation[],
): Invocation | null {
  walkRedirs(stage.redirs, ctx, level, via);
  if (stage.k === 'group') return walkGroup(stage, ctx, level, via, stdin);
  return walkSimple(stage, ctx, level, via, stdin, upstream);
}

function walkGroup(g: Group, ctx: WalkContext, level: number, via: string[], stdin: Producer | null) {
  const cwd = ctx.cwd;
  const last = walkScript(g.body, ctx, level, via, stdin);
  if (g.subshell) ctx.cwd = cwd;
  return last;
}

/** Command substitutions in redirection targets and unquoted heredoc bodies run too. */
function walkRedirs(redirs: Redirect[], ctx: WalkContext, level: number, via: string[]): void {
  for (const r of redirs) {
    if (r.target && !r.heredoc) walkWordScripts(r.target, ctx, level, via);
    if (r.heredoc?.parts) {
      for (const s of scriptsOfParts(r.heredoc.parts))
        walkScript(s, ctx, level + 1, [...via, 'heredoc $(…)']);
    }
  }
}

function walkWordScripts(w: Word, ctx: WalkContext, level: number, via: string[]): void {
  const cwd = ctx.cwd;
  for (const s of scriptsOfWord(w)) producerCache.set(s, walkScript(s, ctx, level + 1, [...via, '$(…)']));
  ctx.cwd = cwd;
}

function heredocProducer(doc: Heredoc, ctx: WalkContext): Producer {
  if (!doc.parts) return { kind: 'literal', text: doc.body, desc: 'heredoc' };
  const fromSubs = producerOfScripts(scriptsOfParts(doc.parts), ctx);
  return fromSubs ?? { kind: 'dynamic', desc: 'heredoc with expansions' };
}

/** The stdin set by a stage's own redirections (the last one wins), or null. */
function stdinFromRedirs(redirs: Redirect[], ctx: WalkContext): Producer | null {
  let p: Producer | null = null;
  for (const r of redirs) {
    if (r.fd !== null && r.fd !== '0') continue;
    if (r.heredoc) p = heredocProducer(r.heredoc, ctx);
    else if (r.op === '<<<' && r.target) {
      const v = staticValue(r.target);
      p =
        v !== null
          ? { kind: 'literal', text: v + '\n', desc: 'here-string' }
          : (producerOfScripts(scriptsOfWord(r.target), ctx) ?? {
              kind: 'dynamic',
              desc: 'here-string with expansions',
            });
    } else if (r.op === '<' && r.target) {
      const proc = r.target.parts[0];
      if (proc && proc.k === 'procsub')
        p = producerOfScripts([proc.script], ctx) ?? { kind: 'dynamic', desc: '<(…)' };
      else p = { kind: 'file', desc: displayText(r.target) };
    }
  }
  return p;
}

const producerCache = new WeakMap<Script, Invocation | null>();

/** The most worrying producer among substitutions (network > decoded > dynamic), or null if there are none. */
function producerOfScripts(scripts: Script[], ctx: WalkContext): Producer | null {
  let best: Producer | null = null;
  const rank = { network: 3, decoded: 2, dynamic: 1, file: 0, literal: 0 } as const;
  for (const s of scripts) {
    const inv = lastPrimaryOf(s, ctx);
    const p: Producer = inv ? classifyOutput(inv) : { kind: 'dynamic', desc: '$(…)' };
    if (!best || rank[p.kind] > rank[best.kind]) best = p;
  }
  return best;
}

/** The invocation whose output a substitution yields (walked separately, so it is looked up or walked quietly). */
function lastPrimaryOf(s: Script, ctx: WalkContext): Invocation | null {
  if (producerCache.has(s)) return producerCache.get(s)!;
  const quiet: WalkContext = { budget: ctx.budget, warnings: [], out: [], cwd: ctx.cwd, home: ctx.home };
  const inv = walkScript(s, quiet, 0, []);
  producerCache.set(s, inv);
  return inv;
}

/** What a command writes to its stdout, as a source for the next stage of a pipe. */
export function classifyOutput(inv: Invocation): Producer {
  if (inv.dynamic) return { kind: 'dynamic', desc: inv.display };
  const n = inv.name;
  if (n === 'echo' || n === 'printf') return echoProducer(inv);
  if (NETWORK.has(n) && n !== 'openssl') return { kind: 'network', desc: n };
  if (n === 'cat' && inv.args.every((a) => a.value === '-' || (a.value ?? '').startsWith('-'))) {
    return inv.stdin ?? { kind: 'dynamic', desc: 'cat' };
  }
  if (n === 'cat') return { kind: 'file', desc: `cat ${inv.args.map((a) => a.text).join(' ')}` };
  if (PASSTHROUGH.has(n)) {
    const up = inv.upstream[inv.upstream.length - 1];
    return inv.stdin ?? (up ? classifyOutput(up) : { kind: 'dynamic', desc: n });
  }
  if (DECODERS.has(n) || /^python[0-9.]*$/.test(n)) return { kind: 'decoded', desc: inv.display };
  return { kind: 'dynamic', desc: n };
}

function echoProducer(inv: Invocation): Producer {
  const vals = inv.args.map((a) => a.value);
  if (vals.some((v) => v === null)) return { kind: 'dynamic', desc: inv.display };
  const args = vals as string[];
  if (inv.name === 'echo') {
    let i = 0;
    let escapes = false;
    while (i < args.length && /^-[neE]+$/.test(args[i]!)) {
      if (args[i]!.includes('e')) escapes = true;
      i++;
    }
    const text = args.slice(i).join(' ');
    if (escapes && text.includes('\\')) return { kind: 'decoded', desc: 'echo -e' };
    return { kind: 'literal', text: text + '\n', desc: 'echo' };
  }
  const [fmt = '', ...rest] = args[0] === '--' ? args.slice(1) : args;
  if (/\\(?:x|u|U|[0-7])|%b/.test(fmt) || rest.some((r) => /\\(?:x|[0-7])/.test(r) && fmt.includes('%b'))) {
    return { kind: 'decoded', desc: 'printf with escapes' };
  }
  let k = 0;
  const text = fmt.replace(/%[sd]/g, () => rest[k++] ?? '').replace(/\\n/g, '\n');
  return { kind: 'literal', text, desc: 'printf' };
}

function newInvocation(
  words: Word[],
  redirs: Redirect[],
  level: number,
  via: string[],
  stdin: Producer | null,
  upstream: Invocation[],
): Invocation {
  return {
    name: '',
    dynamic: false,
    args: [],
    redirs,
    stdin,
    upstream,
    downstream: [],
    via,
    level,
    appendsArgs: false,
    code: null,
    evalDynamic: false,
    evalSource: null,
    subs: [],
    display: words.map(displayText).join(' '),
    cwd: '',
  };
}

function walkSimple(
  cmd: SimpleCommand,
  ctx: WalkContext,
  level: number,
  via: string[],
  stdin: Producer | null,
  upstream: Invocation[],
): Invocation | null {
  for (const a of cmd.assigns) walkWordScripts(a, ctx, level, via);
  for (const w of cmd.words) walkWordScripts(w, ctx, level, via);
  if (cmd.words.length === 0) return null;
  const words = cmd.words.flatMap(expandBraces);
  return unwrap(words, cmd.redirs, ctx, level, via, stdin, upstream);
}

/** Strips wrappers from the front of `words` and records the resulting invocation (and any nested ones). */
export function unwrap(
  words: Word[],
  redirs: Redirect[],
  ctx: WalkContext,
  level: number,
  via: string[],
  stdin: Producer | null,
  upstream: Invocation[],
  appendsArgs = false,
): Invocation | null {
  ctx.budget.command();
  let w = words;
  const chain = [...via];
  for (let guard = 0; guard < 64 && w.length > 0; guard++) {
    ctx.budget.tick();
    // leading assignments after a wrapper (`env A=1 cmd`, `sudo A=1 cmd`)
    while (w.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(staticValue(w[0]!) ?? '')) w = w.slice(1);
    if (w.length === 0) return null;
    const first = w[0]!;
    const v = staticValue(first);
    if (v === null || hasGlob(first)) {
      const inv = newInvocation(w, redirs, level, chain, stdin, upstream);
      inv.dynamic = true;
      inv.args = w.slice(1).map(toArg);
      inv.appendsArgs = appendsArgs;
      inv.cwd = ctx.cwd;
      ctx.out.push(inv);
      return inv;
    }
    const name = basename(v);
    const rest = w.slice(1);
    if (name === 'env') {
      const r = skipEnvOptions(rest, ctx, level, chain, stdin, upstream);
      if (r === 'nested') return null;
      if (r.length === 0)
        return record(w, name, rest, redirs, ctx, level, chain, stdin, upstream, appendsArgs);
      chain.push('env');
      w = r;
      continue;
    }
    if (name === 'busybox' || name === 'toybox') {
      if (rest.length === 0) return null;
      chain.push(name);
      w = rest;
      continue;
    }
    if (name === 'xargs') {
      const r = skipXargsOptions(rest);
      chain.push('xargs');
      const extra: Word[] = [];
      if (stdin?.kind === 'literal' && stdin.text !== undefined) {
        const toks = stdin.text.split(/\s+/).filter(Boolean);
        // unquoted: the producer (echo ~) already expanded what the shell expands
        if (toks.length <= MAX_XARGS_WORDS)
          extra.push(...toks.map((t) => ({ parts: [{ k: 'lit' as const, v: t, q: false }], raw: t })));
      }
      const target = r.length > 0 ? [...r, ...extra] : [litWord('echo'), ...extra];
      return unwrap(target, redirs, ctx, level, chain, null, upstream, stdin?.kind !== 'literal');
    }
    const wrapper = WRAPPERS[name];
    if (wrapper) {
      const r = skipWrapperOptions(rest, wrapper);
      if (r === null) return record(w, name, rest, redirs, ctx, level, chain, stdin, upstream, appendsArgs);
      if (r.length === 0)
        return record(w, name, rest, redirs, ctx, level, chain, stdin, upstream, appendsArgs);
      chain.push(name);
      w = r;
      continue;
    }
    return record(w, name, rest, redirs, ctx, level, chain, stdin, upstream, appendsArgs);
  }
  return null;
}

function isOpt(w: Word): string | null {
  const v = staticValue(w);
  return v !== null && v.length > 1 && v.startsWith('-') ? v : null;
}

/** Skips a wrapper's options and positionals; null when the wrapper does not run a command (`command -v`). */
function skipWrapperOptions(args: Word[], spec: Wrapper): Word[] | null {
  let i = 0;
  while (i < args.length) {
    const o = isOpt(args[i]!);
    if (o === null) break;
    i++;
    if (o === '--') break;
    if (
      spec.noRun?.includes(o) ||
      (o.startsWith('-') &&
        !o.startsWith('--') &&
        spec.noRun?.some((n) => n.length === 2 && o.includes(n[1]!)))
    ) {
      return null;
    }
    if (o.includes('=')) continue;
    if (spec.withArg.includes(o)) {
      i++;
      continue;
    }
    // combined short options ending in one that takes a value (`-un` is not, `-u` + value is)
    if (!o.startsWith('--') && o.length > 2) {
      const lastFlag = `-${o[o.length - 1]}`;
      if (spec.withArg.includes(lastFlag) && !/^-[0-9]/.test(o)) {
        // `-uroot` (value attached) vs `-Eu root`: attached if the flag letter is not last
        if (spec.withArg.includes(o.slice(0, 2)) && o.length > 2) continue;
        i++;
      }
    }
  }
  i += spec.positionals ?? 0;
  return args.slice(i);
}

function skipXargsOptions(args: Word[]): Word[] {
  const withArg = new Set([
    '-I',
    '-L',
    '-n',
    '-P',
    '-s',
    '-d',
    '-E',
    '-a',
    '--max-args',
    '--max-procs',
    '--max-chars',
    '--delimiter',
    '--eof',
    '--arg-file',
    '--replace',
    '--max-lines',
    '--process-slot-var',
  ]);
  let i = 0;
  while (i < args.length) {
    const o = isOpt(args[i]!);
    if (o === null) break;
    i++;
    if (o === '--') break;
    if (o.includes('=') || (o.length > 2 && !o.startsWith('--'))) continue;
    if (withArg.has(o)) i++;
  }
  return args.slice(i);
}

/** Skips `env` options; `-S`/`--split-string` re-parses its string as the command. */
function skipEnvOptions(
  args: Word[],
  ctx: WalkContext,
  level: number,
  via: string[],
  stdin: Producer | null,
  upstream: Invocation[],
): Word[] | 'nested' {
  let i = 0;
  while (i < args.length) {
    const o = isOpt(args[i]!);
    if (o === null) {
      const v = staticValue(args[i]!);
      if (v !== null && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) {
        i++;
        continue;
      }
      break;
    }
    i++;
    if (o === '--') break;
    let split: string | null = null;
    if (o === '-S' || o === '--split-string') split = staticValue(args[i++] ?? litWord('')) ?? '';
    else if (o.startsWith('--split-string=')) split = o.slice(15);
    else if (/^-[iv0]*S./.test(o)) split = o.slice(o.indexOf('S') + 1);
    if (split !== null) {
      const rest = args.slice(i);
      const parsed = parseShell(split, ctx.budget, level + 1, ctx.warnings).script;
      const first = parsed.pipelines[0]?.stages[0];
      if (first && first.k === 'cmd') {
        unwrap(
          [...first.words, ...rest],
          redirsOf(first),
          ctx,
          level + 1,
          [...via, 'env -S'],
          stdin,
          upstream,
        );
      }
      return 'nested';
    }
    if (o === '-u' || o === '-C' || o === '--unset' || o === '--chdir' || o === '-a' || o === '--argv0') i++;
  }
  return args.slice(i);
}

function redirsOf(s: SimpleCommand): Redirect[] {
  return s.redirs;
}

/** Records a resolved command and expands what it runs itself (shell strings, find -exec, inline code). */
function record(
  words: Word[],
  name: string,
  rest: Word[],
  redirs: Redirect[],
  ctx: WalkContext,
  level: number,
  via: string[],
  stdin: Producer | null,
  upstream: Invocation[],
  appendsArgs: boolean,
): Invocation {
  const inv = newInvocation(words, redirs, level, via, stdin, upstream);
  inv.name = name;
  inv.args = rest.map(toArg);
  inv.appendsArgs = appendsArgs;
  for (const a of inv.args) {
    for (const sc of scriptsOfWord(a.word)) {
      const sub = lastPrimaryOf(sc, ctx);
      if (sub) inv.subs.push(sub);
    }
  }
  inv.cwd = ctx.cwd;
  ctx.out.push(inv);
  if (name === 'cd' || name === 'pushd') {
    const dir = inv.args.find((a) => a.value === null || !a.value.startsWith('-'));
    if (!dir) ctx.cwd = ctx.home;
    else if (dir.value !== null && dir.value !== '-')
      ctx.cwd = resolveLexical(dir.tilde ? dir.value : dir.value.replace(/^~/, './~'), ctx);
  }
  expandNested(inv, ctx);
  return inv;
}

/** Parses and walks a literal shell string one level deeper. */
export function walkShellString(
  src: string,
  ctx: WalkContext,
  level: number,
  via: string[],
  stdin: Producer | null = null,
): void {
  ctx.budget.depth(level);
  const { script } = parseShell(src, ctx.budget, level, ctx.warnings);
  walkScript(script, ctx, level, via, stdin);
}

function expandNested(inv: Invocation, ctx: WalkContext): void {
  const n = inv.name;
  const level = inv.level + 1;
  if (SHELLS.has(n)) {
    const script = shellScriptArg(inv.args);
    if (script === 'none') {
      // reads its script from stdin
      if (inv.stdin?.kind === 'literal' && inv.stdin.text !== undefined) {
        walkShellString(inv.stdin.text, ctx, level, [...inv.via, `${n} <${inv.stdin.desc}`]);
      }
    } else if (script === 'file') {
      const file = inv.args.find((a) => a.value === null || !/^[-+]/.test(a.value));
      const proc = file?.word.parts[0];
      if (file && proc && proc.k === 'procsub') markDynamicEval(inv, [file], ctx);
    } else {
      if (script.value !== null) walkShellString(script.value, ctx, level, [...inv.via, `${n} -c`]);
      else markDynamicEval(inv, [script], ctx);
    }
    return;
  }
  if (n === 'eval') {
    if (inv.args.every((a) => a.value !== null)) {
      walkShellString(inv.args.map((a) => a.value).join(' '), ctx, level, [...inv.via, 'eval']);
    } else markDynamicEval(inv, inv.args, ctx);
    return;
  }
  if (n === 'trap' && inv.args.length >= 2) {
    const a = inv.args[0]!;
    if (a.value !== null) walkShellString(a.value, ctx, level, [...inv.via, 'trap']);
    else markDynamicEval(inv, [a], ctx);
    return;
  }
  if ((n === 'su' || n === 'runuser' || n === 'script' || n === 'sg') && inv.args.length > 0) {
    const i = inv.args.findIndex((a) => a.value === '-c' || a.value === '--command');
    const s = i === -1 ? undefined : inv.args[i + 1];
    if (s) {
      if (s.value !== null) walkShellString(s.value, ctx, level, [...inv.via, `${n} -c`]);
      else markDynamicEval(inv, [s], ctx);
    }
    return;
  }
  if ((n === 'watch' || n === 'ssh-agent') && inv.args.length > 0) {
    const rest =
      n === 'watch' ? skipLeadingOptions(inv.args, ['-n', '-d', '--interval', '--differences']) : inv.args;
    if (rest.length > 0 && rest.every((a) => a.value !== null)) {
      walkShellString(rest.map((a) => a.value).join(' '), ctx, level, [...inv.via, n]);
    }
    return;
  }
  if ((n === 'source' || n === '.') && inv.args[0]) {
    const p = inv.args[0].word.parts[0];
    if (p && p.k === 'procsub') inv.stdin = producerOfScripts([p.script], ctx);
    else if (inv.args[0].value === '/dev/stdin' || inv.args[0].value === '-') inv.stdin = inv.stdin ?? null;
    return;
  }
  if (n === 'find') {
    expandFind(inv, ctx);
    return;
  }
  const code = extractInlineCode(inv);
  if (code?.readsStdin && inv.stdin?.kind === 'literal' && inv.stdin.text !== undefined) {
    // `python3 - <<EOF`: the script is literal, so it is checked like -c code
    code.text = inv.stdin.text;
    code.flag = `<${inv.stdin.desc}`;
  }
  if (code) {
    inv.code = code;
    if (code.text !== null) {
      for (const s of shellStringsInCode(code)) {
        if (s.argv) {
          unwrap(s.argv.map(litWord), [], ctx, level, [...inv.via, `${n} ${code.flag} → ${s.api}`], null, []);
        } else {
          walkShellString(s.command!, ctx, level, [...inv.via, `${n} ${code.flag} → ${s.api}`]);
        }
      }
    }
  }
}

function markDynamicEval(inv: Invocation, args: Arg[], ctx: WalkContext): void {
  inv.evalDynamic = true;
  inv.evalSource = producerOfScripts(
    args.flatMap((a) => scriptsOfWord(a.word)),
    ctx,
  ) ?? { kind: 'dynamic', desc: args.map((a) => a.text).join(' ') };
}

function skipLeadingOptions(args: Arg[], withArg: string[]): Arg[] {
  let i = 0;
  while (i < args.length && (args[i]!.value ?? '').startsWith('-')) {
    if (withArg.includes(args[i]!.value!)) i++;
    i++;
  }
  return args.slice(i);
}

/** What a shell is told to run: a `-c` string, a script file, or nothing (it reads stdin). */
function shellScriptArg(args: Arg[]): Arg | 'file' | 'none' {
  let i = 0;
  let hasC = false;
  let readsStdin = false;
  while (i < args.length) {
    const v = args[i]!.value;
    if (v === null) break;
    if (v === '--' || v === '-') {
      i++;
      if (v === '-') readsStdin = true;
      break;
    }
    if (/^[-+]o$/.test(v) || v === '--rcfile' || v === '--init-file' || v === '-O' || v === '+O') {
      i += 2;
      continue;
    }
    if (/^-[A-Za-z]+$/.test(v) || /^\+[A-Za-z]+$/.test(v)) {
      if (v.startsWith('-') && v.includes('c')) hasC = true;
      if (v.startsWith('-') && v.includes('s')) readsStdin = true;
      i++;
      continue;
    }
    if (v.startsWith('--')) {
      i++;
      continue;
    }
    break;
  }
  if (hasC) return args[i] ?? 'none';
  if (readsStdin || i >= args.length) return 'none';
  return 'file';
}

/** `find … -exec cmd {} ;` runs cmd; without filters `{}` stands for the start paths themselves. */
function expandFind(inv: Invocation, ctx: WalkContext): void {
  const args = inv.args;
  const starts: string[] = [];
  let i = 0;
  while (i < args.length && !/^[-(!]/.test(args[i]!.value ?? '-')) {
    starts.push(args[i]!.value ?? '');
    i++;
  }
  if (starts.length === 0) starts.push('.');
  const filtered = args
    .slice(i)
    .some((a) =>
      /^-(i?name|i?path|i?wholename|i?regex|type|newer|mtime|mmin|atime|amin|ctime|cmin|size|user|group|perm|empty|links|inum|samefile|maxdepth|mindepth|prune)$/.test(
        a.value ?? '',
      ),
    );
  for (; i < args.length; i++) {
    const v = args[i]!.value;
    if (v !== '-exec' && v !== '-execdir' && v !== '-ok' && v !== '-okdir') continue;
    const cmd: Word[] = [];
    let j = i + 1;
    let plus = false;
    for (; j < args.length; j++) {
      const t = args[j]!.value;
      if (t === ';') break;
      if (t === '+' && args[j - 1]?.value === '{}') {
        plus = true;
        break;
      }
      cmd.push(t === '{}' && !filtered ? litWord(starts[0]!) : args[j]!.word);
    }
    if (cmd.length > 0) unwrap(cmd, [], ctx, inv.level + 1, [...inv.via, `find ${v}`], null, [], plus);
    i = j;
  }
}

export const _internal = { shellScriptArg };
