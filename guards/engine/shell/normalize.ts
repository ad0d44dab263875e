/**
 * Normalization: walks a parsed script and produces the flat list of commands that can run ("invocations"),
 * seeing through wrappers (`sudo`, `env`, `nohup`, `timeout`, `xargs`, …), absolute binary paths, brace expansion,
 * `bash -c`/`eval`/`trap` strings, heredocs and literal text piped into shells, `find -exec`, command and process
 * substitutions, and shell commands inside inline interpreter code. Each invocation records how it was reached.
 * The data model is in `invocation.ts`, the command tables in `commands.ts`, option skipping in `options.ts`.
 */
import type { Group, Heredoc, Part, Redirect, Script, SimpleCommand, Stage, Word } from './ast.js';
import { parseShell } from './parser.js';
import { remoteCommand } from './remote.js';
import { arithNames } from './arith.js';
import { clientShellEscapes } from './db-escapes.js';
import { displayText, expandBraces, hasGlob, scriptsOfParts, scriptsOfWord, staticValue } from './words.js';
import { commandStrings } from './command-strings.js';
import { extractInlineCode, langOf, shellStringsInCode } from '../inline-code.js';
import { canonicalCode } from '../code-canon.js';
import { resolveLexical } from '../paths.js';
import { isShell, LOADER, LOADER_WRAPPER, MAX_XARGS_WORDS, WRAPPERS, type Wrapper } from './commands.js';
import {
  litWord,
  newInvocation,
  toArg,
  type Arg,
  type Frame,
  type Alt,
  type Invocation,
  type Producer,
  type WalkContext,
} from './invocation.js';
import {
  isOpt,
  isStdinFile,
  shellScriptArg,
  skipLeadingOptions,
  skipWrapperOptions,
  skipXargsOptions,
} from './options.js';
import { classifyOutput } from './producers.js';
import { fileReadBy } from './file-words.js';
import { sqlFilesOf } from './sql-files.js';
import { commandVarText, optionCommands } from './run-options.js';
import { interpretBuiltin } from './builtins.js';
import {
  appendVar,
  argAlt,
  assignmentValue,
  assignVar,
  envOf,
  expandWords,
  forgetArray,
  elementAssignment,
  knownText,
  outputOf,
  setArray,
  setElement,
  splitAssignment,
} from './interp.js';

export type { Arg, Frame, Invocation, Producer, ProducerKind, WalkContext } from './invocation.js';
export { toArg } from './invocation.js';
export { isShell, NETWORK } from './commands.js';
export { classifyOutput } from './producers.js';

/** A command once its name is known: all its words, the name, its arguments and its redirections. */
interface Resolved {
  words: Word[];
  name: string;
  rest: Word[];
  redirs: Redirect[];
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
): Invocation | null {
  return walkBody(script, ctx, { level, via, stdin: null, upstream: [] });
}

/** Walks a script whose commands inherit `frame.stdin` (a group in a pipe, a string fed to a shell). */
function walkBody(script: Script, ctx: WalkContext, frame: Frame): Invocation | null {
  let last: Invocation | null = null;
  const loopInput = loopReads(script, ctx);
  for (const pl of script.pipelines) {
    ctx.budget.tick();
    const primaries: Invocation[] = [];
    let prev: Invocation | null = null;
    for (let i = 0; i < pl.stages.length; i++) {
      const stage = pl.stages[i]!;
      const piped =
        i > 0
          ? prev
            ? (writtenFilesRead(prev, ctx) ?? classifyOutput(withHome(prev, ctx)))
            : { kind: 'dynamic' as const, desc: 'a command group' }
          : frame.stdin;
      const stdin = stdinFromRedirs(stage.redirs, ctx) ?? loopInput?.get(stage) ?? piped;
      const primary = walkStage(stage, ctx, {
        level: frame.level,
        via: frame.via,
        stdin,
        upstream: primaries.slice(),
        concurrent: frame.concurrent === true || pl.stages.length > 1 || pl.background,
        endless: frame.endless === true || pl.endless === true,
      });
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

/**
 * `while read -r f; do …; done <<< TEXT`: the parser keeps `done`'s redirection as a bare command after the body,
 * so the loop's `read` (or `mapfile`) would see no input. The first reader after the previous loop's end gets the
 * input of that redirection when it is known text.
 */
function loopReads(script: Script, ctx: WalkContext): Map<Stage, Producer> | null {
  let out: Map<Stage, Producer> | null = null;
  let from = 0;
  const pls = script.pipelines;
  for (let k = 0; k < pls.length; k++) {
    const st = pls[k]!.stages.length === 1 ? pls[k]!.stages[0]! : null;
    if (!st || st.k !== 'cmd' || st.words.length > 0 || st.assigns.length > 0 || st.redirs.length === 0)
      continue;
    const input = stdinFromRedirs(st.redirs, ctx);
    if (input?.kind === 'literal') {
      for (let j = from; j < k; j++) {
        const first = pls[j]!.stages[0]!;
        const name = first.k === 'cmd' && first.words[0] ? staticValue(first.words[0]) : null;
        if (name === 'read' || name === 'mapfile' || name === 'readarray') {
          if (first.redirs.length === 0) (out ??= new Map()).set(first, input);
          break;
        }
      }
    }
    from = k + 1;
  }
  return out;
}

function walkStage(stage: Stage, ctx: WalkContext, frame: Frame): Invocation | null {
  walkRedirs(stage.redirs, ctx, frame.level, frame.via);
  if (stage.k === 'group') return walkGroup(stage, ctx, frame);
  return walkSimple(stage, ctx, frame);
}

function walkGroup(g: Group, ctx: WalkContext, outer: Frame) {
  // a group's body is one level deeper, as in the parser, so nesting of any kind counts toward the depth limit
  const frame = { ...outer, level: outer.level + 1 };
  ctx.budget.depth(frame.level);
  const cwd = ctx.cwd;
  const env = envOf(ctx);
  if (g.fn !== undefined) {
    // a definition: remembered for its calls, and analysed once as if it ran with unknown arguments
    env.funcs.set(g.fn, g.body);
    env.fnStack.push(g.fn);
    const positional = env.positional;
    env.positional = null;
    try {
      walkBody(g.body, ctx, { ...frame, upstream: [], concurrent: false });
    } finally {
      env.fnStack.pop();
      env.positional = positional;
    }
    ctx.cwd = cwd;
    return null;
  }
  const oldpwd = ctx.oldpwd;
  const last = walkBody(g.body, ctx, { ...frame, upstream: [] });
  if (g.subshell) {
    ctx.cwd = cwd;
    ctx.oldpwd = oldpwd;
  }
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
  for (const p of w.parts) {
    if (p.k === 'arith') walkArithValues(p.raw.slice(3, -2), ctx, level, via, 0);
    // `${p@P}` expands p as a prompt, which runs the `$(…)` in its value
    else if (p.k === 'param' && p.op === '@' && p.raw.endsWith('@P}')) {
      const v = knownText(p.name, ctx);
      if (v !== null && /[$`]/.test(v))
        walkShellString(`: "${v.replace(/"/g, '\\"')}"`, ctx, { level: level + 1, via: [...via, '${…@P}'] });
    }
  }
  ctx.cwd = cwd;
}

/**
 * Bash evaluates a variable named in arithmetic as an expression itself, subscripts and their substitutions
 * included: `x='a[$(rm -rf ~)]'; echo $((x))` runs `rm -rf ~`. A known value with a substitution is walked.
 */
function walkArithValues(expr: string, ctx: WalkContext, level: number, via: string[], depth: number): void {
  if (depth > 4) return;
  for (const name of arithNames(expr)) {
    for (const a of ctx.env?.vars.get(name) ?? []) {
      const text = a.parts.map((x) => (x.k === 'lit' ? x.v : '')).join('');
      if (/\$\(|`/.test(text))
        walkShellString(`: ${text}`, ctx, { level: level + 1, via: [...via, `$((${name}))`] });
      else if (/[A-Za-z_]/.test(text)) walkArithValues(text, ctx, level, via, depth + 1);
    }
  }
}

function heredocProducer(doc: Heredoc, ctx: WalkContext): Producer {
  if (!doc.parts) return { kind: 'literal', text: doc.body, desc: 'heredoc' };
  const fromSubs = producerOfScripts(scriptsOfParts(doc.parts), ctx);
  return fromSubs ?? { kind: 'dynamic', desc: 'heredoc with expansions' };
}

/** `exec 3< <(…)`, `exec 4< F`, `exec 5<<< TEXT`: what reading fd N gives from here on (`read -u N`, `<&N`). */
function openFds(redirs: Redirect[], ctx: WalkContext): void {
  for (const r of redirs) {
    if (r.fd === null || !/^\d+$/.test(r.fd) || r.fd === '0' || !/^(?:<|<>|<<<|<<|<<-)$/.test(r.op)) continue;
    const p = stdinFromRedirs([{ ...r, fd: null }], ctx);
    const env = envOf(ctx);
    if (p) (env.fds ??= new Map()).set(r.fd, p);
    else env.fds?.delete(r.fd);
  }
}

/** The stdin set by a stage's own redirections (the last one wins), or null. */
function stdinFromRedirs(redirs: Redirect[], ctx: WalkContext): Producer | null {
  let p: Producer | null = null;
  for (const r of redirs) {
    if (r.fd !== null && r.fd !== '0') continue;
    if (r.heredoc) p = heredocProducer(r.heredoc, ctx);
    else if (r.op === '<&' && r.target) {
      // `<&3`: what the script opened fd 3 to, if it did (otherwise as before: not modelled)
      const fd = staticValue(r.target);
      const opened = fd !== null ? envOf(ctx).fds?.get(fd) : undefined;
      if (opened) p = opened;
    } else if (r.op === '<<<' && r.target) {
      const expanded = expandWords([r.target], ctx);
      const only = expanded.length === 1 && expanded[0]!.length === 1 ? expanded[0]![0]! : r.target;
      const raw = staticValue(only);
      // `<<< ~/.ssh/id_rsa`: bash expands the tilde of a here-string's word
      const head = only.parts[0];
      const v =
        raw !== null && head?.k === 'lit' && !head.q && /^~(?:\/|$)/.test(raw)
          ? ctx.home + raw.slice(1)
          : raw;
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
      else {
        // `sh < F` of a file this command wrote: its text
        const v = staticValue(r.target);
        const text = v === null ? undefined : envOf(ctx).files?.get(resolveLexical(v, ctx));
        p =
          text === undefined
            ? { kind: 'file', desc: displayText(r.target) }
            : { kind: 'literal', text, desc: `${displayText(r.target)} (written here)` };
      }
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
    const p: Producer = inv ? classifyOutput(withHome(inv, ctx)) : { kind: 'dynamic', desc: '$(…)' };
    if (!best || rank[p.kind] > rank[best.kind]) best = p;
  }
  return best;
}

/** The invocation whose output a substitution yields (walked separately, so it is looked up or walked quietly). */
function lastPrimaryOf(s: Script, ctx: WalkContext): Invocation | null {
  if (producerCache.has(s)) return producerCache.get(s)!;
  const quiet: WalkContext = {
    budget: ctx.budget,
    warnings: [],
    out: [],
    cwd: ctx.cwd,
    home: ctx.home,
    ...(ctx.workspace ? { workspace: ctx.workspace } : {}),
    env: envOf(ctx),
  };
  const inv = walkScript(s, quiet, 0, []);
  producerCache.set(s, inv);
  return inv;
}

function walkSimple(cmd: SimpleCommand, ctx: WalkContext, frame: Frame): Invocation | null {
  for (const a of cmd.assigns) walkWordScripts(a, ctx, frame.level, frame.via);
  for (const a of cmd.assigns)
    if (mayBeCommandVar(a)) walkCommandVar(commandVarWord(a, ctx, frame), ctx, frame);
  for (const w of cmd.words) walkWordScripts(w, ctx, frame.level, frame.via);
  if (cmd.loop) {
    // `for x in $(…)` runs the substitution
    for (const w of cmd.loop.items ?? []) walkWordScripts(w, ctx, frame.level, frame.via);
    bindLoop(cmd.loop, ctx);
    noteFeeds(cmd.loop.name, (cmd.loop.items ?? []).flatMap(scriptsOfWord), ctx);
    return null;
  }
  if (cmd.words.length === 0) {
    const arrays = cmd.arrays ?? [];
    for (const a of cmd.assigns) {
      const element = elementAssignment(a, ctx);
      if (element) {
        setElement(element.name, element.index, element.append, assignmentValue(element.parts, ctx), ctx);
        continue;
      }
      const s = splitAssignment(a);
      if (s && !arrays.some((arr) => arr.name === s.name)) {
        const folded = foldedOverLoop(s, ctx);
        if (folded) assignVar(ctx, s.name, folded);
        else if (s.append) appendVar(ctx, s.name, assignmentValue(s.parts, ctx));
        else assignVar(ctx, s.name, assignmentValue(s.parts, ctx));
        noteFeeds(s.name, scriptsOfParts(s.parts), ctx);
      }
    }
    for (const arr of arrays) bindArray(arr.name, arr.items, ctx, arr.append === true);
    // `> file` alone still opens (and truncates) the file: checked as the no-op command `:` with that redirection
    return cmd.redirs.length > 0 ? unwrap([litWord(':')], cmd.redirs, ctx, frame) : null;
  }
  const head = staticValue(cmd.words[0]!);
  if (head === 'exec' && cmd.words.length === 1) openFds(cmd.redirs, ctx);
  const alias = head === null ? undefined : envOf(ctx).aliases.get(head);
  if (alias !== undefined && !frame.via.includes(`alias ${head}`)) {
    const rest = cmd.words.slice(1).map((w) => w.raw);
    walkShellString([alias, ...rest].join(' '), ctx, {
      level: frame.level + 1,
      via: [...frame.via, `alias ${head}`],
      stdin: frame.stdin,
    });
    return null;
  }
  // `IFS=, read a b`: the prefix's IFS is the one read splits by
  // `IFS=, read a b`, `CDPATH=/w cd x`: the prefix's value is the one the builtin uses
  const scoped = head === 'read' ? 'IFS' : head === 'cd' || head === 'pushd' ? 'CDPATH' : null;
  const ifs = scoped ? cmd.assigns.map(splitAssignment).find((a) => a?.name === scoped) : undefined;
  const env = envOf(ctx);
  const savedIfs = scoped ? env.vars.get(scoped) : undefined;
  if (ifs && scoped) {
    env.vars.delete(scoped);
    assignVar(ctx, scoped, assignmentValue(ifs.parts, ctx));
  }
  let first: Invocation | null = null;
  try {
    for (const variant of expandWords(cmd.words, ctx)) {
      const inv = unwrap(braceExpanded(variant), cmd.redirs, ctx, frame);
      if (inv && cmd.assigns.length > 0)
        inv.prefixEnv = cmd.assigns.map(staticValue).filter((v): v is string => v !== null);
      first ??= inv;
    }
    // `declare -A m=([k]=v)`: the array literals of a declaration, bound once the builtin has run
    const declared = (cmd.arrays ?? []).filter((a) => a.declared);
    if (declared.length > 0) {
      const assoc = cmd.words.some((w) => /^-[a-zA-Z]*A/.test(staticValue(w) ?? ''));
      for (const arr of declared) {
        if (assoc) (env.assoc ??= new Set()).add(arr.name);
        bindArray(arr.name, arr.items, ctx, arr.append === true);
      }
    }
  } finally {
    if (ifs) {
      if (savedIfs) env.vars.set(scoped!, savedIfs);
      else env.vars.delete(scoped!);
    }
  }
  return first;
}

/** `words.flatMap(expandBraces)`, without the flatMap (slow in V8) for the usual words with no braces. */
function braceExpanded(words: Word[]): Word[] {
  const out: Word[] = [];
  for (const w of words) {
    const ws = expandBraces(w);
    if (ws.length === 1) out.push(ws[0]!);
    else for (const x of ws) out.push(x);
  }
  return out;
}

/** `NAME=(WORDS)`, `NAME+=(WORDS)`: each element's value; `$NAME` is the first element. */
function bindArray(name: string, items: Word[], ctx: WalkContext, append = false): void {
  const env = envOf(ctx);
  const before = append ? env.arrays?.get(name) : [];
  // appending to an array the script did not make (or made unknown) leaves it unknown
  if (!before) return forgetArray(name, ctx);
  if (items.some(isIndexedItem)) return bindIndexed(name, items, before, ctx);
  const elements = (expandWords(items, ctx)[0] ?? [])
    .flatMap(expandBraces)
    .map((w) => withTilde(w.parts, ctx));
  setArray(name, [...before, ...elements], ctx);
}

const INDEXED_ITEM = /^\[([^\]]*)\]=/;
const isIndexedItem = (w: Word) =>
  w.parts[0]?.k === 'lit' && !w.parts[0].q && INDEXED_ITEM.test(w.parts[0].v);

/** `a=([0]=shred [2]=/x [1]=-u)`: each element at its index (an unknown index makes the array unknown). */
function bindIndexed(name: string, items: Word[], before: Part[][], ctx: WalkContext): void {
  const elements = [...before];
  let next = elements.length;
  for (const w of items) {
    const head = w.parts[0];
    const el =
      head?.k === 'lit' && !head.q && INDEXED_ITEM.test(head.v)
        ? elementAssignment({ ...w, parts: [{ ...head, v: name + head.v }, ...w.parts.slice(1)] }, ctx)
        : null;
    const index = el ? el.index : next;
    const value = assignmentValue(el ? el.parts : w.parts, ctx);
    if (index === null || index < 0 || index > 1024 || value.length !== 1) return forgetArray(name, ctx);
    while (elements.length < index) elements.push([{ k: 'lit', v: '', q: true }]);
    elements[index] = value[0]!.parts;
    next = index + 1;
  }
  setArray(name, elements, ctx);
}

/** Remembers which substitutions a variable's value came from (see Env.feeds). */
function noteFeeds(name: string, scripts: Script[], ctx: WalkContext): void {
  const env = envOf(ctx);
  const subs = scripts.map((sc) => lastPrimaryOf(sc, ctx)).filter((x): x is Invocation => x !== null);
  if (subs.length > 0) (env.feeds ??= new Map()).set(name, subs.slice(0, 8));
}

/** The substitutions that fed the variables a word uses (`"$X"` after `X=$(env)`). */
function fedBy(w: Word, ctx: WalkContext): Invocation[] {
  const feeds = envOf(ctx).feeds;
  if (!feeds) return [];
  const out: Invocation[] = [];
  for (const p of w.parts) if (p.k === 'param') out.push(...(feeds.get(p.name) ?? []));
  return out;
}

/** Tilde expansion of a word's leading unquoted `~` (assignments and loop lists store the expanded value). */
function withTilde(parts: Part[], ctx: WalkContext): Part[] {
  const head = parts[0];
  return head && head.k === 'lit' && !head.q && /^~(?=\/|$)/.test(head.v)
    ? [{ k: 'lit' as const, v: ctx.home + head.v.slice(1), q: true }, ...parts.slice(1)]
    : parts;
}

/** `for NAME in WORDS`: NAME takes each word's value (a glob stays a glob: the loop runs over what it matches). */
function bindLoop(loop: { name: string; items: Word[] | null }, ctx: WalkContext): void {
  const env = envOf(ctx);
  if (loop.items === null) {
    assignVar(ctx, loop.name, env.positional ? [...env.positional] : null);
    return;
  }
  const names = loop.items.map(credentialNames).filter((n): n is string => n !== null);
  if (names.length > 0) {
    // `for v in ${!AWS_*}; do echo "${!v}"; done`: v names the environment's AWS_… variables, which hold
    // secrets; modelled as one such name, so `${!v}` reads as the secret it is
    assignVar(
      ctx,
      loop.name,
      names.map((n) => ({ parts: [{ k: 'lit', v: `${n}SECRET`, q: true }] })),
    );
    return;
  }
  const alts = [];
  for (const variant of expandWords(loop.items, ctx)) {
    for (const w of variant.flatMap(expandBraces)) {
      alts.push({ parts: withTilde(w.parts, ctx), glob: hasGlob(w) });
    }
  }
  // unknown items (`for f in $(ls)`) leave the variable unknown
  const known = alts.filter((a) => a.parts.every((p) => p.k === 'lit'));
  const allKnown = known.length === alts.length && alts.length > 0;
  assignVar(ctx, loop.name, allKnown ? alts : null);
  // for an assignment in the body that builds on itself (foldedOverLoop)
  env.lastLoop =
    allKnown && alts.length <= 64 && !alts.some((a) => a.glob)
      ? { name: loop.name, items: alts.map((a) => a.parts.map((p) => (p as { v: string }).v).join('')) }
      : undefined;
}

/** Prefixes of the environment's credential variables (cloud, code hosts, model providers, registries). */
const CREDENTIAL_PREFIX =
  /^(?:AWS|GITHUB|GH|GITLAB|GL|GOOGLE|GCP|GCLOUD|AZURE|ARM|OPENAI|ANTHROPIC|GEMINI|HF|HUGGING|NPM|DOCKER|VAULT|SLACK|STRIPE|TWILIO|DATADOG|DD|SENTRY|CLOUDFLARE|CF|DIGITALOCEAN|HEROKU|NETLIFY|VERCEL|SUPABASE|FIREBASE|DATABASE|DB|PG|MYSQL|REDIS|MONGO)|(?:SECRET|TOKEN|KEY|PASS)/i;

/** `${!AWS_*}` / `${!GITHUB@}` (the names of the variables with that prefix), for a credential prefix: the prefix. */
function credentialNames(w: Word): string | null {
  const p = w.parts.length === 1 ? w.parts[0]! : null;
  const m = p?.k === 'param' ? /^\$\{!([A-Za-z_]\w*)[*@]\}$/.exec(p.raw) : null;
  return m && CREDENTIAL_PREFIX.test(m[1]!) ? m[1]! : null;
}

/**
 * `s=''; for w in r m; do s="$s$w"; done`: an assignment that builds on its own value from the loop's variable
 * runs once per item, so its last value is the fold over the items (`rm`), not one step of it.
 */
function foldedOverLoop(a: { name: string; append: boolean; parts: Part[] }, ctx: WalkContext): Alt[] | null {
  const env = envOf(ctx);
  const loop = env.lastLoop;
  if (!loop) return null;
  const uses = (n: string) => a.parts.some((p) => p.k === 'param' && p.name === n);
  if (!uses(loop.name) || (!a.append && !uses(a.name))) return null;
  let cur = knownText(a.name, ctx);
  if (cur === null) return null;
  const saved = env.vars.get(loop.name);
  try {
    for (const item of loop.items) {
      env.vars.set(a.name, [{ parts: [{ k: 'lit', v: cur, q: true }] }]);
      env.vars.set(loop.name, [{ parts: [{ k: 'lit', v: item, q: true }] }]);
      const next = assignmentValue(a.parts, ctx);
      const only = next.length === 1 && next[0]!.parts.every((p) => p.k === 'lit') ? next[0]!.parts : null;
      if (!only) return null;
      const v = only.map((p) => (p as { v: string }).v).join('');
      cur = a.append ? cur + v : v;
      if (cur.length > 4096) return null;
    }
  } finally {
    if (saved) env.vars.set(loop.name, saved);
    else env.vars.delete(loop.name);
  }
  env.vars.delete(a.name);
  return [{ parts: [{ k: 'lit', v: cur, q: true }] }];
}

/** `{ ...frame, via }` without the spread (a hot path: one per command). */
function withVia(frame: Frame, via: string[]): Frame {
  const at: Frame = { level: frame.level, via, stdin: frame.stdin, upstream: frame.upstream };
  if (frame.appendsArgs !== undefined) at.appendsArgs = frame.appendsArgs;
  if (frame.concurrent !== undefined) at.concurrent = frame.concurrent;
  if (frame.endless !== undefined) at.endless = frame.endless;
  return at;
}

/** Strips wrappers from the front of `words` and records the resulting invocation (and any nested ones). */
export function unwrap(words: Word[], redirs: Redirect[], ctx: WalkContext, frame: Frame): Invocation | null {
  ctx.budget.command();
  let w = words;
  // the wrapper chain, copied from the frame's on the first wrapper stripped (most commands have none)
  let chain = frame.via;
  const at = withVia(frame, chain);
  const extend = (how: string) => {
    if (chain === frame.via) at.via = chain = [...chain];
    chain.push(how);
  };
  for (let guard = 0; guard < 64 && w.length > 0; guard++) {
    ctx.budget.tick();
    // leading assignments after a wrapper (`env A=1 cmd`, `sudo A=1 cmd`)
    while (w.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(staticValue(w[0]!) ?? '')) {
      walkCommandVar(commandVarWord(w[0]!, ctx, at), ctx, at);
      w = w.slice(1);
    }
    if (w.length === 0) return null;
    const first = w[0]!;
    const v = staticValue(first);
    if (v === null || hasGlob(first)) {
      const inv = newInvocation(w, redirs, at);
      inv.dynamic = true;
      inv.args = w.slice(1).map(toArg);
      if (frame.endless) inv.spawnsItself = true;
      // a command word read from a file this command wrote (`$(<f)`, `$(cat f)`) runs the written text
      for (const sc of scriptsOfWord(first)) {
        const f = fileReadBy(sc);
        const text = f === null ? undefined : ctx.env?.files?.get(resolveLexical(f, ctx));
        if (text !== undefined)
          walkShellString(text.replace(/\n+/g, ' '), ctx, {
            level: at.level + 1,
            via: [...chain, `$(<${f}) (written above)`],
          });
      }
      // a command word a decoder or a download produces runs text nobody can read: like eval of that text
      const src = producerOfScripts(scriptsOfWord(first), ctx);
      // (a decoder's known output that did not reach this word, through a stage after it, was never read either)
      if (
        src &&
        (src.kind === 'decoded' ||
          src.kind === 'network' ||
          (src.kind === 'literal' && src.desc.endsWith('(decoded)')))
      ) {
        inv.evalDynamic = true;
        inv.evalSource = src;
      }
      inv.cwd = ctx.cwd;
      ctx.out.push(inv);
      return inv;
    }
    // a path the script copied a program to runs that program (`cp /bin/rm ./x; ./x -rf ~`); a path it wrote
    // text to runs that text (`echo 'rm -rf ~' > t.sh; ./t.sh`)
    const known = v.includes('/') && (ctx.env?.programs || ctx.env?.files) ? resolveLexical(v, ctx) : null;
    const copied = known === null ? undefined : ctx.env?.programs?.get(known);
    const script = known === null || copied ? undefined : ctx.env?.files?.get(known);
    if (script !== undefined)
      walkShellString(script, ctx, { level: at.level + 1, via: [...chain, `${v} (written above)`] });
    const name = copied ?? basename(v);
    const rest = w.slice(1);
    const cmd: Resolved = { words: w, name, rest, redirs };
    if (name === 'env') {
      const r = skipEnvOptions(rest, ctx, at);
      if (r === 'nested') return null;
      if (r.length === 0) return record(cmd, ctx, at);
      extend('env');
      w = r;
      continue;
    }
    if (name === 'busybox' || name === 'toybox') {
      if (rest.length === 0) return null;
      extend(name);
      w = rest;
      continue;
    }
    if (name === 'xargs') {
      const r = skipXargsOptions(rest);
      extend('xargs');
      const extra: Word[] = [];
      // `xargs -a F`: the items come from F, which the script may have written with known text
      const argFile = xargsArgFile(rest.slice(0, rest.length - r.length));
      const written = argFile === null ? undefined : envOf(ctx).files?.get(resolveLexical(argFile, ctx));
      const stdin: Producer | null =
        argFile === null
          ? at.stdin
          : written !== undefined
            ? { kind: 'literal', text: written, desc: `xargs -a ${argFile}` }
            : { kind: 'file', desc: argFile };
      const repl = xargsReplace(rest.slice(0, rest.length - r.length));
      if (repl !== null && r.length > 0 && stdin?.kind === 'literal' && stdin.text !== undefined) {
        // -I{}: the command runs once per input line with {} replaced, also inside `sh -c "… {} …"`
        const lines = stdin.text
          .split('\n')
          .filter((l) => l.trim() !== '')
          .slice(0, 8);
        let first: Invocation | null = null;
        for (const line of lines) {
          const words = r.map((x) => {
            const v = staticValue(x);
            if (v === null || !v.includes(repl)) return x;
            // unquoted like the appended form: the producer (echo ~) already expanded what the shell expands
            const t = v.split(repl).join(line.trim());
            return { parts: [{ k: 'lit' as const, v: t, q: false }], raw: t };
          });
          first ??= unwrap(words, redirs, ctx, { ...at, stdin: null });
        }
        return first;
      }
      if (
        repl !== null &&
        r.length > 0 &&
        stdin?.kind !== 'literal' &&
        /^(?:rm|shred|unlink)$/.test(staticValue(r[0]!) ?? '')
      ) {
        // `ls -A ~ | xargs -I{} rm -rf ~/{}`: {} is any name the input gives, as a glob in its place would be
        const words = r.map((x) => {
          const v = staticValue(x);
          if (v === null || !v.includes(repl)) return x;
          const t = v.split(repl).join('*');
          return { parts: [{ k: 'lit' as const, v: t, q: false }], raw: t };
        });
        return unwrap(words, redirs, ctx, { ...at, stdin: null, appendsArgs: true });
      }
      const delim = xargsDelimiter(rest.slice(0, rest.length - r.length));
      if (stdin?.kind === 'literal' && stdin.text !== undefined && delim !== null) {
        // `-0`, `-d X`: each item whole, blanks and newlines kept (one argument `rm -rf ~⏎` for `xargs -0 printf %s`)
        const items = stdin.text.split(delim).filter((t, i, all) => t !== '' || i < all.length - 1);
        if (items.length <= MAX_XARGS_WORDS)
          extra.push(...items.map((t) => ({ parts: [{ k: 'lit' as const, v: t, q: true }], raw: t })));
      } else if (stdin?.kind === 'literal' && stdin.text !== undefined) {
        const toks = stdin.text.split(/\s+/).filter(Boolean);
        // unquoted: the producer (echo ~) already expanded what the shell expands
        if (toks.length <= MAX_XARGS_WORDS)
          extra.push(...toks.map((t) => ({ parts: [{ k: 'lit' as const, v: t, q: false }], raw: t })));
      }
      const target = r.length > 0 ? [...r, ...extra] : [litWord('echo'), ...extra];
      return unwrap(target, redirs, ctx, {
        ...at,
        stdin: null,
        appendsArgs: stdin?.kind !== 'literal',
      });
    }
    // a runner with its subcommand (`pnpm exec`, `uv run`), a wrapper, or a dynamic loader (`ld-linux….so.2 /bin/rm`)
    const sub = RUNNER_HEADS.has(name) && rest[0] ? staticValue(rest[0]) : null;
    const runner = sub !== null ? WRAPPER_TABLE.get(`${name} ${sub}`) : undefined;
    const wrapper =
      runner ??
      WRAPPER_TABLE.get(name) ??
      (name.startsWith('ld') && LOADER.test(name) ? LOADER_WRAPPER : undefined);
    if (wrapper) {
      const wrest = runner ? rest.slice(1) : rest;
      const s = stringOptAt(wrest, wrapper);
      if (s !== -1) {
        // `flock FILE -c CMD`, `npx -c CMD`: the string is a shell command
        const text = wrest[s + 1] ? staticValue(wrest[s + 1]!) : null;
        if (text === null) return record(cmd, ctx, at);
        walkShellString(text, ctx, {
          level: at.level + 1,
          via: [...chain, `${name} ${staticValue(wrest[s]!)}`],
        });
        return null;
      }
      const r = skipWrapperOptions(wrest, wrapper);
      if (r === null || r.length === 0) return record(cmd, ctx, at);
      if (wrapper.judged) record(cmd, ctx, at);
      extend(runner ? `${name} ${sub}` : name);
      w = r;
      continue;
    }
    return record(cmd, ctx, at);
  }
  return null;
}

/** Commands whose operands or embedded strings may hold a command (see command-strings.ts). */
const STRING_RUNNERS = new Set([
  'tmux',
  'byobu',
  'screen',
  'entr',
  'git',
  'make',
  'gmake',
  'mysql',
  'mariadb',
  'npm',
  'pnpm',
  'emacs',
  'emacsclient',
]);

const WRAPPER_TABLE = new Map<string, Wrapper>(Object.entries(WRAPPERS));
/** Commands whose subcommand makes them a runner (`pnpm exec`, `uv run`). */
const RUNNER_HEADS = new Set(
  Object.keys(WRAPPERS).flatMap((k) => (k.includes(' ') ? [k.split(' ')[0]!] : [])),
);

/** Where a wrapper's shell-string option is among its own options and positionals (`flock F -c CMD`), or -1. */
function stringOptAt(rest: Word[], spec: Wrapper): number {
  if (!spec.stringOpts?.length) return -1;
  let positionals = 0;
  for (let i = 0; i < rest.length; i++) {
    const v = staticValue(rest[i]!);
    if (v === null || v === '--') return -1;
    if (spec.stringOpts.includes(v)) return i;
    if (v.startsWith('-')) {
      if (spec.withArg.includes(v)) i++;
      continue;
    }
    if (positionals++ >= (spec.positionals ?? 0)) return -1;
  }
  return -1;
}

/** Skips `env` options; `-S`/`--split-string` re-parses its string as the command. */
function skipEnvOptions(args: Word[], ctx: WalkContext, frame: Frame): Word[] | 'nested' {
  let i = 0;
  while (i < args.length) {
    const o = isOpt(args[i]!);
    if (o === null) {
      const v = commandVarWord(args[i]!, ctx, frame);
      if (v !== null && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) {
        // `env GIT_PAGER='rm -rf ~' git log`: a command variable set through env runs as one set before the command
        walkCommandVar(v, ctx, frame);
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
      const parsed = parseShell(split, ctx.budget, frame.level + 1, ctx.warnings).script;
      const first = parsed.pipelines[0]?.stages[0];
      if (first && first.k === 'cmd') {
        unwrap([...first.words, ...rest], first.redirs, ctx, {
          level: frame.level + 1,
          via: [...frame.via, 'env -S'],
          stdin: frame.stdin,
          upstream: frame.upstream,
        });
      }
      return 'nested';
    }
    if (o === '-u' || o === '-C' || o === '--unset' || o === '--chdir' || o === '-a' || o === '--argv0') i++;
  }
  return args.slice(i);
}

/** Records a resolved command and expands what it runs itself (shell strings, find -exec, inline code). */
function record(cmd: Resolved, ctx: WalkContext, frame: Frame): Invocation {
  const inv = newInvocation(cmd.words, expandRedirTargets(cmd.redirs, ctx), frame);
  inv.via = frame.via.slice();
  inv.name = cmd.name;
  inv.args = cmd.rest.map(toArg);
  for (const a of inv.args) {
    for (const sc of scriptsOfWord(a.word)) {
      const sub = lastPrimaryOf(sc, ctx);
      if (sub) inv.subs.push(sub);
    }
    for (const sub of fedBy(a.word, ctx)) if (!inv.subs.includes(sub)) inv.subs.push(sub);
  }
  const vars = envOf(ctx).vars;
  for (const r of cmd.redirs) {
    if (!r.target) continue;
    // from a command's output, or a loop variable over a glob (`for f in *.py; do : > "$f"; done`: every match)
    // (logs and /tmp may be emptied, as with `truncate -s 0`)
    const globVar = r.target.parts.some(
      (p) =>
        p.k === 'param' &&
        vars.get(p.name)?.some((v) => v.glob && !/\.(?:log|out|err)$|^\/tmp\//.test(altText(v))),
    );
    if (globVar || scriptsOfWord(r.target).length > 0 || fedBy(r.target, ctx).length > 0)
      inv.targetFed = true;
  }
  inv.cwd = ctx.cwd;
  ctx.out.push(inv);
  const env = envOf(ctx);
  if (COPIERS.has(inv.name) || (inv.name === 'cat' && inv.redirs.length > 0)) noteCopiedProgram(inv, ctx);
  if (TEXT_WRITERS.has(inv.name) && (inv.redirs.length > 0 || inv.name === 'tee')) noteWrittenFile(inv, ctx);
  if (inv.redirs.length > 0) noteDecodedFile(inv, ctx);
  if (env.files) {
    const texts = sqlFilesOf(inv).map((f) => env.files!.get(resolveLexical(f, ctx)) ?? '');
    if (texts.some((t) => t !== '')) inv.sqlFiles = texts.join(';\n');
  }
  if ((env.fnStack.includes(cmd.name) && frame.concurrent) || frame.endless) inv.spawnsItself = true;
  const body = env.funcs.get(cmd.name);
  if (body && !env.fnStack.includes(cmd.name) && env.fnStack.length < 8)
    callFunction(cmd.name, body, inv, ctx);
  else interpretBuiltin(inv, ctx);
  if (cmd.name === 'cd' || cmd.name === 'pushd') {
    const dir = inv.args.find((a) => a.value === null || !a.value.startsWith('-'));
    const before = ctx.cwd;
    if (!dir) ctx.cwd = ctx.home;
    else if (dir.value === '-') {
      if (ctx.oldpwd !== undefined) ctx.cwd = ctx.oldpwd;
    } else if (dir.value !== null) {
      // `CDPATH=/work cd rt13`: a relative name is looked up in CDPATH's directories first
      const cdpath = knownText('CDPATH', ctx) ?? '';
      const first = cdpath.split(':').find(Boolean);
      const viaCdpath = first && !/^(?:\/|\.\.?(?:\/|$)|~)/.test(dir.value) ? `${first}/${dir.value}` : null;
      ctx.cwd = resolveLexical(viaCdpath ?? (dir.tilde ? dir.value : dir.value.replace(/^~/, './~')), ctx);
    }
    if (ctx.cwd !== before) ctx.oldpwd = before;
  }
  expandNested(inv, ctx);
  return inv;
}

/** Cheap pre-check on an assignment word's name (most assignments are not command variables). */
function mayBeCommandVar(w: Word): boolean {
  const head = w.parts[0];
  return (
    head !== undefined &&
    head.k === 'lit' &&
    /^(?:GIT_|PAGER|MANPAGER|SYSTEMD_PAGER|EDITOR|VISUAL|FCEDIT|SSH_ASKPASS|SUDO_ASKPASS|LESS|BASH_ENV|ENV=|PROMPT_COMMAND|RSYNC_RSH|BROWSER|LD_PRELOAD|LD_AUDIT)/.test(
      head.v,
    )
  );
}

/**
 * A command variable's assignment text. `BASH_ENV=<(…)`: the program is given `/dev/fd/63`, a descriptor (which the
 * hook rules read as a scratch script), and what it reads there is the substitution's output, walked as shell
 * when it is known.
 */
function commandVarWord(w: Word, ctx: WalkContext, frame: { level: number; via: string[] }): string | null {
  const [head, proc, ...rest] = w.parts;
  if (head?.k !== 'lit' || !head.v.endsWith('=') || proc?.k !== 'procsub' || rest.length > 0)
    return staticValue(w);
  const name = head.v.slice(0, -1);
  const text = outputOf(proc.script, ctx);
  if (text !== null && text !== '')
    walkShellString(text, ctx, { level: frame.level + 1, via: [...frame.via, `${name}=<(…)`] });
  return `${head.v}/dev/fd/63`;
}

/** `GIT_PAGER=CMD`, `export GIT_SSH_COMMAND=CMD`, `env PAGER=CMD …`: programs will run CMD, so it is walked as shell. */
function walkCommandVar(
  assign: string | null,
  ctx: WalkContext,
  frame: { level: number; via: string[] },
): void {
  if (assign === null) return;
  const eq = assign.indexOf('=');
  if (eq < 1) return;
  const name = assign.slice(0, eq);
  const text = commandVarText(name, assign.slice(eq + 1));
  if (text !== null) walkShellString(text, ctx, { level: frame.level + 1, via: [...frame.via, `${name}=`] });
}

const TEXT_WRITERS = new Set(['echo', 'printf', 'cat', 'tee']);

/** `echo TEXT > F`, `printf … >> F`, `cat > F <<EOF`, `tee F <<< TEXT`: F now holds known text (run later in the same command). */
function noteWrittenFile(inv: Invocation, ctx: WalkContext): void {
  const text =
    inv.name === 'echo' || inv.name === 'printf'
      ? classifyOutput(withHome(inv, ctx))
      : inv.stdin?.kind === 'literal' && (inv.name === 'tee' || inv.args.length === 0)
        ? inv.stdin
        : null;
  if (text?.kind !== 'literal' || text.text === undefined) return;
  const targets: Array<{ path: string | null; append: boolean }> = inv.redirs
    .filter((r) => r.target && !r.heredoc && (r.fd === null || r.fd === '1') && /^(?:>|>>|>\|)$/.test(r.op))
    .map((r) => ({ path: staticValue(r.target!), append: r.op === '>>' }));
  if (inv.name === 'tee') {
    const append = inv.args.some((a) => a.value === '-a' || a.value === '--append');
    for (const a of inv.args)
      if (a.value !== null && !a.value.startsWith('-')) targets.push({ path: a.value, append });
  }
  const env = envOf(ctx);
  for (const t of targets) {
    if (t.path === null || t.path === '/dev/null') continue;
    const abs = resolveLexical(t.path, ctx);
    const files = (env.files ??= new Map());
    const prev = t.append ? (files.get(abs) ?? '') : '';
    if (files.size < 32) files.set(abs, (prev + text.text).slice(0, 65536));
  }
}

/** `… | base64 -d > F`, `echo -e '\x72…' > F`: F holds decoded text nobody can read in the command. */
function noteDecodedFile(inv: Invocation, ctx: WalkContext): void {
  const out = inv.redirs.find(
    (r) => r.target && !r.heredoc && (r.fd === null || r.fd === '1') && /^(?:>|>>|>\|)$/.test(r.op),
  );
  const path = out?.target ? staticValue(out.target) : null;
  if (path === null || path === '/dev/null') return;
  const src = classifyOutput(inv);
  const abs = resolveLexical(path, ctx);
  const env = envOf(ctx);
  if (src.kind === 'decoded') {
    if ((env.decodedFiles ??= new Map()).size < 32) env.decodedFiles.set(abs, src.desc);
    return;
  }
  env.decodedFiles?.delete(abs);
  // a decoder whose output is known (`echo … | base64 -d > F`) wrote that text, as `echo TEXT > F` would
  if (src.kind === 'literal' && src.text !== undefined && !TEXT_WRITERS.has(inv.name)) {
    const files = (env.files ??= new Map());
    const prev = out!.op === '>>' ? (files.get(abs) ?? '') : '';
    if (files.size < 32) files.set(abs, (prev + src.text).slice(0, 65536));
  }
}

/** `echo ~/.ssh > f`: the shell expands the `~` before echo prints it, so the file holds the home's path. */
function withHome(inv: Invocation, ctx: WalkContext): Invocation {
  if (!inv.args.some((a) => a.tilde && a.value !== null && /^~(?:\/|$)/.test(a.value))) return inv;
  const args = inv.args.map((a) =>
    a.tilde && a.value !== null && /^~(?:\/|$)/.test(a.value)
      ? { ...a, value: ctx.home + a.value.slice(1) }
      : a,
  );
  return { ...inv, args };
}

/** A shell or interpreter running a file the script wrote decoded text to runs that text: like piping it in. */
function runsDecodedFile(inv: Invocation, file: Arg | undefined, ctx: WalkContext): void {
  const decoded = ctx.env?.decodedFiles;
  if (!decoded || !file || file.value === null) return;
  const desc = decoded.get(resolveLexical(file.value, ctx));
  if (desc === undefined) return;
  inv.evalDynamic = true;
  inv.evalSource = { kind: 'decoded', desc: `${desc} > ${file.text}` };
}

/** `cat F… | next` where the script wrote every F with known text: that text, as the next stage's stdin. */
function writtenFilesRead(inv: Invocation, ctx: WalkContext): Producer | null {
  if (inv.name !== 'cat' || inv.dynamic || inv.args.length === 0 || inv.redirs.length > 0) return null;
  const files = envOf(ctx).files;
  if (!files) return null;
  let text = '';
  for (const a of inv.args) {
    const t =
      a.value === null || a.value.startsWith('-') ? undefined : files.get(resolveLexical(a.value, ctx));
    if (t === undefined) return null;
    text += t;
  }
  return { kind: 'literal', text, desc: `${inv.display} (written here)` };
}

/** The text the script wrote to the file an argument names, if it did. */
function writtenText(a: Arg | undefined, ctx: WalkContext): string | undefined {
  const files = envOf(ctx).files;
  if (!files || !a || a.value === null) return undefined;
  return files.get(resolveLexical(a.value, ctx));
}

const COPIERS = new Set(['cp', 'ln', 'install', 'mv', 'rsync']);
/** A program's own file: in a bin directory (`/bin/rm`, or `/usr/bin/rm` from `$(command -v rm)`). */
const PROGRAM_FILE = /^\/(?:usr\/)?(?:local\/)?s?bin\/([^/]+)$/;

/** `cp /bin/rm ./x`, `ln -s "$(which git)" /tmp/g`, `cat /bin/rm > ./r`: remembers that the new path runs that program. */
function noteCopiedProgram(inv: Invocation, ctx: WalkContext): void {
  const ops = inv.args.filter((a, i) => {
    const v = a.value;
    if (v === null || !v.startsWith('-'))
      return !/^-(?:m|o|g|S|-mode|-owner|-group|-suffix)$/.test(inv.args[i - 1]?.value ?? '');
    return false;
  });
  let src: Arg | undefined;
  let dst: string | null = null;
  if (inv.name === 'cat') {
    src = ops[0];
    const out = inv.redirs.find(
      (r) => (r.op === '>' || r.op === '>|') && r.target && (r.fd === null || r.fd === '1'),
    );
    dst = out?.target ? staticValue(out.target) : null;
  } else if (ops.length === 2) {
    src = ops[0];
    dst = ops[1]!.value;
  }
  const prog = src?.value ? PROGRAM_FILE.exec(src.value)?.[1] : undefined;
  if (!prog || dst === null) return;
  let abs = resolveLexical(dst, ctx);
  if (dst.endsWith('/')) abs = `${abs}/${prog}`;
  (envOf(ctx).programs ??= new Map()).set(abs, prog);
}

/** Walks a function's body with its arguments bound to `$1`…. */
function callFunction(name: string, body: Script, inv: Invocation, ctx: WalkContext): void {
  const env = envOf(ctx);
  const positional = env.positional;
  env.positional = inv.args.map((a) => argAlt(a, ctx.home));
  env.fnStack.push(name);
  const cwd = ctx.cwd;
  try {
    walkBody(body, ctx, {
      level: inv.level + 1,
      via: [...inv.via, `${name}()`],
      stdin: inv.stdin,
      upstream: [],
      concurrent: false,
    });
  } finally {
    env.fnStack.pop();
    env.positional = positional;
  }
  ctx.cwd = cwd;
}

/**
 * `mapfile -C CALLBACK`: bash evaluates `CALLBACK INDEX LINE` every `-c` lines (5000 by default, so a short input
 * may never call it; treated as if each line did). Known lines are walked as those commands; otherwise the
 * callback's own text is, and the line is run-time data.
 */
function mapfileCallback(
  inv: Invocation,
  nested: (src: string, how: string) => void,
  ctx: WalkContext,
): void {
  const at = inv.args.findIndex((a) => a.value !== null && /^-[a-zA-Z]*C/.test(a.value));
  if (at === -1) return;
  const flag = inv.args[at]!.value!;
  const inline = flag.slice(flag.indexOf('C') + 1);
  const callback = inline || inv.args[at + 1]?.value;
  if (callback === null || callback === undefined) return markDynamicEval(inv, inv.args, ctx);
  const text = inv.stdin?.kind === 'literal' ? inv.stdin.text : undefined;
  if (text === undefined) {
    nested(callback, `${inv.name} -C`);
    return markDynamicEval(inv, inv.args, ctx);
  }
  const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  text
    .split('\n')
    .slice(0, 32)
    .forEach((line, i) => line && nested(`${callback} ${i} ${quote(line)}`, `${inv.name} -C`));
}

/** Interpreters that run a program file given as their first operand. */
const INTERPRETER =
  /^(?:python[0-9.]*|pypy[0-9]*|node|nodejs|bun|perl|ruby|php[0-9.]*|lua[0-9.]*|luajit|tclsh[0-9.]*|wish|expect|Rscript|osascript)$/;

/**
 * `python3 <(curl …)`, `bash --rcfile <(curl …) -i`, `exec 3< <(curl …); bash /dev/fd/3`: the program read from a
 * process substitution or a descriptor the script opened is that producer's output (walked when known, judged as
 * its source otherwise, as a pipe into the interpreter is).
 */
function descriptorScripts(
  inv: Invocation,
  nested: (src: string, how: string) => void,
  ctx: WalkContext,
): void {
  const shell = isShell(inv.name);
  for (let i = 0; i < inv.args.length; i++) {
    const a = inv.args[i]!;
    const prev = inv.args[i - 1]?.value ?? '';
    const rcfile = shell && /^--(?:rcfile|init-file)$/.test(prev);
    const operand =
      !(a.value ?? '').startsWith('-') && inv.args.slice(0, i).every((x) => (x.value ?? '').startsWith('-'));
    if (!rcfile && !operand) continue;
    const head = a.word.parts[0];
    const fd = a.value === null ? null : /^\/(?:dev\/fd|proc\/self\/fd)\/(\d+)$/.exec(a.value);
    const src =
      head?.k === 'procsub'
        ? producerOfScripts([head.script], ctx)
        : fd
          ? (envOf(ctx).fds?.get(fd[1]!) ?? null)
          : null;
    if (!src) continue;
    if (src.kind === 'literal' && src.text !== undefined) {
      // a shell's program is shell; another interpreter's known program is its own language, not walked here
      if (shell) nested(src.text, `${inv.name} ${a.text}`);
    } else if (src.kind !== 'file') {
      inv.evalDynamic = true;
      inv.evalSource = src;
    }
    if (operand) return;
  }
}

/** What a pipeline stage reads: its own stdin, else what the stage before it prints. */
function fedInput(inv: Invocation): Producer | null {
  const up = inv.upstream[inv.upstream.length - 1];
  return inv.stdin ?? (up ? classifyOutput(up) : null);
}

/** `curl … | xargs -0 sh -c`, `… | xargs -I{} sh -c {}`: the shell's program is xargs's input. */
function xargsShellSource(inv: Invocation): void {
  const c = inv.args.findIndex((a) => /^-[a-zA-Z]*c$/.test(a.value ?? ''));
  const script = c === -1 ? undefined : inv.args[c + 1];
  if (c === -1 || (script !== undefined && !(script.value ?? '').includes('{}'))) return;
  const src = fedInput(inv);
  if (src && (src.kind === 'network' || src.kind === 'decoded')) {
    inv.evalDynamic = true;
    inv.evalSource = src;
  }
}

/** `curl … | awk '{system($0)}'`, `… | awk '{print | "sh"}'`: awk runs each line of its input as a command. */
function awkRunsInput(inv: Invocation): void {
  const prog = inv.args.find((a) => a.value !== null && !a.value.startsWith('-'))?.value ?? '';
  if (!/\bsystem\s*\(\s*\$0\s*\)|\|\s*"(?:ba|z|da|k)?sh"|\|\s*&?\s*"(?:ba|da)?sh"/.test(prog)) return;
  const src = fedInput(inv);
  if (src && (src.kind === 'network' || src.kind === 'decoded')) {
    inv.evalDynamic = true;
    inv.evalSource = src;
  }
}

/** Parses and walks a literal shell string one level deeper. */
export function walkShellString(
  src: string,
  ctx: WalkContext,
  at: { level: number; via: string[]; stdin?: Producer | null },
): void {
  ctx.budget.depth(at.level);
  const { script } = parseShell(src, ctx.budget, at.level, ctx.warnings);
  walkBody(script, ctx, { level: at.level, via: at.via, stdin: at.stdin ?? null, upstream: [] });
}

function expandNested(inv: Invocation, ctx: WalkContext): void {
  const n = inv.name;
  const level = inv.level + 1;
  const nested = (src: string, how: string) => walkShellString(src, ctx, { level, via: [...inv.via, how] });
  const viaOptions = optionCommands(inv);
  for (let i = 0; i < viaOptions.length; i++) {
    const c = viaOptions[i]!;
    if (c.text !== null) nested(c.text, c.how);
    else markDynamicEval(inv, [c.arg], ctx);
  }
  if (DECLARE_BUILTINS.has(n)) for (const a of inv.args) walkCommandVar(a.value, ctx, inv);
  if (STRING_RUNNERS.has(n))
    for (const c of commandStrings(inv)) {
      if (c.words) unwrap(c.words, [], ctx, { level, via: [...inv.via, c.how], stdin: null, upstream: [] });
      else if (c.text !== null && c.text !== undefined) nested(c.text, c.how);
      else markDynamicEval(inv, inv.args, ctx);
    }
  for (const c of clientShellEscapes(inv)) nested(c.text, c.how);
  if (n === 'mapfile' || n === 'readarray') mapfileCallback(inv, nested, ctx);
  if (isShell(n) || INTERPRETER.test(n)) descriptorScripts(inv, nested, ctx);
  if (isShell(n) && inv.appendsArgs) xargsShellSource(inv);
  if (/^[gm]?awk$/.test(n)) awkRunsInput(inv);
  if (isShell(n)) {
    const script = shellScriptArg(inv.args);
    if (script === 'none') {
      // reads its script from stdin
      if (inv.stdin?.kind === 'literal' && inv.stdin.text !== undefined) {
        nested(inv.stdin.text, `${n} <${inv.stdin.desc}`);
      }
    } else if (script === 'file') {
      const file = inv.args.find((a) => a.value === null || !/^[-+]/.test(a.value));
      const proc = file?.word.parts[0];
      if (file && proc && proc.k === 'procsub') {
        // `bash <(echo 'rm -rf ~')`: the substitution's output is the script
        const fed = producerOfScripts([proc.script], ctx);
        if (fed?.kind === 'literal' && fed.text !== undefined) nested(fed.text, `${n} <(${fed.desc})`);
        else markDynamicEval(inv, [file], ctx);
      }
      const written = writtenText(file, ctx);
      if (written !== undefined) nested(written, `${n} ${file!.text} (written above)`);
      runsDecodedFile(inv, file, ctx);
    } else if (script.value !== null) {
      // `sh -c 'rm -rf "$1"' _ /work/ws`: the words after the string are $0, $1, … inside it
      const env = envOf(ctx);
      const positional = env.positional;
      const after = inv.args.slice(inv.args.indexOf(script) + 1);
      if (after.length > 1) env.positional = after.slice(1).map((a) => argAlt(a, ctx.home));
      try {
        nested(script.value, `${n} -c`);
      } finally {
        env.positional = positional;
      }
    } else markDynamicEval(inv, [script], ctx);
    return;
  }
  if (n === 'eval') {
    if (inv.args.every((a) => a.value !== null)) {
      nested(inv.args.map((a) => a.value).join(' '), 'eval');
    } else markDynamicEval(inv, inv.args, ctx);
    return;
  }
  if (n === 'trap' && inv.args.length >= 2) {
    const a = inv.args[0]!;
    if (a.value !== null) nested(a.value, 'trap');
    else markDynamicEval(inv, [a], ctx);
    return;
  }
  if ((n === 'su' || n === 'runuser' || n === 'script' || n === 'sg') && inv.args.length > 0) {
    const i = inv.args.findIndex((a) => a.value === '--command' || /^-[a-zA-Z]*c$/.test(a.value ?? ''));
    const s = i === -1 ? undefined : inv.args[i + 1];
    if (s) {
      if (s.value !== null) nested(s.value, `${n} -c`);
      else markDynamicEval(inv, [s], ctx);
    }
    return;
  }
  if ((n === 'watch' || n === 'ssh-agent') && inv.args.length > 0) {
    const rest =
      n === 'watch' ? skipLeadingOptions(inv.args, ['-n', '-d', '--interval', '--differences']) : inv.args;
    if (rest.length > 0 && rest.every((a) => a.value !== null)) {
      nested(rest.map((a) => a.value).join(' '), n);
    }
    return;
  }
  if (EDITORS.has(n)) {
    for (const cmd of editorShellCommands(inv)) nested(cmd, `${n} :!`);
    return;
  }
  if (n === 'make' || n === 'gmake') {
    // `printf 'x:\n\trm -rf ~\n' > /tmp/mk && make -f /tmp/mk x`: a makefile this command wrote runs its recipes
    const at = inv.args.findIndex(
      (a) => a.value === '-f' || a.value === '--file' || a.value === '--makefile',
    );
    const written = at === -1 ? undefined : writtenText(inv.args[at + 1], ctx);
    if (written !== undefined) nested(makeRecipes(written), `${n} -f (written above)`);
    // `make --eval='all:;rm -rf $$HOME'`: the makefile text is on the command line
    for (let i = 0; i < inv.args.length; i++) {
      const v = inv.args[i]!.value ?? '';
      const text = v.startsWith('--eval=')
        ? v.slice(7)
        : v === '--eval' || v === '-E'
          ? inv.args[i + 1]?.value
          : undefined;
      if (text) nested(makeRecipes(text.replace(/\$\$/g, '$')), `${n} --eval`);
    }
  }
  if ((n === 'make' || n === 'gmake') && readsMakefileFromStdin(inv)) {
    if (inv.stdin?.kind === 'literal' && inv.stdin.text !== undefined) nested(makeRecipes(inv.stdin.text), n);
    else if (inv.stdin) {
      // a makefile from a download or a decoder runs its recipes as shell: judged like that text fed to a shell
      inv.evalDynamic = true;
      inv.evalSource = inv.stdin;
    }
    return;
  }
  if ((n === 'source' || n === '.') && inv.args[0]) {
    const written = writtenText(inv.args[0], ctx);
    if (written !== undefined) nested(written, `${n} ${inv.args[0].text} (written above)`);
    runsDecodedFile(inv, inv.args[0], ctx);
    const p = inv.args[0].word.parts[0];
    if (p && p.k === 'procsub') {
      inv.stdin = producerOfScripts([p.script], ctx);
      if (inv.stdin?.kind === 'literal' && inv.stdin.text !== undefined)
        nested(inv.stdin.text, `${n} <(${inv.stdin.desc})`);
    } else if (isStdinFile(inv.args[0].value) || inv.args[0].value === '-') {
      inv.stdin = inv.stdin ?? null;
      // `. /dev/stdin <<< TEXT`: the here-string or heredoc is the script
      if (inv.stdin?.kind === 'literal' && inv.stdin.text !== undefined)
        nested(inv.stdin.text, `${n} <${inv.stdin.desc}`);
    }
    return;
  }
  if (n === 'find') {
    expandFind(inv, ctx);
    return;
  }
  if (n === 'parallel') {
    expandParallel(inv, ctx);
    return;
  }
  if (n === 'git') {
    const alias = gitAlias(inv);
    if (alias?.shell !== undefined) nested(alias.shell, 'git !alias');
    else if (alias?.words)
      unwrap(alias.words, [], ctx, { level, via: [...inv.via, 'git alias'], stdin: inv.stdin, upstream: [] });
    return;
  }
  const remote = remoteCommand(inv, ctx);
  if (remote) {
    const how = [...inv.via, remote.how];
    if (remote.text !== null) walkShellString(remote.text, ctx, { level, via: how, stdin: inv.stdin });
    if (remote.words) unwrap(remote.words, [], ctx, { level, via: how, stdin: inv.stdin, upstream: [] });
    return;
  }
  let code = extractInlineCode(inv);
  const lang = code === null && (ctx.env?.files || ctx.env?.decodedFiles) ? langOf(n) : null;
  if (lang !== null) {
    // `python3 /tmp/w.py` after writing it: the script is known, so it is checked like -c code
    const file = inv.args.find((a) => a.value === null || !a.value.startsWith('-'));
    runsDecodedFile(inv, file, ctx);
    const written = writtenText(file, ctx);
    if (written !== undefined)
      code = { lang, flag: `${file!.text} (written above)`, text: written, readsStdin: false };
  }
  if (code?.readsStdin && inv.stdin?.kind === 'literal' && inv.stdin.text !== undefined) {
    // `python3 - <<EOF`: the script is literal, so it is checked like -c code
    code.text = inv.stdin.text;
    code.flag = `<${inv.stdin.desc}`;
  }
  if (code) {
    inv.code = code;
    if (code.text !== null) code.text = canonicalCode(code.text, code.lang, ctx.cwd);
    if (code.text !== null) {
      for (const s of shellStringsInCode(code)) {
        const how = `${n} ${code.flag} → ${s.api}`;
        if (s.argv) {
          // a home directory the code computed stands in the argv as `~` (see code-canon.ts)
          const argv = s.argv.map((x) => litWord(/^~(?:\/|$)/.test(x) ? ctx.home + x.slice(1) : x));
          unwrap(argv, [], ctx, { level, via: [...inv.via, how], stdin: null, upstream: [] });
        } else {
          nested(s.command!, how);
        }
      }
    }
  }
}

const PARALLEL_WITH_ARG = new Set(
  '-j --jobs -S --sshlogin -a --arg-file -d --delimiter -I -n -N -L --colsep -E --joblog --results --tmpdir --timeout --delay --retries --memfree --load -P --max-procs'.split(
    ' ',
  ),
);
const MAX_PARALLEL_INPUTS = 16;

/** GNU `parallel CMD ::: INPUTS`: CMD runs once per input (at `{}`, else appended); without CMD each input is a command. */
function expandParallel(inv: Invocation, ctx: WalkContext): void {
  const a = inv.args;
  let i = 0;
  while (i < a.length && (a[i]!.value ?? '').startsWith('-')) {
    if (PARALLEL_WITH_ARG.has(a[i]!.value!)) i++;
    i++;
  }
  const sep = a.findIndex((x, k) => k >= i && /^::::?\+?$/.test(x.value ?? ''));
  const cmd = a.slice(i, sep === -1 ? a.length : sep);
  const inputs = sep === -1 ? [] : a.slice(sep + 1).filter((x) => !/^::::?\+?$/.test(x.value ?? ''));
  const at = { level: inv.level + 1, via: [...inv.via, 'parallel'], stdin: null, upstream: inv.upstream };
  if (cmd.length === 0) {
    for (const x of inputs.slice(0, MAX_PARALLEL_INPUTS))
      if (x.value !== null) walkShellString(x.value, ctx, { level: at.level, via: at.via });
    return;
  }
  const stdin = inv.stdin?.kind === 'literal' ? inv.stdin.text : undefined;
  if (inputs.length === 0 && stdin === undefined) {
    unwrap(
      cmd.map((x) => x.word),
      [],
      ctx,
      { ...at, appendsArgs: true },
    );
    return;
  }
  // without `:::`, each line of a literal stdin is one input (`echo /work/ws | parallel rm -rf`), as for xargs;
  // unquoted: the producer (echo ~) already expanded what the shell expands
  const words =
    inputs.length > 0
      ? inputs.map((x) => x.word)
      : stdin!
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .map((t) => ({ parts: [{ k: 'lit' as const, v: t, q: false }], raw: t }));
  const hasSlot = cmd.some((c) => c.value?.includes('{}'));
  for (const x of words.slice(0, MAX_PARALLEL_INPUTS)) {
    const line = staticValue(x);
    const run = cmd.map((c) =>
      c.value === '{}'
        ? x
        : line !== null && c.value?.includes('{}')
          ? litWord(c.value.split('{}').join(line))
          : c.word,
    );
    unwrap(hasSlot ? run : [...run, x], [], ctx, at);
  }
}

/** `git -c alias.NAME=VALUE NAME …`: the alias it runs (a `!` alias is a shell command). */
function gitAlias(inv: Invocation): { shell?: string; words?: Word[] } | null {
  const a = inv.args;
  const aliases = new Map<string, string>();
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!.value;
    if (v === null) return null;
    if (v === '-c') {
      const m = /^alias\.([^=]+)=([\s\S]*)$/i.exec(a[i + 1]?.value ?? '');
      if (m) aliases.set(m[1]!, m[2]!);
      i++;
      continue;
    }
    if (v === '-C' || v === '--git-dir' || v === '--work-tree' || v === '--namespace') {
      i++;
      continue;
    }
    if (v.startsWith('-')) continue;
    const body = aliases.get(v);
    if (body === undefined) return null;
    const rest = a.slice(i + 1);
    if (body.startsWith('!')) return { shell: [body.slice(1), ...rest.map((x) => x.word.raw)].join(' ') };
    return {
      words: [litWord('git'), ...body.split(/\s+/).filter(Boolean).map(litWord), ...rest.map((x) => x.word)],
    };
  }
  return null;
}

function markDynamicEval(inv: Invocation, args: Arg[], ctx: WalkContext): void {
  inv.evalDynamic = true;
  const source = producerOfScripts(
    args.flatMap((a) => scriptsOfWord(a.word)),
    ctx,
  ) ?? { kind: 'dynamic', desc: args.map((a) => a.text).join(' ') };
  inv.evalSource = source;
  // `eval "$(… | xargs -0 printf %s)"`: the string is the whole output of a command whose output the producer
  // model knows though the interpreter could not compute it; that text is what runs
  const only = args.length === 1 ? args[0]!.word.parts : [];
  if (source.kind === 'literal' && source.text && only.length === 1 && only[0]!.k === 'cmdsub')
    walkShellString(source.text, ctx, {
      level: inv.level + 1,
      via: [...inv.via, `${inv.name} (known output)`],
    });
}

const DECLARE_BUILTINS = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);
const EDITORS = new Set(['vi', 'vim', 'nvim', 'ex', 'view', 'gvim', 'vimdiff']);

/** Shell commands an editor's startup commands run: `-c ':!cmd'`, `+'!cmd'`, `--cmd 'r !cmd'`, `call system('…')`. */
function editorShellCommands(inv: Invocation): string[] {
  const out: string[] = [];
  const args = inv.args;
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    let ex: string | null = null;
    if ((v === '-c' || v === '--cmd') && args[i + 1]) ex = args[++i]!.value;
    else if (v !== null && v.startsWith('+')) ex = v.slice(1);
    if (ex === null) continue;
    for (const piece of ex.split('|')) {
      const bang = /^\s*:*\s*(?:silent!?\s*)?(?:[\d,.$%]*\s*(?:r(?:ead)?|w(?:rite)?)?\s*)!(.*)$/s.exec(piece);
      if (bang) out.push(bang[1]!);
      const sys = /\bsystem(?:list)?\s*\(\s*(['"])(.*?)\1/s.exec(piece);
      if (sys) out.push(sys[2]!);
    }
    // a `!cmd` takes the rest of the line, pipes included
    const whole = /^\s*:*\s*!(.*)$/s.exec(ex);
    if (whole && ex.includes('|')) out.push(whole[1]!);
  }
  return out;
}

function readsMakefileFromStdin(inv: Invocation): boolean {
  return inv.args.some(
    (a, i) =>
      ((a.value === '-f' || a.value === '--file' || a.value === '--makefile') &&
        (inv.args[i + 1]?.value === '-' || inv.args[i + 1]?.value === '/dev/stdin')) ||
      a.value === '-f-' ||
      a.value === '-f/dev/stdin' ||
      a.value === '--file=-' ||
      a.value === '--file=/dev/stdin',
  );
}

/** The recipe lines of a makefile (tab-indented lines and `target: deps; recipe`), which make runs with a shell. */
function makeRecipes(text: string): string {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('\t')) lines.push(line.slice(1).replace(/^[@+-]+/, ''));
    else {
      const m = /^[^:=#]+::?[^;=]*;(.*)$/.exec(line);
      if (m) lines.push(m[1]!.replace(/^\s*[@+-]+/, ''));
    }
  }
  return lines.join('\n');
}

/** The file of `xargs -a F` / `--arg-file=F`, or null. */
function xargsArgFile(opts: Word[]): string | null {
  for (let i = 0; i < opts.length; i++) {
    const v = staticValue(opts[i]!);
    if (v === '-a' || v === '--arg-file') return staticValue(opts[i + 1] ?? litWord('')) || null;
    if (v?.startsWith('--arg-file=')) return v.slice('--arg-file='.length) || null;
    if (v && /^-a./.test(v)) return v.slice(2);
  }
  return null;
}

/** The item delimiter of `xargs -0` / `--null` / `-d X` / `--delimiter=X`, or null for blank-separated items. */
function xargsDelimiter(opts: Word[]): string | null {
  let delim: string | null = null;
  for (let i = 0; i < opts.length; i++) {
    const v = staticValue(opts[i]!);
    if (v === null) continue;
    if (v === '--null' || /^-[a-zA-Z]*0/.test(v)) delim = '\0';
    else if (v === '-d' || v === '--delimiter')
      delim = unescapeDelim(staticValue(opts[++i] ?? litWord('')) ?? '');
    else if (v.startsWith('--delimiter=')) delim = unescapeDelim(v.slice('--delimiter='.length));
    else if (/^-d./.test(v)) delim = unescapeDelim(v.slice(2));
  }
  return delim === '' ? null : delim;
}

const unescapeDelim = (d: string): string =>
  d === '\\n' ? '\n' : d === '\\t' ? '\t' : d === '\\0' ? '\0' : d.slice(0, 1);

/** The replace string of `xargs -I R` / `-i` / `--replace[=R]`, or null. */
function xargsReplace(opts: Word[]): string | null {
  for (let i = 0; i < opts.length; i++) {
    const v = staticValue(opts[i]!);
    if (v === null) continue;
    if (v === '-I' || v === '--replace') return staticValue(opts[i + 1] ?? litWord('')) || '{}';
    if (v.startsWith('-I') && v.length > 2) return v.slice(2);
    if (v === '-i' || v === '--replace=') return '{}';
    if (v.startsWith('--replace=')) return v.slice(10);
    if (v.startsWith('-i') && v.length > 2) return v.slice(2);
  }
  return null;
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
  // `-name .git` with a literal name: every `{}` is a path with that name (`find . -name .git -exec rm -rf {} \;`)
  const nameAt = args.findIndex((a) => a.value === '-name' || a.value === '-iname');
  const named = nameAt === -1 ? null : args[nameAt + 1]?.value;
  const stand = !filtered
    ? starts[0]!
    : named && !/[*?[\]/]/.test(named)
      ? `${starts[0]!.replace(/\/+$/, '')}/${named}`
      : null;
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
      cmd.push(t === '{}' && stand !== null ? litWord(stand) : args[j]!.word);
    }
    if (cmd.length > 0)
      unwrap(cmd, [], ctx, {
        level: inv.level + 1,
        via: [...inv.via, `find ${v}`],
        stdin: null,
        upstream: [],
        appendsArgs: plus,
      });
    i = j;
  }
}

export const _internal = { shellScriptArg };

/** The literal text of a variable's value (expansions as `*`). */
function altText(v: Alt): string {
  return v.parts.map((p) => (p.k === 'lit' ? p.v : '*')).join('');
}

/**
 * Redirection targets with what the interpreter knows expanded (`> "$(git rev-parse --show-toplevel)/.git/hooks/x"`,
 * `X=~/.bashrc; echo … >> "$X"`), when that gives exactly one word; otherwise the target stays as written.
 */
function expandRedirTargets(redirs: Redirect[], ctx: WalkContext): Redirect[] {
  if (!redirs.some((r) => r.target && !r.heredoc && r.target.parts.some((p) => p.k !== 'lit'))) return redirs;
  return redirs.map((r) => {
    if (!r.target || r.heredoc || r.target.parts.every((p) => p.k === 'lit')) return r;
    const variants = expandWords([r.target], ctx);
    const only = variants.length === 1 && variants[0]!.length === 1 ? variants[0]![0]! : null;
    return only && only !== r.target ? { ...r, target: { parts: only.parts, raw: r.target.raw } } : r;
  });
}
