/** Helpers over lexed words: static values, display text, brace expansion, and the scripts a word runs. */
import type { Part, Script, Word } from './ast.js';

/** The word's value when it contains only literal text (no expansion), else null. */
export function staticValue(w: Word): string | null {
  let out = '';
  for (const p of w.parts) {
    if (p.k !== 'lit') return null;
    out += p.v;
  }
  return out;
}

/** A readable rendering: literals as-is, expansions as written (`$X`, `$(…)`). */
export function displayText(w: Word): string {
  let out = '';
  for (const p of w.parts) out += p.k === 'lit' ? p.v : p.raw;
  return out;
}

/** True when the word has an unquoted glob character (`*`, `?`, `[`). */
export function hasGlob(w: Word): boolean {
  // a `[` is a bracket expression only with an unquoted `]` after it in the same word (`[ -n "$X" ]` is `test`)
  let open = false;
  for (const p of w.parts) {
    if (p.k !== 'lit' || p.q) continue;
    if (/[*?]/.test(p.v)) return true;
    const at = open ? 0 : p.v.indexOf('[');
    if (at < 0) continue;
    if (p.v.indexOf(']', open ? 0 : at + 1) >= 0) return true;
    open = true;
  }
  return false;
}

/** The scripts a word runs while it is expanded: command and process substitutions, also inside `${…}`. */
export function scriptsOfWord(w: Word): Script[] {
  return scriptsOfParts(w.parts);
}

export function scriptsOfParts(parts: Part[]): Script[] {
  const out: Script[] = [];
  for (const p of parts) {
    if (p.k === 'cmdsub' || p.k === 'procsub') out.push(p.script);
    else if (p.k === 'param' || p.k === 'arith') out.push(...p.subs);
  }
  return out;
}

const MAX_BRACE_RESULTS = 64;

/**
 * Bash brace expansion of one word (`{rm,-rf,/}`, `/{etc,usr}`), only over unquoted braces of literal words.
 * Returns the word unchanged when there is nothing to expand, and a glob when the result would be too large.
 */
export function expandBraces(w: Word): Word[] {
  if (!w.parts.some((p) => p.k === 'lit' && !p.q && p.v.includes('{'))) return [w];
  if (!w.parts.every((p) => p.k === 'lit')) return [w];
  // characters with a quoted flag, so quoted braces and commas stay literal
  const chars: Array<[string, boolean]> = [];
  for (const p of w.parts) if (p.k === 'lit') for (const c of p.v) chars.push([c, p.q]);
  const results = expandChars(chars, 0);
  // past the limits each brace list stands for any name (`/work/{a,{a,…ws}}` is `/work/*`), so the rules still see
  // what the word can become
  if (results === null) return [charsWord(collapseBraces(chars), w.raw)];
  if (results.length <= 1) return [w];
  return results.map((r) => ({
    parts: [{ k: 'lit', v: r.map(([c]) => c).join(''), q: r.some(([, q]) => q) && r.every(([, q]) => q) }],
    raw: w.raw,
  }));
}

type Chars = Array<[string, boolean]>;

/** Each unquoted `{…,…}` list as an unquoted `*`. */
function collapseBraces(chars: Chars): Chars {
  const out: Chars = [];
  for (let i = 0; i < chars.length; i++) {
    const [c, q] = chars[i]!;
    let close = -1;
    let comma = false;
    if (c === '{' && !q) {
      for (let j = i + 1, depth = 0; j < chars.length; j++) {
        const [d, dq] = chars[j]!;
        if (dq) continue;
        if (d === '{') depth++;
        else if (d === '}' && depth-- === 0) {
          close = j;
          break;
        } else if (d === ',' && depth === 0) comma = true;
      }
    }
    if (close !== -1 && comma) {
      out.push(['*', false]);
      i = close;
    } else out.push([c, q]);
  }
  return out;
}

/** Characters with quoted flags as a word of literal parts. */
function charsWord(chars: Chars, raw: string): Word {
  const parts: Part[] = [];
  for (const [c, q] of chars) {
    const last = parts[parts.length - 1];
    if (last && last.k === 'lit' && last.q === q) last.v += c;
    else parts.push({ k: 'lit', v: c, q });
  }
  return { parts, raw };
}

function expandChars(chars: Chars, guard: number): Chars[] | null {
  if (guard > 8) return null;
  // find the first unquoted '{' with a matching '}' and a top-level ','
  for (let i = 0; i < chars.length; i++) {
    const [c, q] = chars[i]!;
    if (c !== '{' || q) continue;
    let depth = 0;
    const commas: number[] = [];
    let close = -1;
    for (let j = i + 1; j < chars.length; j++) {
      const [d, dq] = chars[j]!;
      if (dq) continue;
      if (d === '{') depth++;
      else if (d === '}') {
        if (depth === 0) {
          close = j;
          break;
        }
        depth--;
      } else if (d === ',' && depth === 0) commas.push(j);
    }
    if (close === -1 || commas.length === 0) continue;
    const pre = chars.slice(0, i);
    const post = chars.slice(close + 1);
    const bounds = [i, ...commas, close];
    const out: Chars[] = [];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const alt = chars.slice(bounds[k]! + 1, bounds[k + 1]!);
      const sub = expandChars([...pre, ...alt, ...post], guard + 1);
      if (sub === null) return null;
      out.push(...sub);
      if (out.length > MAX_BRACE_RESULTS) return null;
    }
    return out;
  }
  return [chars];
}
