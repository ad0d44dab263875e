/**
 * The builtins that change what the abstract interpreter knows: `export`/`local`/`declare`/`typeset`/`readonly`
 * assignments, `read` from a known stdin, `printf -v`, `unset`, `set --`/`shift`, and `alias`/`unalias`.
 */
import type { Alt, Invocation, WalkContext } from './invocation.js';
import { printfText } from './decoders.js';
import type { Part } from './ast.js';
import {
  argAlt,
  assignmentValue,
  assignVar,
  envOf,
  elementAssignment,
  forgetArray,
  knownText,
  setArray,
  setElement,
  splitAssignment,
} from './interp.js';

const DECLARERS = new Set(['export', 'local', 'declare', 'typeset', 'readonly']);
/** The option letters of `read` and `mapfile` that take a value (the rest of the cluster or the next word). */
const READ_VALUE_FLAGS = new Set(['p', 'a', 'd', 't', 'n', 'N', 'u', 'i']);
const MAPFILE_VALUE_FLAGS = new Set(['d', 'n', 'O', 's', 'u', 'C', 'c']);
/** Lines of a known stdin a `read` loop or `mapfile` is followed through. */
const MAX_LINES = 256;

const literal = (v: string): Alt => ({ parts: [{ k: 'lit', v, q: true }] });

export function interpretBuiltin(inv: Invocation, ctx: WalkContext): void {
  const env = envOf(ctx);
  const name = inv.name;
  if (DECLARERS.has(name)) {
    const nameref = inv.args.some((a) => a.value !== null && /^-[a-zA-Z]*n/.test(a.value));
    if (inv.args.some((a) => a.value !== null && /^-[a-zA-Z]*A/.test(a.value)))
      for (const a of inv.args) {
        const n = a.value === null ? null : /^([A-Za-z_]\w*)(?:=|$)/.exec(a.value);
        if (n) (env.assoc ??= new Set()).add(n[1]!);
      }
    for (const a of inv.args) {
      if (a.value !== null && /^[-+]/.test(a.value)) continue;
      const ref =
        nameref && a.value !== null ? /^([A-Za-z_]\w*)=([A-Za-z_]\w*(?:\[[^\]]+\])?)$/.exec(a.value) : null;
      if (ref) {
        (env.namerefs ??= new Map()).set(ref[1]!, ref[2]!);
        env.vars.delete(ref[1]!);
        continue;
      }
      const s = splitAssignment(a.word);
      if (s) assignVar(ctx, s.name, assignmentValue(s.parts, ctx));
    }
    return;
  }
  if (name === 'read') return interpretRead(inv, ctx);
  if (name === 'mapfile' || name === 'readarray') return interpretMapfile(inv, ctx);
  if (name === 'printf' && inv.args[0]?.value === '-v') {
    // `printf -v cmd '%s %s' git 'clean -fdx'`: cmd holds the formatted text, as if assigned
    const target = inv.args[1]?.value;
    if (!target) return;
    const element = /^[A-Za-z_]\w*\[[^\]]*\]$/.test(target)
      ? elementAssignment({ parts: [{ k: 'lit', v: `${target}=`, q: false }], raw: `${target}=` }, ctx)
      : null;
    if (!element && !/^[A-Za-z_]\w*$/.test(target)) return;
    const values = inv.args
      .slice(2)
      .map((a) => (a.tilde && a.value?.startsWith('~') ? ctx.home + a.value.slice(1) : a.value));
    const text = values.every((v): v is string => v !== null) ? printfText(values) : null;
    // `printf -v 'a[1]' %s rm`: element 1 of a
    if (element)
      return setElement(element.name, element.index, false, text === null ? [] : [literal(text)], ctx);
    env.vars.delete(target);
    assignVar(ctx, target, text === null ? null : [literal(text)]);
    return;
  }
  if (name === 'unset') {
    for (const a of inv.args) if (a.value !== null && !a.value.startsWith('-')) env.vars.delete(a.value);
    return;
  }
  if (name === 'set') {
    const i = inv.args.findIndex((a) => a.value === '--');
    if (i !== -1) env.positional = inv.args.slice(i + 1).map((a) => argAlt(a, ctx.home));
    return;
  }
  if (name === 'shift') {
    if (env.positional) env.positional = env.positional.slice(Number(inv.args[0]?.value ?? 1) || 1);
    return;
  }
  if (name === 'alias') {
    for (const a of inv.args) {
      const m = a.value === null ? null : /^([^=\s]+)=([\s\S]*)$/.exec(a.value);
      if (m) env.aliases.set(m[1]!, m[2]!);
    }
    return;
  }
  if (name === 'unalias') {
    for (const a of inv.args) if (a.value !== null) env.aliases.delete(a.value);
  }
}

/** Options (`-ra NAME`, `-d ''`, `-n3`) and operands of `read`/`mapfile`; null when a word is not known. */
function parseOptions(
  inv: Invocation,
  withValue: ReadonlySet<string>,
): { flags: Map<string, string>; operands: string[] } | null {
  const flags = new Map<string, string>();
  const operands: string[] = [];
  const args = inv.args;
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === null) return null;
    if (v === '--') {
      for (const a of args.slice(i + 1)) {
        if (a.value === null) return null;
        operands.push(a.value);
      }
      break;
    }
    if (!v.startsWith('-') || v === '-') {
      operands.push(v);
      continue;
    }
    for (let k = 1; k < v.length; k++) {
      const f = v[k]!;
      if (!withValue.has(f)) {
        flags.set(f, '');
        continue;
      }
      const rest = v.slice(k + 1);
      if (rest) flags.set(f, rest);
      else {
        const next = args[++i]?.value;
        if (next === null || next === undefined) return null;
        flags.set(f, next);
      }
      break;
    }
  }
  return { flags, operands };
}

/**
 * The text a builtin reads: its known stdin, or null. With `-u N` it reads fd N instead, which becomes its stdin
 * here (what the script opened N to, or unknown), so the rules that follow lines read see where they came from.
 */
function knownStdin(inv: Invocation, ctx: WalkContext, fd: string | undefined): string | null {
  if (fd !== undefined) inv.stdin = envOf(ctx).fds?.get(fd) ?? { kind: 'dynamic', desc: `fd ${fd}` };
  return inv.stdin?.kind === 'literal' ? (inv.stdin.text ?? '') : null;
}

/** Fields of `text` split as `read` splits them by IFS, each with where it starts (for the last name's rest). */
function splitFields(text: string, ifs: string): Array<{ v: string; at: number }> {
  if (ifs === '') return text ? [{ v: text, at: 0 }] : [];
  const white = [...ifs].filter((c) => c === ' ' || c === '\t' || c === '\n').join('');
  const isWhite = (c: string) => white.includes(c);
  const isSep = (c: string) => ifs.includes(c);
  const out: Array<{ v: string; at: number }> = [];
  let i = 0;
  while (i < text.length && isWhite(text[i]!)) i++;
  while (i < text.length) {
    const at = i;
    while (i < text.length && !isSep(text[i]!)) i++;
    out.push({ v: text.slice(at, i), at });
    // one separator: blanks around at most one non-blank IFS character
    while (i < text.length && isWhite(text[i]!)) i++;
    if (i < text.length && isSep(text[i]!) && !isWhite(text[i]!)) {
      i++;
      while (i < text.length && isWhite(text[i]!)) i++;
    }
  }
  return out;
}

const literalParts = (v: string): Part[] => [{ k: 'lit', v, q: true }];

/**
 * `read [-r] [-a ARRAY] [-d DELIM] [-n N] NAME…` from a known stdin: the first record (up to the delimiter), split
 * by IFS (the script's, or the default), into the names (the last takes the rest) or the array's elements. From
 * an unknown stdin every name is unknown, fed by the pipeline's earlier commands.
 */
function interpretRead(inv: Invocation, ctx: WalkContext): void {
  const env = envOf(ctx);
  const o = parseOptions(inv, READ_VALUE_FLAGS);
  if (o === null) return;
  const array = o.flags.get('a');
  const names = o.operands.filter((n) => /^[A-Za-z_]\w*$/.test(n));
  if (array === undefined && names.length === 0) names.push('REPLY');
  let text = knownStdin(inv, ctx, o.flags.get('u'));
  if (text !== null) {
    const delim = o.flags.has('d') ? (o.flags.get('d')![0] ?? '\0') : '\n';
    const end = text.indexOf(delim);
    text = end === -1 ? text : text.slice(0, end);
    const n = Number(o.flags.get('n') ?? o.flags.get('N') ?? NaN);
    if (Number.isInteger(n) && n >= 0) text = text.slice(0, n);
    if (!o.flags.has('r')) text = text.replace(/\\(.)/g, '$1');
  }
  const ifs = knownText('IFS', ctx) ?? (env.vars.has('IFS') ? null : ' \t\n');
  const fields = text === null || ifs === null ? null : splitFields(text, ifs);
  if (array !== undefined && /^[A-Za-z_]\w*$/.test(array)) {
    if (fields === null) {
      if (inv.upstream.length > 0) (env.feeds ??= new Map()).set(array, inv.upstream.slice(-8));
      forgetArray(array, ctx);
    } else
      setArray(
        array,
        fields.map((f) => literalParts(f.v)),
        ctx,
      );
  }
  names.forEach((n, i) => {
    if (fields === null || text === null) {
      // `producer | while read f`: f holds the producer's output, as if set from a substitution
      if (inv.upstream.length > 0) (env.feeds ??= new Map()).set(n, inv.upstream.slice(-8));
      return assignVar(ctx, n, null);
    }
    const last = i === names.length - 1;
    const v = !last
      ? (fields[i]?.v ?? '')
      : fields[i]
        ? text.slice(fields[i]!.at).replace(/[ \t\n]+$/, '')
        : '';
    env.vars.delete(n);
    assignVar(ctx, n, [literal(v)]);
  });
}

/**
 * `mapfile`/`readarray [-t] [-d DELIM] [-n COUNT] [-s SKIP] [ARRAY]`: the array's elements are the records of a
 * known stdin; from an unknown one (or with `-O`/`-u`) the array is unknown, fed by the pipeline's earlier commands.
 */
function interpretMapfile(inv: Invocation, ctx: WalkContext): void {
  const env = envOf(ctx);
  const o = parseOptions(inv, MAPFILE_VALUE_FLAGS);
  const name = o?.operands[0] ?? 'MAPFILE';
  if (!/^[A-Za-z_]\w*$/.test(name)) return;
  const text = o === null ? null : knownStdin(inv, ctx, o.flags.get('u'));
  const origin = o?.flags.has('O') ? Number(o.flags.get('O')) : 0;
  if (o === null || text === null || !Number.isInteger(origin) || origin < 0 || origin > 1024) {
    if (inv.upstream.length > 0) (env.feeds ??= new Map()).set(name, inv.upstream.slice(-8));
    return forgetArray(name, ctx);
  }
  const delim = o.flags.has('d') ? (o.flags.get('d')![0] ?? '\0') : '\n';
  const records: string[] = [];
  let at = 0;
  while (at < text.length && records.length < MAX_LINES) {
    const end = text.indexOf(delim, at);
    const stop = end === -1 ? text.length : end + 1;
    const record = text.slice(at, stop);
    records.push(o.flags.has('t') && record.endsWith(delim) ? record.slice(0, -1) : record);
    at = stop;
  }
  const skip = Number(o.flags.get('s') ?? 0) || 0;
  const count = Number(o.flags.get('n') ?? 0) || 0;
  const kept = records.slice(skip, count > 0 ? skip + count : undefined);
  // `-O N`: the records go in from index N on, the elements before it stay
  const before = origin > 0 ? (env.arrays?.get(name) ?? []).slice(0, origin) : [];
  while (before.length < origin) before.push(literalParts(''));
  setArray(name, [...before, ...kept.map(literalParts)], ctx);
}
