/**
 * Shell arithmetic on known values: `$((1-2))` is `-1`, so `n=$((1-2)); kill -9 $n` is `kill -9 -1`. Only
 * integers, variables whose value is an integer, `+ - * / %`, unary minus and parentheses; anything else
 * (assignments, comparisons, unknown variables) leaves the expansion unknown.
 */

/** The value of an arithmetic expression, or null when it cannot be computed. `lookup` gives a variable's text. */
export function evalArith(expr: string, lookup: (name: string) => string | null): number | null {
  const toks = expr.match(/\d+|[A-Za-z_]\w*|[-+*/%()]|\S/g) ?? [];
  let i = 0;
  let depth = 0;
  const atom = (): number | null => {
    const t = toks[i++];
    if (t === undefined) return null;
    if (t === '-' || t === '+') {
      const v = atom();
      return v === null ? null : t === '-' ? -v : v;
    }
    if (t === '(') {
      if (++depth > 16) return null;
      const v = sum();
      depth--;
      return toks[i++] === ')' ? v : null;
    }
    if (/^\d+$/.test(t)) return Number(t);
    if (/^[A-Za-z_]\w*$/.test(t)) {
      const s = lookup(t);
      return s !== null && /^\s*-?\d+\s*$/.test(s) ? Number(s) : null;
    }
    return null;
  };
  const product = (): number | null => {
    let v = atom();
    while (v !== null && (toks[i] === '*' || toks[i] === '/' || toks[i] === '%')) {
      const op = toks[i++];
      const r = atom();
      if (r === null || (op !== '*' && r === 0)) return null;
      v = op === '*' ? v * r : op === '/' ? Math.trunc(v / r) : v % r;
    }
    return v;
  };
  const sum = (): number | null => {
    let v = product();
    while (v !== null && (toks[i] === '+' || toks[i] === '-')) {
      const op = toks[i++];
      const r = product();
      if (r === null) return null;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  return v !== null && i === toks.length && Number.isSafeInteger(v) ? v : null;
}

/** The variable names an arithmetic expression reads (bash evaluates their values as expressions in turn). */
export function arithNames(expr: string): string[] {
  return expr.match(/[A-Za-z_]\w*/g) ?? [];
}
