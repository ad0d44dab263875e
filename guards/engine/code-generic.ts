/**
 * Destructive calls in code of languages the per-language tables do not know (Go, Rust, Java, Kotlin, C#, Swift,
 * C, PowerShell, Julia, Tcl, Elixir, Haskell…), and in TypeScript the runners compile: recursive deletes and the
 * shell commands the code runs, each with its target read as a literal, a home-directory expression (`~`) or
 * unknown. Pattern-based over the text; the APIs are data.
 */
import { argumentsText, splitTopLevel } from './code-writes.js';
import { STR, stringLiterals, unquote } from './inline-code.js';

/** Home-directory expressions across languages (whole, in an argument). */
export const GENERIC_HOME = new RegExp(
  [
    String.raw`os\.UserHomeDir\(\)`,
    String.raw`os\.Getenv\(\s*"HOME"\s*\)`,
    String.raw`(?:std::)?env::var(?:_os)?\(\s*"HOME"\s*\)`,
    String.raw`(?:dirs|home)::home_dir\(\)`,
    String.raw`System\.getProperty\(\s*"user\.home"\s*\)`,
    String.raw`System\.getenv\(\s*"HOME"\s*\)`,
    String.raw`Environment\.GetFolderPath\([^)]*UserProfile\s*\)`,
    String.raw`Environment\.GetEnvironmentVariable\(\s*"(?:HOME|USERPROFILE)"\s*\)`,
    String.raw`homeDirectoryForCurrentUser`,
    String.raw`NSHomeDirectory\(\)`,
    String.raw`getenv\(\s*"HOME"\s*\)`,
    String.raw`\$env:(?:HOME|USERPROFILE)\b`,
    String.raw`\$HOME\b`,
    String.raw`\$\{HOME\}`,
    String.raw`\$env\(HOME\)`,
    String.raw`\bhomedir\(\)`,
    String.raw`ENV\[\s*"HOME"\s*\]`,
    String.raw`System\.user_home!?\(\)`,
    String.raw`getHomeDirectory\b`,
    String.raw`Sys\.getenv\(\s*"HOME"\s*\)`,
    String.raw`path\.expand\(\s*"~"\s*\)`,
    String.raw`process\.env\.HOME\b`,
    String.raw`Deno\.env\.get\(\s*"HOME"\s*\)!?`,
    String.raw`\bos\.homedir\(\)`,
  ].join('|'),
);

/** Recursive deletes: the call (its argument follows) in each language; `flag`: recursive only with that text. */
const RECURSIVE: Array<{ re: RegExp; flag?: RegExp }> = [
  { re: /\bos\.RemoveAll\s*\(/g }, // Go
  { re: /\b(?:std::)?fs::remove_dir_all\s*\(/g }, // Rust
  { re: /\bFileUtils\.(?:deleteDirectory|forceDelete|cleanDirectory)\s*\(/g }, // Java commons-io
  { re: /\bFiles\.walk\s*\((?=[^;]*\bdelete)/g }, // Java walk + delete
  { re: /\bPathUtils\.deleteDirectory\s*\(/g },
  { re: /\b(?:java\.io\.)?File\s*\((?=[^;]*\)\s*\.deleteRecursively\(\))/g }, // Kotlin
  { re: /\bDirectory\.Delete\s*\(/g, flag: /,\s*true\s*\)/ }, // C#
  { re: /\bremoveItem\s*\(\s*(?:at|atPath)\s*:\s*/g }, // Swift
  { re: /\b(?:Remove-Item|rmdir|rm|ri|del|erase|rd)\s+(?=[^;|\n]*-(?:r|rec|recurse)\b)/gi }, // PowerShell
  { re: /\brm\s*\((?=[^\n]{0,300}?recursive\s*=\s*true)/g }, // Julia
  { re: /\bfile\s+delete\s+-force\s+(?:--\s+)?/g }, // Tcl
  { re: /\bFile\.rm_rf!?\s*\(?/g }, // Elixir
  { re: /\bremoveDirectoryRecursive\b|\bremovePathForcibly\b/g }, // Haskell
  { re: /\b(?:fs|fsp|promises)\.(?:rmSync|rm|rmdirSync|rmdir)\s*\((?=[^;]*recursive\s*:\s*(?:true|1|!0))/g },
  { re: /(?<![\w.])(?:rmSync|rm|rmdirSync)\s*\((?=[^;]*recursive\s*:\s*(?:true|1|!0))/g },
  { re: /\bDeno\.remove(?:Sync)?\s*\((?=[^;]*recursive\s*:\s*true)/g },
  { re: /\b(?:rimraf(?:Sync|\.sync)?|rmrf|remove_tree|rmtree|rm_rf)\s*\(/g },
];

/** Process-running calls whose string arguments are a shell command or an argv. */
const EXEC = [
  /\bexec\.Command(?:Context)?\s*\(\s*(?:ctx\s*,\s*)?/g, // Go
  /\bCommand::new\s*\(/g, // Rust (args follow in .arg/.args)
  /\bnew\s+ProcessBuilder\s*\(/g,
  /\bRuntime\.getRuntime\(\)\.exec\s*\(/g,
  /\bProcess\.Start\s*\(/g,
  /(?<![\w.])(?:system|popen|execl|execlp|execvp|System\.cmd|callCommand|spawnCommand|os\.execute)\s*\(/g,
  /\bStart-Process\s+/g,
  /\b(?:Invoke-Expression|iex)\s+/gi,
  /\brun\s*\(\s*`/g, // Julia run(`rm -rf …`)
  /(?<![\w.$-])(?:exec|spawn)\s+(?=[\w./~"'])/g, // Tcl `exec cmd …`, expect's `spawn cmd …`
];

export interface GenericHit {
  api: string;
  /** A literal target (`~`-prefixed when home-based), or null when computed. */
  target: string | null;
}

const HOME_G = new RegExp(GENERIC_HOME.source, 'g');

/** Tokens of a path expression: a string literal, a bare path, a name (a call when `(` follows), a separator. */
const TOKEN = new RegExp(
  String.raw`(${STR})|(~(?=[/\s),;]|$)|\.{1,2}(?=[/\s),;]|$)|\/[\w.\-/]*)|([A-Za-z_][\w]*)(\s*\()?(\s*(?:\.|::)(?!join\b)\s*(?=[A-Za-z_']))?|(,|\.join\s*\(|\/)|[^\s]`,
  'g',
);

/**
 * A literal path, or `~`-based from a home expression or a variable set from one, named by an argument's text;
 * null when part of it is computed (an unknown variable). Segments given separately (`joinpath(h, ".config")`,
 * `Paths.get(h, ".ssh")`, `d.join(".ssh")`) are joined with `/`.
 */
function targetOf(arg: string, code: string): string | null {
  // Tcl's `[pwd]` is the directory the code starts in
  const raw = arg.trim().replace(/\[\s*pwd\s*\]/g, "'.'");
  const fmt = formatted(raw.replace(HOME_G, "'~'"), code);
  if (fmt !== null) return fmt;
  // a home expression outside a string becomes '~' (its own literals, "user.home", are not path parts)
  const strs = [...raw.matchAll(new RegExp(STR, 'g'))].map((m) => [m.index, m.index + m[0].length]);
  const inStr = (at: number) => strs.some(([b, e]) => at > b! && at < e!);
  const a = raw.replace(HOME_G, (m: string, at: number) => (inStr(at) ? m : "'~'"));
  let path = '';
  let sep = false;
  let parts = 0;
  for (const m of a.matchAll(TOKEN)) {
    let piece: string | null = null;
    if (m[1]) {
      let lit = m[1];
      // PowerShell and Windows separators: "$HOME\.ssh"
      if (/\\[.\w]/.test(lit) && !lit.includes('/')) lit = lit.replace(/\\/g, '/');
      piece = unquote(lit).replace(HOME_G, '~');
    } else if (m[2]) piece = m[2];
    else if (m[3]) {
      if (m[4] || KEYWORD.test(m[3])) continue;
      const v = varValue(m[3], code);
      // a name before `.`/`::` is a module or type (`filepath.Join`, `PathBuf::from`) unless it is a known variable
      if (v === null && m[5]) continue;
      if (v === null) return null;
      piece = v;
    } else if (m[6]) {
      if (m[6] !== '/') sep = true;
      else piece = '/';
    }
    if (piece === null) continue;
    path += sep && parts > 0 && !path.endsWith('/') && !piece.startsWith('/') ? `/${piece}` : piece;
    sep = false;
    parts++;
    if (parts > 16) break;
  }
  if (parts === 0) return null;
  return path.replace(/\/{2,}/g, '/');
}

const KEYWORD =
  /^(?:new|true|false|mut|let|const|var|await|try|move|ref|as|out|null|nil|None|Some|Ok|recursive|force)$/;

/** A variable's value as a path: `~` when set from a home expression, its literal when set to one, else null. */
function varValue(name: string, code: string): string | null {
  if (homeVar(name, code)) return '~';
  const m = new RegExp(String.raw`\b${name}\b[^=\n;(]*(?::=|=)\s*(${STR})\s*[;\n]`).exec(code);
  return m ? unquote(m[1]!) : null;
}

/** A format call (`format!("{}/.ssh", h)`, `fmt.Sprintf("%s/.ssh", h)`, `String.format(…)`) with a home argument. */
const FORMAT = /^(?:format!|(?:fmt\.)?Sprintf|String\.format|(?:string\.)?Format|sprintf)\s*\(/;
function formatted(a: string, code: string): string | null {
  if (!FORMAT.test(a)) return null;
  const args = splitTopLevel(argumentsText(a.slice(a.indexOf('(') + 1)));
  const lit = args[0] ? stringLiterals(args[0])[0] : undefined;
  if (lit === undefined) return null;
  const homeArg = args.slice(1).some((x) => {
    const t = x.trim().replace(/^&/, '');
    return t === "'~'" || (/^[A-Za-z_]\w*(?:\.\w+\(\))*$/.test(t) && homeVar(t, code));
  });
  if (!homeArg) return null;
  return lit.replace(/\{[^}]*\}|%[sv]/, '~');
}

/** Is the leading identifier of `arg` a variable the code set from a home expression (`h, _ := os.UserHomeDir()`)? */
function homeVar(arg: string, code: string): boolean {
  const name = /^[A-Za-z_]\w*/.exec(arg)?.[0];
  if (!name) return false;
  const re = new RegExp(String.raw`\b${name}\b[^=\n;]*(?::=|=)\s*([^;\n]*)`);
  const m = re.exec(code);
  return m !== null && GENERIC_HOME.test(m[1]!);
}

/** Recursive deletes in the code, with their targets. */
export function genericDeletes(code: string): GenericHit[] {
  const out: GenericHit[] = [];
  for (const { re, flag } of RECURSIVE) {
    re.lastIndex = 0;
    for (const m of code.matchAll(re)) {
      const rest = code.slice(m.index + m[0].length, m.index + m[0].length + 600);
      const args = argumentsText(rest);
      if (flag && !flag.test(rest.slice(0, args.length + 1))) continue;
      // PowerShell: the operand among the words (not a -flag); Haskell: what is bound into it (`>>=`)
      let first = splitTopLevel(args)[0] ?? '';
      if (/^\s*-/.test(first) || /\s-\w/.test(first)) {
        const words = first.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
        const skip = /^-(?:LiteralPath|Path)$/i;
        first = words.find((w, i) => !w.startsWith('-') && !skip.test(words[i] ?? '')) ?? '';
      }
      if (/^removeDirectoryRecursive|^removePathForcibly/.test(m[0])) {
        const before = code.slice(Math.max(0, m.index - 200), m.index);
        first = /getHomeDirectory\s*>>=\s*(?:\w+\.)*$/.test(before) ? 'getHomeDirectory' : rest;
      }
      out.push({ api: m[0].trim().replace(/\($/, ''), target: targetOf(first, code) });
      if (out.length > 50) return out;
    }
  }
  return out;
}

/** The shell commands (as one string each) the code runs through a process API, with home expressions as `~`. */
export function genericCommands(code: string): string[] {
  const out: string[] = [];
  for (const re of EXEC) {
    re.lastIndex = 0;
    for (const m of code.matchAll(re)) {
      const rest = code.slice(m.index + m[0].length, m.index + m[0].length + 600);
      let text: string;
      if (m[0].endsWith('`')) text = rest.slice(0, rest.indexOf('`') >>> 0);
      else if (/\s$/.test(m[0])) text = argumentsText(rest);
      else {
        // the call's arguments, and a Rust builder's .arg/.args after it
        const own = argumentsText(rest);
        const tail = rest.slice(own.length + 1).match(/^(?:\s*\.\s*args?\s*\([^)]*\)\s*)+/)?.[0] ?? '';
        text = `${own} ${tail}`;
      }
      const words = splitTopLevel(text.replace(/\.\s*args?\s*\(/g, ',('))
        .flatMap((w) => {
          const t = w
            .trim()
            .replace(HOME_G, "'~'")
            .replace(/^\(|\)$/g, '')
            .replace(/^\[|\]$/g, '');
          const lits = stringLiterals(t).map((l) => l.replace(HOME_G, '~'));
          if (lits.length === 0) return /\s/.test(t) ? [t] : [];
          return lits;
        })
        .filter((w) => w !== '');
      if (words.length > 0) out.push(words.join(' ').replace(/\s+(\.\.|\+)\s+/g, ''));
      if (out.length > 50) return out;
    }
  }
  return out;
}
