/**
 * The files literal inline code writes to. Pattern-based over the code, not an interpreter, but it follows what an
 * attacker reaches for first: the target in a variable (`f = '.claude/settings.json'; open(f, 'w')`), built from
 * the home directory (`os.path.join(os.path.expanduser('~'), '.profile')`, `require('os').homedir() + '/.zshrc'`,
 * `Path.home() / '.bashrc'`), written through a path object (`Path(p).write_text(…)`, `.open('a')`) or copied and
 * moved into place (`shutil.copy(src, dst)`, `os.rename`, `fs.copyFileSync`, `FileUtils.cp`). When a write call's
 * target cannot be read at all, every path literal in the code counts as a possible target: a credential or
 * code-running path named in code that also writes somewhere unknown is treated as written.
 */
import { STR, stringLiterals, unquote } from './inline-code.js';
import { lastResult } from './last-result.js';

/** A home-directory expression in code (Python, Node, Ruby, Perl). */
const HOME_EXPR = new RegExp(
  String.raw`os\.path\.expanduser\(|Path\.home\(\)|\bhomedir\(\)|process\.env\.HOME\b|process\.env\[\s*['"]HOME['"]\s*\]|os\.environ\[\s*['"]HOME['"]\s*\]|os\.environ\.get\(\s*['"]HOME['"]|os\.getenv\(\s*['"]HOME['"]\s*\)|ENV\[\s*['"]HOME['"]\s*\]|ENV\.fetch\(\s*['"]HOME['"]|Dir\.home\b|\$ENV\{HOME\}|\.expanduser\(\)|getpwuid\(`,
);
/** A home directory inside a string literal: `"$ENV{HOME}/.x"`, `` `${process.env.HOME}/.x` ``, `"#{Dir.home}/.x"`. */
const HOME_IN_STRING =
  /\$ENV\{HOME\}|\$\{(?:process\.env\.HOME|(?:require\(['"](?:node:)?os['"]\)|os)\.homedir\(\))\}|#\{(?:ENV\[['"]HOME['"]\]|Dir\.home)\}|\$\{?HOME\}?/;

/** Calls whose first argument is the file written (`mode`: only with a write mode in the second argument). */
const FIRST_ARG: Array<{ re: RegExp; mode?: boolean; perl?: boolean }> = [
  { re: /\b(?:open|io\.open|codecs\.open|os\.open)\s*\(\s*/g, mode: true },
  {
    re: /(?:\b(?:fs|fsp|promises|fse)\.|\)\.|\b)(?:writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|outputFileSync|outputFile|openSync)\s*\(\s*/g,
  },
  { re: /\b(?:File|IO)\.(?:write|binwrite)\s*\(\s*/g },
  { re: /\bFile\.open\s*\(\s*/g, mode: true },
  { re: /\bfile_put_contents\s*\(\s*/g },
  { re: /\bopen\s*\(?\s*(?:my\s+)?[$*]?\w+\s*,\s*/g, perl: true },
];
/** Calls whose second argument is the file written: copies, moves, links. */
const SECOND_ARG =
  /(?:\bshutil\.(?:copy2?|copyfile|copytree|move)|\bos\.(?:rename|replace|symlink|link)|(?:\b(?:fs|fsp|promises|fse)|\))\.(?:copyFileSync|copyFile|renameSync|rename|symlinkSync|symlink|linkSync|link|cpSync|cp|copySync|copy|moveSync|move)|\bFileUtils\.(?:cp_r|cp|mv|ln_sf|ln_s|ln|copy_file|copy|move|install)|\bFile\.(?:rename|symlink|link)|(?<![.\w])(?:copy|move|rename|symlink|link|copyfile|copy2))\s*\(\s*/g;
/** Methods whose receiver is the file written (pathlib): `Path(p).write_text(…)`, `.open('a')`, `.symlink_to(…)`. */
const RECEIVER = /\.(write_text|write_bytes|open|symlink_to|hardlink_to)\s*\(/g;
const WRITE_MODE = /^[rbtU]*[wax+]/;
const PERL_WRITE_MODE = /^\s*\+?(?:>{1,2}|<)\s*/;
const MAX_VARS = 64;
const MAX_EXPR = 2000;

/** The files the code writes (read-only: the answer is shared by the rules that ask). */
export const writeTargets = lastResult(findWriteTargets);

function findWriteTargets(code: string): string[] {
  const vars = assignments(code);
  const out: string[] = [];
  let unknown = false;
  const take = (expr: string) => {
    const p = exprPath(expr, vars);
    if (p === null) unknown = true;
    else if (p !== '') out.push(p);
  };
  for (const { re, mode, perl } of FIRST_ARG) {
    re.lastIndex = 0;
    for (const m of code.matchAll(re)) {
      const args = callArgs(code, m.index + m[0].length);
      let first = args[0] ?? '';
      if (mode) {
        const modeText = resolveIdent(args[1] ?? '', vars);
        const lits = stringLiterals(modeText);
        // os.open(p, os.O_WRONLY | …) and open(p, mode='w') count too
        if (!lits.some((x) => WRITE_MODE.test(x)) && !/O_(?:WRONLY|RDWR|APPEND|CREAT)/.test(args.join(',')))
          continue;
      }
      if (perl) {
        const lits = stringLiterals(first);
        const pm = lits[0] !== undefined ? PERL_WRITE_MODE.exec(lits[0]) : null;
        if (!pm || !pm[0].includes('>')) continue;
        // two-argument open: ">>$path"; three-argument open: the path is the next argument
        const rest = lits[0]!.slice(pm[0].length);
        first = rest === '' && args[1] ? args[1] : JSON.stringify(rest);
      }
      take(first);
      if (out.length > 50) return out;
    }
  }
  SECOND_ARG.lastIndex = 0;
  for (const m of code.matchAll(SECOND_ARG)) {
    const args = callArgs(code, m.index + m[0].length);
    if (args.length >= 2) take(args[1]!);
    if (out.length > 50) return out;
  }
  RECEIVER.lastIndex = 0;
  for (const m of code.matchAll(RECEIVER)) {
    if (m[1] === 'open') {
      const mode = stringLiterals(callArgs(code, m.index + m[0].length)[0] ?? '');
      if (!mode.some((x) => WRITE_MODE.test(x))) continue;
    }
    const recv = receiverBefore(code, m.index);
    // `io.open(…)`, `os.open(…)` and friends are module functions, handled above
    if (recv === '' || /^(?:io|os|codecs|fs|File|IO)$/.test(recv)) continue;
    take(recv);
    if (out.length > 50) return out;
  }
  if (unknown) out.push(...allPathLiterals(code, vars));
  return out;
}

/** `NAME = expr`, `const NAME = expr`, `my $NAME = expr`, `NAME += expr`: the last few, by name. */
function assignments(code: string): Map<string, string> {
  const vars = new Map<string, string>();
  const re = /(?:\b(?:const|let|var|my|our|local)\s+)?(?<![\w.$])\$?([A-Za-z_]\w*)\s*(\+?)=(?![=~>])\s*/g;
  for (const m of code.matchAll(re)) {
    const expr = statementText(code, m.index + m[0].length);
    if (expr.trim() === '') continue;
    const name = m[1]!;
    const prev = vars.get(name);
    vars.delete(name);
    vars.set(name, m[2] && prev !== undefined ? `${prev} + ${expr}` : expr);
    if (vars.size > MAX_VARS) vars.delete(vars.keys().next().value!);
  }
  return vars;
}

/** An expression with known variables substituted (three rounds), bounded in size. */
function resolveIdent(expr: string, vars: Map<string, string>): string {
  let e = expr;
  for (let round = 0; round < 3; round++) {
    let changed = false;
    e = e.replace(/(?<![\w.$'"`])\$?([A-Za-z_]\w*)(?![\w('"`])/g, (all, name: string) => {
      const v = vars.get(name);
      if (v === undefined || v.length > MAX_EXPR) return all;
      changed = true;
      return `(${v})`;
    });
    if (!changed || e.length > MAX_EXPR) break;
  }
  return e.slice(0, MAX_EXPR * 2);
}

/**
 * The path an expression names: its string literals, joined with `/` when it joins path segments
 * (`os.path.join`, `path.join`, `File.join`, `Path(a) / b`) and as they are otherwise (`home + '/.bashrc'`),
 * `~/`-prefixed when built from the home directory. `''` for an expression that names no file worth checking
 * (a file object), null when the target is computed and unreadable.
 */
function exprPath(expr: string, vars: Map<string, string>): string | null {
  const e = resolveIdent(expr.trim(), vars).replace(/\brequire\(\s*['"][^'"]*['"]\s*\)/g, 'require()');
  if (e === '') return null;
  const lits = [...e.matchAll(new RegExp(STR, 'g'))].map((m) => unquote(m[0]));
  const homeBased = HOME_EXPR.test(e) || lits.some((l) => HOME_IN_STRING.test(l));
  const segs = lits.map((l) => l.replace(HOME_IN_STRING, '~').replace(/#\{[^}]*\}|\$\{[^}]*\}/g, '*'));
  if (segs.length === 0) return homeBased ? '~' : null;
  const joins = /\bjoin(?:path)?\s*\(|\s\/\s|\)\s*\/|\/\s*['"]/.test(e);
  let path = segs.filter((s) => s !== '').join(joins ? '/' : '');
  path = path.replace(/\/{2,}/g, '/');
  if (path === '') return null;
  if (homeBased && !path.startsWith('~') && !path.startsWith('/')) path = '~/' + path;
  else if (homeBased && path.startsWith('/') && !/^\/(?:home|root|etc|usr|var|tmp|opt|proc)\b/.test(path))
    path = '~' + path;
  return path;
}

/** Every path literal the code names, with `~/` variants when the code uses the home directory. */
function allPathLiterals(code: string, vars: Map<string, string>): string[] {
  const out: string[] = [];
  const usesHome = HOME_EXPR.test(code);
  for (const l of stringLiterals(code)) {
    if (l.length === 0 || l.length > 4096 || /\s/.test(l)) continue;
    const p = l.replace(HOME_IN_STRING, '~');
    out.push(p);
    if (usesHome && /^\.?[A-Za-z]/.test(p) && !p.startsWith('~')) out.push('~/' + p.replace(/^\/+/, ''));
  }
  for (const v of vars.values()) {
    const p = exprPath(v, vars);
    if (p) out.push(p);
  }
  return out.slice(0, 200);
}

/** The receiver expression before `.method(` at `end`: back over names, dots, calls, indexing and `/` joins. */
function receiverBefore(code: string, end: number): string {
  let i = end - 1;
  let depth = 0;
  const stop = Math.max(0, end - MAX_EXPR);
  for (; i >= stop; i--) {
    const c = code[i]!;
    if (c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') {
      if (depth === 0) break;
      depth--;
    } else if (c === '"' || c === "'" || c === '`') {
      const q = c;
      for (i--; i >= stop && !(code[i] === q && code[i - 1] !== '\\'); i--);
    } else if (depth === 0 && !/[\w.$/\s]/.test(c)) break;
    else if (depth === 0 && c === '\n') break;
  }
  return code.slice(i + 1, end).trim();
}

/** The top-level arguments of the call whose `(` was just consumed at `start`. */
function callArgs(code: string, start: number): string[] {
  return splitTopLevel(argumentsText(code.slice(start, start + MAX_EXPR)));
}

/** The text of a statement's right-hand side: up to `;`, a newline or an unmatched close at depth 0. */
function statementText(code: string, start: number): string {
  return argumentsText(code.slice(start, start + MAX_EXPR));
}

/** The text of a call's arguments: up to the parenthesis that closes it (or the end of the statement). */
export function argumentsText(s: string): string {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return s.slice(0, i);
      depth--;
    } else if ((c === ';' || c === '\n') && depth === 0) return s.slice(0, i);
  }
  return s;
}

export function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}
