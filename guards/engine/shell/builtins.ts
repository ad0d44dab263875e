/**
 * The builtins that change what the abstract interpreter knows: `export`/`local`/`declare`/`typeset`/`readonly`
 * assignments, `read` from a known stdin, `printf -v`, `unset`, `set --`/`shift`, and `alias`/`unalias`.
 */
import type { Alt, Invocation, WalkContext } from './invocation.js';
import { printfText } from './decoders.js';
import { argAlt, assignmentValue, assignVar, envOf, splitAssignment } from './interp.js';

const DECLARERS = new Set(['export', 'local', 'declare', 'typeset', 'readonly']);
const READ_WITH_ARG = new Set(['-p', '-a', '-d', '-t', '-n', '-N', '-u', '-i']);

const literal = (v: string): Alt => ({ parts: [{ k: 'lit', v, q: true }] });

export function interpretBuiltin(inv: Invocation, ctx: WalkContext): void {
  const env = envOf(ctx);
  const name = inv.name;
  if (DECLARERS.has(name)) {
    const nameref = inv.args.some((a) => a.value !== null && /^-[a-zA-Z]*n/.test(a.value));
    for (const a of inv.args) {
      if (a.value !== null && /^[-+]/.test(a.value)) continue;
      const ref = nameref && a.value !== null ? /^([A-Za-z_]\w*)=([A-Za-z_]\w*)$/.exec(a.value) : null;
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
  if (name === 'read') {
    const names: string[] = [];
    for (let i = 0; i < inv.args.length; i++) {
      const v = inv.args[i]!.value;
      if (v === null) return;
      if (READ_WITH_ARG.has(v)) i++;
      else if (!v.startsWith('-')) names.push(v);
    }
    const text = inv.stdin?.kind === 'literal' ? (inv.stdin.text ?? '') : null;
    const fields = text === null ? null : (text.split('\n')[0] ?? '').trim().split(/\s+/);
    names.forEach((n, i) => {
      if (fields === null) {
        // `producer | while read f`: f holds the producer's output, as if set from a substitution
        if (inv.upstream.length > 0) (env.feeds ??= new Map()).set(n, inv.upstream.slice(-8));
        return assignVar(ctx, n, null);
      }
      const v = i === names.length - 1 ? fields.slice(i).join(' ') : (fields[i] ?? '');
      env.vars.delete(n);
      assignVar(ctx, n, [literal(v)]);
    });
    if (names.length === 0 && fields === null) assignVar(ctx, 'REPLY', null);
    return;
  }
  if (name === 'printf' && inv.args[0]?.value === '-v') {
    // `printf -v cmd '%s %s' git 'clean -fdx'`: cmd holds the formatted text, as if assigned
    const target = inv.args[1]?.value;
    if (!target || !/^[A-Za-z_]\w*$/.test(target)) return;
    const values = inv.args
      .slice(2)
      .map((a) => (a.tilde && a.value?.startsWith('~') ? ctx.home + a.value.slice(1) : a.value));
    const text = values.every((v): v is string => v !== null) ? printfText(values) : null;
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
