/**
 * The value-transforming operators of `${…}` on a known value: substrings (`${HOME:0:1}` is `/`), prefix and
 * suffix removal (`${HOME%/*}`, `${p#/proc/}`), replacement (`${HOME/dev/}`) and case changes. An attacker uses
 * them to spell `/` or a parent directory without writing it; the interpreter computes them like bash does.
 */

/** The operators computed here (the lexer's `op` of a `${NAME…}` part). */
export const TRANSFORM_OPS = new Set([':', '#', '##', '%', '%%', '/', '//', '^', '^^', ',', ',,']);

/** A shell glob (`*`, `?`, `[…]`, `\x`) as the body of a regular expression. */
function globBody(pat: string, lazy: boolean): string {
  let out = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i]!;
    if (c === '\\' && i + 1 < pat.length) out += escapeRe(pat[++i]!);
    else if (c === '*') out += lazy ? '[^]*?' : '[^]*';
    else if (c === '?') out += '[^]';
    else if (c === '[') {
      const end = pat.indexOf(']', i + 2);
      if (end === -1) out += '\\[';
      else {
        const body = pat
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = end;
      }
    } else out += escapeRe(c);
  }
  return out;
}

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** Where the first unescaped `/` is, or -1. */
function slashAt(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '/') return i;
  }
  return -1;
}

/**
 * `value` after `${NAME<op><word>}`, or null when the word is not literal enough to compute (it holds an
 * expansion or a quote) or the operator is not one of TRANSFORM_OPS.
 */
export function applyParamOp(value: string, op: string, word: string): string | null {
  if (/[$`'"]/.test(word)) return null;
  if (op === ':') {
    // `${X::1}`: an empty offset is 0
    const m = /^\s*(-?\s*\d*)\s*(?::\s*(-?\s*\d+)\s*)?$/.exec(word);
    if (!m || (m[1] === '' && m[2] === undefined)) return null;
    let off = Number(m[1]!.replace(/\s+/g, '') || '0');
    if (off < 0) off = Math.max(0, value.length + off);
    const rest = value.slice(off);
    if (m[2] === undefined) return rest;
    const len = Number(m[2].replace(/\s+/g, ''));
    return len >= 0 ? rest.slice(0, len) : rest.slice(0, Math.max(0, rest.length + len));
  }
  if (op === '#' || op === '##') {
    const re = new RegExp(`^(?:${globBody(word, false)})$`);
    if (op === '#') {
      for (let i = 0; i <= value.length; i++) if (re.test(value.slice(0, i))) return value.slice(i);
    } else for (let i = value.length; i >= 0; i--) if (re.test(value.slice(0, i))) return value.slice(i);
    return value;
  }
  if (op === '%' || op === '%%') {
    const re = new RegExp(`^(?:${globBody(word, false)})$`);
    if (op === '%') {
      for (let i = value.length; i >= 0; i--) if (re.test(value.slice(i))) return value.slice(0, i);
    } else for (let i = 0; i <= value.length; i++) if (re.test(value.slice(i))) return value.slice(0, i);
    return value;
  }
  if (op === '/' || op === '//') {
    const cut = slashAt(word);
    let pat = cut === -1 ? word : word.slice(0, cut);
    const rep = cut === -1 ? '' : unescape(word.slice(cut + 1));
    let anchor = '';
    if (op === '/' && (pat.startsWith('#') || pat.startsWith('%'))) {
      anchor = pat[0]!;
      pat = pat.slice(1);
    }
    if (pat === '') return value;
    const body = globBody(pat, false);
    const re = new RegExp(
      anchor === '#' ? `^(?:${body})` : anchor === '%' ? `(?:${body})$` : body,
      op === '//' ? 'g' : '',
    );
    return value.replace(re, () => rep);
  }
  if (op === '^^') return value.toUpperCase();
  if (op === ',,') return value.toLowerCase();
  if (op === '^') return value.slice(0, 1).toUpperCase() + value.slice(1);
  if (op === ',') return value.slice(0, 1).toLowerCase() + value.slice(1);
  return null;
}
