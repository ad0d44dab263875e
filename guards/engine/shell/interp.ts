/**
 * A small abstract interpreter of the script, run by the walker before the rules see a command: it tracks what the
 * script assigns (`X=…`, `export`, `local`, `declare`, `readonly`, `read`, `for` loops, `set --`, function arguments,
 * aliases) and computes the output of substitutions whose output is known (`pwd`, `echo`, `printf`, `dirname`,
 * `basename`, `realpath`, `readlink -f`, `git rev-parse --show-toplevel`, `mktemp`, `whoami`, `$PWD`, `$HOME`).
 * Words are expanded with what is known; what is not known stays an expansion, so a substitution whose output is
 * unknown remains a `cmdsub` part the rules can treat as "could be anything".
 *
 * A variable holds every value any assignment gave it (up to MAX_ALTS): the walk is linear and does not know which
 * branch of an `if` or `&&` runs, so a later command is checked with each value it could have.
 */
import { posix } from 'node:path';
import type { Part, Script, Word } from './ast.js';
import type { Alt, Arg, Env, WalkContext } from './invocation.js';
import { resolveLexical } from '../paths.js';
import { applyParamOp, TRANSFORM_OPS } from './param-ops.js';
import { evalArith } from './arith.js';
import { asText, echoText, filterOutput, printfText } from './decoders.js';

const MAX_ALTS = 8;
/** At most this many variants of one command are checked (the product of its variables' values). */
export const MAX_VARIANTS = 8;
const MAX_OUTPUT = 4096;
const MAX_SUB_DEPTH = 32;

export function newEnv(): Env {
  return { vars: new Map(), positional: null, funcs: new Map(), aliases: new Map(), fnStack: [] };
}

export function envOf(ctx: WalkContext): Env {
  return (ctx.env ??= newEnv());
}

const lit = (v: string, q: boolean): Part => ({ k: 'lit', v, q });

/** The value an argument passes on (`f ~` passes the home directory: tilde expansion happens at the call). */
export function argAlt(a: Arg, home: string): Alt {
  const head = a.word.parts[0];
  if (a.tilde && head && head.k === 'lit' && /^~(?=\/|$)/.test(head.v))
    return { parts: [lit(home + head.v.slice(1), true), ...a.word.parts.slice(1)], glob: a.glob };
  return { parts: a.word.parts, glob: a.glob };
}

/** Binds a variable to one value (plain assignment) or adds the value to the ones it may have. */
export function assignVar(ctx: WalkContext, name: string, alts: Alt[] | null): void {
  const env = envOf(ctx);
  (env.touched ??= new Set()).add(name);
  if (alts === null) {
    env.vars.delete(name);
    return;
  }
  const all = [...(env.vars.get(name) ?? []), ...alts];
  env.vars.set(name, all.slice(-MAX_ALTS));
}

/**
 * `NAME+=value`: every value NAME could have with the text appended (added to what it could have, as
 * assignVar does); unknown when NAME was (from the environment, or unknown already).
 */
export function appendVar(ctx: WalkContext, name: string, added: Alt[]): void {
  const env = envOf(ctx);
  const before =
    env.vars.get(name) ?? (env.arrays?.get(name)?.[0] ? [{ parts: env.arrays.get(name)![0]! }] : null);
  if (!before) return assignVar(ctx, name, null);
  const out: Alt[] = [];
  for (const b of before)
    for (const a of added) if (out.length < MAX_ALTS) out.push({ parts: [...b.parts, ...a.parts] });
  assignVar(ctx, name, out);
}

/** The array NAME holds these elements from here on; `$NAME` is the first. */
export function setArray(name: string, elements: Part[][], ctx: WalkContext): void {
  const env = envOf(ctx);
  (env.arrays ??= new Map()).set(name, elements);
  env.vars.delete(name);
  if (elements[0]) assignVar(ctx, name, [{ parts: elements[0] }]);
}

/** NAME is an array (or variable) with values the guard cannot know from here on. */
export function forgetArray(name: string, ctx: WalkContext): void {
  (envOf(ctx).touched ??= new Set()).add(name);
  envOf(ctx).arrays?.delete(name);
  assignVar(ctx, name, null);
}

/** `a[INDEX]=value` or `a[INDEX]+=value`: the array, the index when known, and the value's parts. */
export function elementAssignment(
  w: Word,
  ctx: WalkContext,
): { name: string; index: number | null; append: boolean; parts: Part[] } | null {
  const first = w.parts[0];
  if (!first || first.k !== 'lit' || first.q) return null;
  const m = /^([A-Za-z_]\w*)\[([^\]]*)\](\+?)=/.exec(first.v);
  if (!m) return null;
  const rest = first.v.slice(m[0].length);
  const parts = [...(rest ? [{ k: 'lit' as const, v: rest, q: first.q }] : []), ...w.parts.slice(1)];
  const index = envOf(ctx).assoc?.has(m[1]!) ? assocSlot(m[1]!, m[2]!, ctx, true) : arithIndex(m[2]!, ctx);
  return {
    name: m[1]!,
    index: index !== null && Number.isSafeInteger(index) ? index : null,
    append: m[3] === '+',
    parts,
  };
}

/** `a[N]=value`: element N of a known array (or a new one); an unknown index or value makes the array unknown. */
export function setElement(
  name: string,
  index: number | null,
  append: boolean,
  value: Alt[],
  ctx: WalkContext,
): void {
  const env = envOf(ctx);
  const before = env.arrays?.get(name) ?? (env.vars.has(name) ? null : []);
  if (before === null || index === null || index < 0 || index > 1024 || value.length !== 1)
    return forgetArray(name, ctx);
  const elements = [...before];
  while (elements.length < index) elements.push([{ k: 'lit', v: '', q: true }]);
  elements[index] = append ? [...(elements[index] ?? []), ...value[0]!.parts] : value[0]!.parts;
  setArray(name, elements, ctx);
}

/** `NAME=value` or `NAME+=value` at the start of a word: the name and the value's parts. */
export function splitAssignment(w: Word): { name: string; append: boolean; parts: Part[] } | null {
  const first = w.parts[0];
  if (!first || first.k !== 'lit') return null;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/.exec(first.v);
  if (!m) return null;
  const rest = first.v.slice(m[0].length);
  const parts = [...(rest ? [lit(rest, first.q)] : []), ...w.parts.slice(1)];
  return { name: m[1]!, append: m[2] === '+', parts };
}

/** An assignment's value, expanded (no word splitting; a leading unquoted `~` is the home directory). */
export function assignmentValue(parts: Part[], ctx: WalkContext): Alt[] {
  const head = parts[0];
  const withTilde =
    head && head.k === 'lit' && !head.q && /^~(?=\/|$)/.test(head.v)
      ? [lit(ctx.home + head.v.slice(1), true), ...parts.slice(1)]
      : parts;
  return expandParts(withTilde, ctx, 0).map((p) => ({ parts: p }));
}

/** Expands the words of a command: every variant (up to MAX_VARIANTS), each a list of words after splitting. */
export function expandWords(words: Word[], ctx: WalkContext): Word[][] {
  if (ctx.oldpwd !== undefined && words.some(isOldpwdTilde)) words = words.map((w) => oldpwdTilde(w, ctx));
  if (!words.some(needsExpansion)) return [words];
  let variants: Word[][] = [[]];
  for (const w of words) {
    if (!needsExpansion(w)) {
      for (const v of variants) v.push(w);
      continue;
    }
    const all = positionalWords(w, ctx);
    if (all) {
      for (const v of variants) v.push(...all);
      continue;
    }
    const alts = expandParts(w.parts, ctx, 0);
    const next: Word[][] = [];
    for (const v of variants) {
      for (const parts of alts) {
        next.push([...v, ...splitWord(parts, w.raw, ifsOf(ctx))]);
        if (next.length >= MAX_VARIANTS) break;
      }
      if (next.length >= MAX_VARIANTS) break;
    }
    variants = next;
  }
  return variants;
}

/** `"$@"` (and `$@`, `$*`) alone in a word: one word per positional parameter, when they are known. */
function positionalWords(w: Word, ctx: WalkContext): Word[] | null {
  const p = w.parts[0];
  if (w.parts.length !== 1 || !p || p.k !== 'param' || (p.name !== '@' && p.name !== '*') || p.op !== '')
    return null;
  const pos = envOf(ctx).positional;
  if (!pos) return null;
  const words = pos.map((a) => ({ parts: a.parts.map((x) => requote(x, p.q && !a.glob)), raw: w.raw }));
  return p.q ? words : words.flatMap((x) => splitWord(x.parts, w.raw, ifsOf(ctx)));
}

/** An unquoted `~-` or `~-/…` at the start of a word: $OLDPWD. */
function isOldpwdTilde(w: Word): boolean {
  const p = w.parts[0];
  return !!p && p.k === 'lit' && !p.q && /^~-(?=\/|$)/.test(p.v);
}

function oldpwdTilde(w: Word, ctx: WalkContext): Word {
  if (!isOldpwdTilde(w)) return w;
  const [head, ...rest] = w.parts as [Extract<Part, { k: 'lit' }>, ...Part[]];
  return { ...w, parts: [lit(ctx.oldpwd! + head.v.slice(2), true), ...rest] };
}

function needsExpansion(w: Word): boolean {
  return w.parts.some((p) => p.k === 'param' || p.k === 'cmdsub' || p.k === 'arith');
}

const DEFAULT_IFS = /\s+/;

/** The field separators: the script's own `IFS=…` when it set one literal value (`IFS=,`), else blanks. */
function ifsOf(ctx: WalkContext): RegExp {
  const alts = envOf(ctx).vars.get('IFS');
  if (!alts || alts.length !== 1) return DEFAULT_IFS;
  const only = alts[0]!.parts;
  if (only.length !== 1 || only[0]!.k !== 'lit' || only[0]!.v === '') return DEFAULT_IFS;
  const chars = only[0]!.v.replace(/[\\\]^-]/g, '\\$&');
  return new RegExp(`[\\s${chars}]+`);
}

/** Field splitting of the unquoted text expansions produced (literal words never hold unquoted blanks). */
function splitWord(parts: Part[], raw: string, ifs: RegExp = DEFAULT_IFS): Word[] {
  const out: Word[] = [];
  let cur: Part[] = [];
  let had = false;
  for (const p of parts) {
    if (p.k !== 'lit' || p.q || !ifs.test(p.v)) {
      cur.push(p);
      had = true;
      continue;
    }
    const pieces = p.v.split(ifs);
    pieces.forEach((piece, i) => {
      if (i > 0) {
        if (had) out.push({ parts: cur, raw });
        cur = [];
        had = false;
      }
      if (piece) {
        cur.push(lit(piece, false));
        had = true;
      }
    });
  }
  if (had) out.push({ parts: cur, raw });
  // a word that expands to nothing unquoted disappears; a quoted empty word stays
  return out.length === 0 && parts.some((p) => p.k === 'lit' && p.q)
    ? [{ parts: [lit('', true)], raw }]
    : out;
}

/** The alternatives for a sequence of parts (the product of each part's alternatives, bounded). */
function expandParts(parts: Part[], ctx: WalkContext, depth: number): Part[][] {
  let acc: Part[][] = [[]];
  for (const p of parts) {
    const alts = expandPart(p, ctx, depth);
    if (alts.length === 1) {
      for (const a of acc) a.push(...alts[0]!);
      continue;
    }
    const next: Part[][] = [];
    for (const a of acc) for (const x of alts) if (next.length < MAX_VARIANTS) next.push([...a, ...x]);
    acc = next;
  }
  return acc;
}

function expandPart(p: Part, ctx: WalkContext, depth: number): Part[][] {
  ctx.budget.tick();
  if (p.k === 'param') {
    const alts = paramValue(p, ctx);
    if (alts === null) return [[scriptComputed(p, ctx) ? { ...p, computed: true } : p]];
    return alts.map((a) =>
      a.parts.map((x) => (a.fields && x.k === 'lit' && x.v === ' ' && !x.q ? x : requote(x, p.q && !a.glob))),
    );
  }
  if (p.k === 'cmdsub') {
    const out = depth < MAX_SUB_DEPTH ? outputOf(p.script, ctx, depth + 1) : null;
    return out === null ? [[p]] : [[lit(out, p.q)]];
  }
  if (p.k === 'arith' && p.subs.length === 0) {
    const v = evalArith(p.raw.slice(3, -2), (name) => knownText(name, ctx));
    return v === null ? [[p]] : [[lit(String(v), false)]];
  }
  return [[p]];
}

/**
 * `${x@E}` (backslash escapes decoded, as `$'…'`), `${x@U}`/`@u`/`@L` (case), `${x@Q}` (quoted for reuse) of a
 * known value; `@P` (prompt expansion, which runs `$(…)`), `@A`, `@a`, `@K`, `@k` are not computed.
 */
function atTransform(p: Extract<Part, { k: 'param' }>, ctx: WalkContext): Alt[] | null {
  const m = /^\$\{([A-Za-z_]\w*)@([EULuQ])\}$/.exec(p.raw);
  if (!m) return null;
  const base = paramValue({ ...p, op: '', raw: `\${${m[1]}}` }, ctx);
  if (base === null) return null;
  const out: Alt[] = [];
  for (const a of base) {
    if (!a.parts.every((x) => x.k === 'lit')) return null;
    const v = a.parts.map((x) => (x as { v: string }).v).join('');
    const t =
      m[2] === 'E'
        ? printfText(['%b', v])
        : m[2] === 'U'
          ? v.toUpperCase()
          : m[2] === 'L'
            ? v.toLowerCase()
            : m[2] === 'u'
              ? v.charAt(0).toUpperCase() + v.slice(1)
              : `'${v.replace(/'/g, `'\\''`)}'`;
    if (t === null) return null;
    out.push({ parts: [lit(t, p.q)] });
  }
  return out;
}

/**
 * An unknown parameter the script itself gave its value (`declare -A m=(…)`, a loop-built string, `mapfile`,
 * `${x@E}`), as opposed to one inherited from the environment: computed at run time, like `$(…)`.
 */
function scriptComputed(p: Extract<Part, { k: 'param' }>, ctx: WalkContext): boolean {
  if (/^\$\{[A-Za-z_]\w*(?:\[[^\]]*\])?@[EPQAaKku]\}$/.test(p.raw)) return true;
  const env = envOf(ctx);
  const name = env.namerefs?.get(p.name) ?? p.name;
  return env.touched?.has(name) === true || env.namerefs?.has(p.name) === true;
}

/** A part spliced into a word at use: unquoted use re-exposes it to splitting and globbing. */
function requote(p: Part, q: boolean): Part {
  if (p.k === 'lit') return lit(p.v, q);
  if (p.k === 'param' || p.k === 'cmdsub') return { ...p, q };
  return p;
}

/** What a parameter expands to, or null when unknown. */
function paramValue(p: Extract<Part, { k: 'param' }>, ctx: WalkContext): Alt[] | null {
  const env = envOf(ctx);
  // `${!n}` with n known to name a variable is that variable (`n=HOME; rm -rf "${!n}"`)
  const indirect = /^\$\{!([A-Za-z_][A-Za-z0-9_]*(?:\[[^\]@*]+\])?)\}$/.exec(p.raw);
  if (indirect) {
    const sub = /^([A-Za-z_]\w*)\[(.+)\]$/.exec(indirect[1]!);
    const target = sub
      ? elementValue({ ...p, name: sub[1]!, op: '[', raw: `\${${indirect[1]}}` }, ctx)
      : env.vars.get(indirect[1]!);
    const names = target?.map((a) => (a.parts.length === 1 && a.parts[0]!.k === 'lit' ? a.parts[0]!.v : ''));
    if (!names || names.some((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) return null;
    const out: Alt[] = [];
    // an unknown target stays an expansion of that name (`K=GITHUB_TOKEN; curl -d "${!K}"` sends $GITHUB_TOKEN)
    for (const n of names) {
      const inner = { ...p, name: n, raw: `$${n}`, op: '' };
      out.push(...(paramValue(inner, ctx) ?? [{ parts: [inner] }]));
    }
    return out.length > 0 ? out : null;
  }
  if (p.op === '[') return elementValue(p, ctx);
  if (p.op === '@') return atTransform(p, ctx);
  // ${#X}, ${!X…}, and operators that transform the value are not computed
  if (/^\$\{[#!]/.test(p.raw)) return null;
  if (TRANSFORM_OPS.has(p.op)) return transformed(p, ctx);
  const plain = p.op === '';
  const fallback = p.op === ':-' || p.op === '-' || p.op === ':?' || p.op === '?';
  const defaulting = p.op === ':-' || p.op === '-' || p.op === ':=' || p.op === '=';
  const alternate = p.op === ':+' || p.op === '+';
  if (!plain && !fallback && !defaulting && !alternate) return null;
  const name = env.namerefs?.get(p.name) ?? p.name;
  // `declare -n r='a[1]'`: $r is that element
  const el = name !== p.name && plain ? /^([A-Za-z_]\w*)\[([^\]]+)\]$/.exec(name) : null;
  if (el) return elementValue({ ...p, name: el[1]!, op: '[', raw: `\${${name}}` }, ctx);
  if (name !== p.name) return paramValue({ ...p, name, raw: p.raw.replace(p.name, name) }, ctx);
  let alts: Alt[] | null = null;
  if (/^[1-9]$/.test(p.name)) {
    if (env.positional) alts = [env.positional[Number(p.name) - 1] ?? { parts: [lit('', true)] }];
  } else if (p.name === '@' || p.name === '*') {
    if (env.positional)
      alts = [{ parts: env.positional.flatMap((a, i) => (i > 0 ? [lit(' ', false), ...a.parts] : a.parts)) }];
  } else {
    alts = env.vars.get(p.name) ?? null;
    if (alts === null && p.name === 'HOME') alts = [{ parts: [lit(ctx.home, true)] }];
    if (alts === null && p.name === 'PWD') alts = [{ parts: [lit(ctx.cwd, true)] }];
    if (alts === null && p.name === 'OLDPWD' && ctx.oldpwd !== undefined)
      alts = [{ parts: [lit(ctx.oldpwd, true)] }];
    // the sandbox sets it to the workspace the guard was given
    if (alts === null && p.name === 'AGS_WORKSPACE' && ctx.workspace !== undefined)
      alts = [{ parts: [lit(ctx.workspace, true)] }];
    // an IFS the script never set is the default: `rm${IFS}-rf${IFS}/` splits like spaces
    if (alts === null && p.name === 'IFS' && plain) alts = [{ parts: [lit(' ', p.q)] }];
  }
  // `${X:-word}` with X unknown may be either; `${X:+word}` is word or nothing: treat the word as a possible value
  const word = defaulting || alternate ? operatorWord(p, ctx) : null;
  if (word !== null && (alts === null || alternate)) {
    const unknown: Alt = { parts: [{ ...p, op: '', raw: `\${${p.name}}` }] };
    if (alternate) return alts === null ? [...word, { parts: [lit('', true)] }] : word;
    return [unknown, ...word];
  }
  if (!plain && !fallback) return null;
  if (alts === null) return null;
  // with a fallback operator, only a value known to be non-empty is certain
  if (fallback && alts.some((a) => a.parts.every((x) => x.k === 'lit' && x.v === ''))) return null;
  return alts;
}

/** The one literal value a variable has, or null. */
export function knownText(name: string, ctx: WalkContext): string | null {
  const alts = envOf(ctx).vars.get(name);
  if (!alts || alts.length !== 1) return null;
  let v = '';
  for (const x of alts[0]!.parts) {
    if (x.k !== 'lit') return null;
    v += x.v;
  }
  return v;
}

/** `${X:0:1}`, `${X%/*}`, `${X/a/b}` of a variable whose values are all known text. */
function transformed(p: Extract<Part, { k: 'param' }>, ctx: WalkContext): Alt[] | null {
  if (!p.raw.startsWith('${') || !p.raw.endsWith('}')) return null;
  const word = p.raw.slice(2 + p.name.length + p.op.length, -1);
  const base = paramValue({ ...p, op: '', raw: `\${${p.name}}` }, ctx);
  // `${PATH:0:1}`: whatever PATH holds, it starts with a directory, so its first character is `/`
  if (base === null && p.name === 'PATH' && p.op === ':' && /^0:1$/.test(word.replace(/\s/g, '')))
    return [{ parts: [lit('/', p.q)] }];
  if (base === null) return null;
  const out: Alt[] = [];
  for (const a of base) {
    let v = '';
    for (const x of a.parts) {
      if (x.k !== 'lit') return null;
      v += x.v;
    }
    const r = applyParamOp(v, p.op, word);
    if (r === null) return null;
    out.push({ parts: [lit(r, p.q)] });
  }
  return out;
}

/**
 * `${a[@]}`, `${a[*]}`, `${a[N]}`, `${a[$i]}`, `${a[i+1]}` and the slices `${a[@]:OFF[:LEN]}` of an array the
 * script assigned (through a nameref too); null when the array or the index is not known.
 */
function elementValue(p: Extract<Part, { k: 'param' }>, ctx: WalkContext): Alt[] | null {
  const env = envOf(ctx);
  const name = env.namerefs?.get(p.name) ?? p.name;
  const elements = env.arrays?.get(name);
  // `${a[${#a[@]}-1]}`: an index may hold one level of brackets
  const opAt = /^\$\{[A-Za-z_]\w*\[((?:[^[\]]|\[[^\]]*\])+)\](%%?|##?|\/\/?|\^\^?|,,?)([\s\S]*)\}$/.exec(
    p.raw,
  );
  if (opAt && elements) {
    // `${a[0]%,}`, `${a[@]/\/x\//}`: the operator applied to each element named
    const base = elementValue({ ...p, raw: `\${${p.name}[${opAt[1]}]}` }, ctx);
    if (base === null) return null;
    const whole = opAt[1] === '@' || opAt[1] === '*';
    const each = whole ? elements : base.map((a) => a.parts);
    const out: Part[][] = [];
    for (const el of each) {
      if (!el.every((x) => x.k === 'lit')) return null;
      const r = applyParamOp(el.map((x) => (x as { v: string }).v).join(''), opAt[2]!, opAt[3]!);
      if (r === null) return null;
      out.push([lit(r, p.q)]);
    }
    if (!whole) return out.map((parts) => ({ parts }));
    return [
      { parts: out.flatMap((el, i) => (i > 0 ? [lit(' ', false), ...el] : el)), fields: opAt[1] === '@' },
    ];
  }
  const m = /^\$\{[A-Za-z_]\w*\[((?:[^[\]]|\[[^\]]*\])+)\](?::([^:}]+)(?::([^:}]+))?)?\}$/.exec(p.raw);
  if (!elements || !m) return null;
  const index = m[1]!;
  if (index !== '@' && index !== '*') {
    if (m[2] !== undefined) return null;
    const i = env.assoc?.has(name) ? assocSlot(name, index, ctx, false) : arithIndex(index, ctx);
    if (i === null) return null;
    const el = elements[i < 0 ? elements.length + i : i];
    return [{ parts: el ?? [lit('', true)] }];
  }
  let chosen = elements;
  if (m[2] !== undefined) {
    const off = arithIndex(m[2], ctx);
    const len = m[3] === undefined ? null : arithIndex(m[3], ctx);
    if (off === null || (m[3] !== undefined && len === null)) return null;
    const from = off < 0 ? Math.max(0, elements.length + off) : off;
    chosen = elements.slice(from, len === null ? undefined : len < 0 ? elements.length + len : from + len);
  }
  // `"${a[*]}"` joins with IFS's first character (`IFS=/; a=(home dev); rm -rf "/${a[*]}"`)
  const ifs = index === '*' && p.q ? knownText('IFS', ctx) : null;
  const sep = ifs !== null ? lit(ifs.slice(0, 1), true) : lit(' ', false);
  const parts = chosen.flatMap((el, i) => (i > 0 ? [sep, ...el] : el));
  return [{ parts, fields: index === '@' }];
}

/**
 * An array index or offset: arithmetic over variables whose values are known numbers (`$i`, `i+1`, `-1`,
 * `${#a[@]}-1`, `++i`); a name the script never set is 0, as bash's arithmetic reads an unset variable.
 */
function arithIndex(expr: string, ctx: WalkContext): number | null {
  const env = envOf(ctx);
  let text = expr
    .replace(/\$\{#([A-Za-z_]\w*)\[[@*]\]\}/g, (_m, n: string) => String(env.arrays?.get(n)?.length ?? 0))
    .replace(/\$\{?([A-Za-z_]\w*)\}?/g, '$1');
  // `++i` reads as i+1 (the walker does not keep the increment), `i++` as i
  text = text.replace(/(\+\+|--)\s*([A-Za-z_]\w*)/g, (_m, op: string, n: string) => `(${n}${op[0]}1)`);
  text = text.replace(/([A-Za-z_]\w*)\s*(?:\+\+|--)/g, '$1');
  if (/[$`'"\\]/.test(text)) return null;
  const v = evalArith(text, (n) => knownText(n, ctx) ?? (env.touched?.has(n) ? null : '0'));
  return v === null || !Number.isSafeInteger(v) ? null : v;
}

/** The slot of key KEY of associative array NAME (a new one when `create`), or null when the key is not known. */
function assocSlot(name: string, key: string, ctx: WalkContext, create: boolean): number | null {
  const k = key.replace(/^(['"])(.*)\1$/, '$2');
  const ref = /^\$\{?([A-Za-z_]\w*)\}?$/.exec(k);
  const text = ref ? knownText(ref[1]!, ctx) : /[$`\\]/.test(k) ? null : k;
  if (text === null) return null;
  const env = envOf(ctx);
  const keys = (env.assocKeys ??= new Map()).get(name) ?? new Map<string, number>();
  env.assocKeys.set(name, keys);
  const slot = keys.get(text);
  if (slot !== undefined || !create) return slot ?? null;
  keys.set(text, keys.size);
  return keys.size - 1;
}

/**
 * The values of the word after a `${X:-…}`-style operator: a literal without quotes or expansions, or one
 * variable (`${DEST-$HOME}`, known or not).
 */
function operatorWord(p: Extract<Part, { k: 'param' }>, ctx: WalkContext): Alt[] | null {
  const start = 2 + p.name.length + p.op.length;
  if (!p.raw.startsWith('${') || !p.raw.endsWith('}')) return null;
  const w = p.raw.slice(start, -1);
  const ref = /^\$(?:([A-Za-z_]\w*)|\{([A-Za-z_]\w*)\})$/.exec(w);
  if (ref) {
    const name = ref[1] ?? ref[2]!;
    const inner = { ...p, name, op: '', raw: `\${${name}}` };
    return paramValue(inner, ctx) ?? [{ parts: [inner] }];
  }
  return /[$`'"\\]/.test(w) ? null : [{ parts: [lit(w, p.q)] }];
}

/** The output of a substitution when it is known (trailing newlines removed), else null. */
export function outputOf(script: Script, ctx: WalkContext, depth = 1): string | null {
  let cwd = ctx.cwd;
  let out = '';
  for (const pl of script.pipelines) {
    ctx.budget.tick();
    const at: WalkContext = cwd === ctx.cwd ? ctx : { ...ctx, cwd };
    if (pl.stages.length !== 1) {
      // `echo … | base64 -d | rev`: a known first stage through filters whose output follows from their input
      const text = pipelineOutput(pl.stages, at, depth);
      if (text === null) return null;
      out += text;
      if (out.length > MAX_OUTPUT) return null;
      continue;
    }
    const st = pl.stages[0]!;
    if (st.k !== 'cmd' || st.loop) return null;
    if (st.words.length === 0 && st.redirs.length === 0) continue;
    if (st.words.length === 0) {
      // `$(< F)` of a file the script wrote
      const text = readRedirect(st, at);
      if (text === null) return null;
      out += text;
      continue;
    }
    const input = st.redirs.length > 0 ? hereString(st, at, depth) : null;
    if (st.redirs.length > 0 && input === null) return null;
    const variants = expandWordsAt(st.words, at, depth);
    if (variants === null) return null;
    const argv = variants;
    const r = input === null ? builtinOutput(argv, at) : filtered(argv, input);
    if (r === null) return null;
    if (r.cwd !== undefined) cwd = r.cwd;
    out += r.out;
    if (out.length > MAX_OUTPUT) return null;
  }
  return out.replace(/\n+$/, '');
}

/** `< F` alone (`$(< F)`), F a file the script wrote with known text: that text; else null. */
function readRedirect(
  st: Extract<Script['pipelines'][number]['stages'][number], { k: 'cmd' }>,
  ctx: WalkContext,
): string | null {
  const r = st.redirs.length === 1 ? st.redirs[0]! : null;
  if (!r || r.op !== '<' || (r.fd !== null && r.fd !== '0') || !r.target) return null;
  return writtenFile(
    r.target.parts.every((p) => p.k === 'lit')
      ? r.target.parts.map((p) => (p as { v: string }).v).join('')
      : null,
    ctx,
  );
}

/** The text the script wrote to a file (`echo … > F`, tracked by the walker), or null. */
function writtenFile(path: string | null, ctx: WalkContext): string | null {
  if (path === null) return null;
  return envOf(ctx).files?.get(resolveLexical(path, { cwd: ctx.cwd, home: ctx.home })) ?? null;
}

/** The input a `<<< WORD` here-string gives a stage (a newline added, as bash does); other redirects: null. */
function hereString(
  st: Extract<Script['pipelines'][number]['stages'][number], { k: 'cmd' }>,
  ctx: WalkContext,
  depth: number,
): Buffer | null {
  let input: Buffer | null = null;
  for (const r of st.redirs) {
    if (r.op === '<<<' && r.target) {
      const alts = expandParts(r.target.parts, ctx, depth);
      if (alts.length !== 1 || alts[0]!.some((p) => p.k !== 'lit')) return null;
      input = Buffer.from(alts[0]!.map((p) => (p.k === 'lit' ? p.v : '')).join('') + '\n', 'utf8');
    } else if (!(r.fd === '2' && r.op === '>' && r.target?.raw === '/dev/null')) return null;
  }
  return input;
}

function filtered(argv: string[], input: Buffer): { out: string; cwd?: string } | null {
  const b = filterOutput(argv, input);
  const text = b === null ? null : asText(b);
  return text === null ? null : { out: text };
}

/** The output of a pipeline whose first stage's output is known and whose other stages are modelled filters. */
function pipelineOutput(
  stages: Script['pipelines'][number]['stages'],
  ctx: WalkContext,
  depth: number,
): string | null {
  if (stages.length > 8) return null;
  let data: Buffer | null = null;
  for (const st of stages) {
    if (st.k !== 'cmd' || st.loop || st.words.length === 0) return null;
    const here = st.redirs.length > 0 ? hereString(st, ctx, depth) : null;
    if (st.redirs.length > 0 && here === null) return null;
    const argv = expandWordsAt(st.words, ctx, depth);
    if (argv === null) return null;
    if (data === null && here === null) {
      const r = builtinOutput(argv, ctx);
      if (r === null || r.cwd !== undefined) return null;
      data = Buffer.from(r.out, 'utf8');
      continue;
    }
    data = filterOutput(argv, here ?? data!);
    if (data === null) return null;
  }
  return data === null ? null : asText(data);
}

/** The argv of a command inside a substitution when every word is known (one variant only), else null. */
function expandWordsAt(words: Word[], ctx: WalkContext, depth: number): string[] | null {
  const argv: string[] = [];
  for (const w of words) {
    const alts = expandParts(w.parts, ctx, depth);
    if (alts.length !== 1) return null;
    const pieces = splitWord(alts[0]!, w.raw, ifsOf(ctx));
    for (const piece of pieces) {
      let s = '';
      for (const p of piece.parts) {
        if (p.k !== 'lit') return null;
        if (!p.q && /[*?[]/.test(p.v)) return null;
        s += p.v;
      }
      const head = piece.parts[0];
      if (head && head.k === 'lit' && !head.q && /^~(?=\/|$)/.test(head.v)) s = ctx.home + s.slice(1);
      argv.push(s);
    }
  }
  return argv;
}

function operandsOf(args: string[]): string[] {
  const out: string[] = [];
  let end = false;
  for (const a of args) {
    if (!end && a === '--') end = true;
    else if (!end && a.startsWith('-') && a.length > 1) continue;
    else out.push(a);
  }
  return out;
}

/** Output (and any change of directory) of the commands whose output is known from their arguments. */
function builtinOutput(argv: string[], ctx: WalkContext): { out: string; cwd?: string } | null {
  const [name = '', ...args] = argv;
  const abs = (p: string) => resolveLexical(p, { cwd: ctx.cwd, home: ctx.home });
  switch (name) {
    case 'pwd':
      return { out: ctx.cwd + '\n' };
    case 'cd': {
      const dir = operandsOf(args)[0];
      return { out: '', cwd: dir === undefined ? ctx.home : dir === '-' ? ctx.cwd : abs(dir) };
    }
    case 'true':
    case ':':
      return { out: '' };
    case 'cat': {
      // files the script wrote with known text
      if (args.length === 0 || args.some((a) => a.startsWith('-'))) return null;
      let out = '';
      for (const f of args) {
        const text = writtenFile(f, ctx);
        if (text === null) return null;
        out += text;
      }
      return { out };
    }
    case 'echo':
      return { out: echoText(args) };
    case 'printf': {
      if (args[0] === '-v') return null;
      const text = printfText(args);
      return text === null ? null : { out: text };
    }
    case 'dirname':
      return {
        out: operandsOf(args)
          .map((p) => posix.dirname(p.replace(/(.)\/+$/, '$1')) + '\n')
          .join(''),
      };
    case 'basename': {
      const ops = operandsOf(args);
      if (ops.length === 0) return null;
      if (args.some((a) => a === '-a' || a === '--multiple'))
        return { out: ops.map((p) => posix.basename(p) + '\n').join('') };
      return { out: posix.basename(ops[0]!, ops[1]) + '\n' };
    }
    case 'realpath':
      return {
        out: operandsOf(args)
          .map((p) => abs(p) + '\n')
          .join(''),
      };
    case 'readlink':
      if (!args.some((a) => /^-[a-z]*[fem]/.test(a) || a === '--canonicalize')) return null;
      return {
        out: operandsOf(args)
          .map((p) => abs(p) + '\n')
          .join(''),
      };
    case 'whoami':
      return { out: posix.basename(ctx.home) + '\n' };
    case 'mktemp': {
      const tmpl = operandsOf(args)[0];
      const base = tmpl ? (tmpl.includes('/') ? tmpl : `/tmp/${tmpl}`) : '/tmp/tmp.XXXXXXXXXX';
      return { out: base + '\n' };
    }
    case 'command':
    case 'which':
    case 'type': {
      // where a program is: its directory is unknown, its name is not (`cp "$(command -v rm)" ./x`)
      const ok = name === 'which' || args[0] === (name === 'command' ? '-v' : '-P') || args[0] === '-p';
      const prog = args[args.length - 1];
      if (!ok || prog === undefined || !/^[A-Za-z0-9][\w.+-]*$/.test(prog)) return null;
      return { out: `/usr/bin/${prog}\n` };
    }
    case 'git':
      return gitOutput(args, ctx);
    default:
      return null;
  }
}

/** `git rev-parse --show-toplevel` / `--git-dir` / `--absolute-git-dir` inside the workspace. */
function gitOutput(args: string[], ctx: WalkContext): { out: string } | null {
  const ws = ctx.workspace;
  if (args[0] !== 'rev-parse' || args.length !== 2 || !ws) return null;
  if (ctx.cwd !== ws && !ctx.cwd.startsWith(ws + '/')) return null;
  switch (args[1]) {
    case '--show-toplevel':
      return { out: ws + '\n' };
    case '--git-dir':
      return { out: (ctx.cwd === ws ? '.git' : ws + '/.git') + '\n' };
    case '--absolute-git-dir':
      return { out: ws + '/.git\n' };
    default:
      return null;
  }
}
