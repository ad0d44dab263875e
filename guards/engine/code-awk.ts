/**
 * The files an awk program writes: `print … > "f"`, `printf … >> f` with `f` a string the program or `-v f=…`
 * assigns, and `ENVIRON["HOME"] "/.profile"` (string concatenation is juxtaposition in awk). A target with any part
 * computed from the input (`"out/" $2`) is left out: it is data, not a path the guard can judge.
 */
const STR = /"(?:[^"\\]|\\.)*"/g;
const PRINT = /\b(?:print|printf)\b([^;{}\n]*)/g;

function unq(s: string): string {
  return s.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** A target expression's value: literals, known variables and ENVIRON["HOME"] joined, or null. */
function value(expr: string, vars: ReadonlyMap<string, string>): string | null {
  const tokens = expr
    .replace(/^\(|\)$/g, '')
    .trim()
    .match(/"(?:[^"\\]|\\.)*"|ENVIRON\s*\[\s*"HOME"\s*\]|[A-Za-z_]\w*|\S/g);
  if (!tokens) return null;
  let out = '';
  for (const t of tokens) {
    if (t.startsWith('"')) out += unq(t);
    else if (/^ENVIRON/.test(t)) out += '~';
    else if (vars.has(t)) out += vars.get(t)!;
    else return null;
  }
  return out === '' ? null : out;
}

/** `name = "lit"` in the program, and `-v name=lit` assignments passed in. */
function assigned(code: string, given: ReadonlyMap<string, string>): Map<string, string> {
  const vars = new Map(given);
  for (const m of code.matchAll(
    /(?<![\w$])([A-Za-z_]\w*)\s*=(?!=)\s*((?:"(?:[^"\\]|\\.)*"\s*|ENVIRON\s*\[\s*"HOME"\s*\]\s*|[A-Za-z_]\w*\s*)+)/g,
  )) {
    const v = value(m[2]!, vars);
    if (v !== null) vars.set(m[1]!, v);
  }
  return vars;
}

export function awkWriteTargets(code: string, given: ReadonlyMap<string, string> = new Map()): string[] {
  const vars = assigned(code, given);
  const out: string[] = [];
  PRINT.lastIndex = 0;
  for (const m of code.matchAll(PRINT)) {
    // strings masked, so a `>` inside one is not a redirection
    const masked = m[1]!.replace(STR, (s) => '\u0000'.repeat(s.length));
    const r = /(?<![|>])(>>?)(?![=>])\s*(.+)$/.exec(masked);
    if (!r) continue;
    const at = (r.index ?? 0) + r[0].length - r[2]!.length;
    const v = value(m[1]!.slice(at), vars);
    if (v !== null) out.push(v);
    if (out.length > 20) break;
  }
  return out;
}
