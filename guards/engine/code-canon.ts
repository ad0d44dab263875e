/**
 * Inline code put in one canonical spelling before its calls are matched, so the same call written another way is
 * the same call: string concatenation folded (`'child_' + 'process'`), subscripts and `getattr` made attributes
 * (`c['execSync']`, `getattr(os, 'system')`), import aliases resolved (`import os as o`, `import subprocess as sp`,
 * `from shutil import rmtree`, `const {execSync: x} = require('child_process')`, `import {rmSync} from 'node:fs'`),
 * base64 literals decoded (`b64decode('…')`, `Buffer.from('…', 'base64')`, `atob('…')`), code run by `exec`/`eval`
 * of a literal appended, and a variable assigned one literal replaced where it is passed to a call. Bounded regex
 * passes over literal text; nothing runs.
 */
import type { Lang } from './shell/invocation.js';
import { decodeCharCodes } from './code-decode.js';

const Q = String.raw`(['"])((?:(?!\1)[^\\\n]|\\.)*)\1`;
/** Home-directory expressions, as a string literal `'~'` where they are concatenated with one. */
const HOME_CALL = String.raw`(?:os\.environ\[\s*['"]HOME['"]\s*\]|os\.environ\.get\(\s*['"]HOME['"]\s*\)|(?:os\.)?getenv\(\s*['"]HOME['"]\s*\)|\$ENV\{\s*['"]?HOME['"]?\s*\}|(?:Bun|process)\.env(?:\.HOME|\[\s*['"]HOME['"]\s*\])|\$_SERVER\[\s*['"]HOME['"]\s*\]|os\.path\.expanduser\(\s*['"]~['"]\s*\)|process\.env\.HOME|(?:require\(\s*['"](?:node:)?os['"]\s*\)|os)\.homedir\(\)|Deno\.env\.get\(\s*['"]HOME['"]\s*\)|Dir\.home|ENV\[\s*['"]HOME['"]\s*\])`;
/**
 * Current-directory expressions: replaced by the cwd as a string literal, when the caller knows it; not where the
 * value is used as an object (`Path.cwd().rglob(…)`, `Path.cwd() / 'x'`), which other patterns read.
 */
const CWD_CALL = new RegExp(
  String.raw`(?:\bprocess\.cwd\(\)|\bDeno\.cwd\(\)|\bos\.getcwd[bu]?\(\)|\b(?:pathlib\.)?Path\.cwd\(\)|\bDir\.(?:pwd|getwd)\b|\$ENV\{\s*['"]?PWD['"]?\s*\}|(?:\bprocess\.env|\bBun\.env)(?:\.PWD\b|\[\s*['"]PWD['"]\s*\])|\bos\.environ(?:\.get\(\s*['"]PWD['"]\s*\)|\[\s*['"]PWD['"]\s*\])|\bENV\[\s*['"]PWD['"]\s*\]|\bos\.path\.abspath\(\s*['"]\.['"]\s*\)|(?<![\w.$>])(?:Cwd::)?(?:getcwd|cwd)\(\))(?!\s*[./])`,
  'g',
);
/** The string concatenation operator of each language. */
const CONCAT_OP: Record<Lang, string> = {
  python: String.raw`\+`,
  node: String.raw`\+`,
  ruby: String.raw`\+`,
  lua: String.raw`\.\.`,
  perl: String.raw`\.`,
  php: String.raw`\.`,
  awk: String.raw`\+`,
  // R joins strings with paste(); `+` never joins two, so folding it changes nothing R runs
  r: String.raw`\+`,
};
const concatRes = new Map<Lang, { concat: RegExp; homePlus: RegExp; plusHome: RegExp; marker: string }>();
function concatFor(lang: Lang) {
  let c = concatRes.get(lang);
  if (!c) {
    const op = CONCAT_OP[lang];
    c = {
      concat: new RegExp(String.raw`${Q}\s*${op}\s*(['"])((?:(?!\3)[^\\\n]|\\.)*)\3`, 'g'),
      homePlus: new RegExp(String.raw`${HOME_CALL}\s*${op}\s*${Q}`, 'g'),
      plusHome: new RegExp(String.raw`${Q}\s*${op}\s*${HOME_CALL}`, 'g'),
      marker: op === String.raw`\+` ? '+' : '.',
    };
    concatRes.set(lang, c);
  }
  return c;
}
/** `${process.env.HOME}` inside a template literal. */
const TEMPLATE_HOME = new RegExp(String.raw`\$\{\s*${HOME_CALL}\s*\}`, 'g');
const LIST_HOME = new RegExp(String.raw`((?:\[|,)\s*)${HOME_CALL}(?=\s*[,\])])`, 'g');
/** `x['name']`, `x["name"]` and the template literal `` x[`name`] `` (one without `${`) all name the attribute. */
const SUBSCRIPT = /(?<!\b(?:environ|env|ENV|argv|headers))\[\s*(['"`])([A-Za-z_$][\w$]*)\1\s*\]/g;
const GETATTR = /\bgetattr\(\s*([A-Za-z_][\w.]*)\s*,\s*(['"])([A-Za-z_]\w*)\2\s*\)/g;
const DUNDER_IMPORT = /\b__import__\(\s*(['"])([\w.]+)\1\s*\)/g;
const PY_IMPORT_AS = /\bimport\s+([\w.]+)\s+as\s+(\w+)/g;
const PY_FROM_IMPORT = /\bfrom\s+([\w.]+)\s+import\s+\(?([\w\s,]+?)\)?\s*(?:;|\n|$)/g;
const JS_REQUIRE = /\b(?:const|let|var)\s+(\w+)\s*=\s*require\(\s*(['"])(?:node:)?([\w/]+)\2\s*\)/g;
const JS_DESTRUCTURE =
  /\b(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\(\s*(['"])(?:node:)?([\w/]+)\2\s*\)|\bimport\s*\{([^}]*)\}\s*from\s*(['"])(?:node:)?([\w/]+)\5/g;
const JS_IMPORT_NS = /\bimport\s+(?:\*\s+as\s+)?(\w+)\s+from\s*(['"])(?:node:)?([\w/]+)\2/g;
const B64 = String.raw`([A-Za-z0-9+/]{2,}={0,2})`;
const DECODE_CALLS = [
  new RegExp(String.raw`\b(?:base64\.)?b64decode\(\s*b?(['"])${B64}\1\s*\)(?:\.decode\([^)]*\))?`, 'g'),
  new RegExp(
    String.raw`\bBuffer\.from\(\s*(['"])${B64}\1\s*,\s*['"]base64['"]\s*\)(?:\.toString\([^)]*\))?`,
    'g',
  ),
  new RegExp(String.raw`\batob\(\s*(['"])${B64}\1\s*\)`, 'g'),
  new RegExp(String.raw`\b(?:MIME::Base64::)?decode_base64\(\s*(['"])${B64}\1\s*\)`, 'g'),
  new RegExp(String.raw`\bBase64\.(?:strict_|urlsafe_)?decode64\(\s*(['"])${B64}\1\s*\)`, 'g'),
];
const EVAL_LITERAL = new RegExp(String.raw`\b(?:exec|eval|Function|compile)\s*\(\s*${Q}`, 'g');
const ASSIGN_LITERAL = new RegExp(
  String.raw`(?:^|[;\n{]|\b(?:const|let|var|my|local))\s*\$?(\w+)\s*=\s*(['"])((?:(?!\2)[^\\\n]|\\.)*)\2\s*(?=[;\n]|$)`,
  'g',
);

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function decodedText(b64: string): string | null {
  const t = Buffer.from(b64, 'base64').toString('utf8');
  return t.length > 0 && /^[\t\n\r\x20-\x7e]*$/.test(t) ? t : null;
}

/** Module names as the call patterns spell them. */
function moduleName(m: string): string {
  if (m === 'fs/promises') return 'fs';
  return m;
}

/** The canonical spelling of inline code (the input when nothing applies). */
export function canonicalCode(text: string, lang: Lang, cwd?: string): string {
  if (text.length > 20000 || lang === 'awk') return text;
  // strings spelled as character codes or hex (`pack("H*", …)`, `String.fromCharCode(…)`): their text
  let t = decodeCharCodes(text);
  // `"rm -rf " + process.cwd()`, `$ENV{PWD}`, `Dir.pwd`: the directory the code starts in
  if (cwd !== undefined && /cwd|PWD|pwd|getwd|abspath/.test(t)) t = t.replace(CWD_CALL, quote(cwd));
  // each pass only where its marker occurs: most inline code needs none of them
  const cc = concatFor(lang);
  if (t.includes(cc.marker)) {
    for (let round = 0; round < 4; round++) {
      const before = t;
      t = t.replace(cc.concat, (_m, q: string, a: string, _q2: string, b: string) => `${q}${a}${b}${q}`);
      if (/HOME|home|expanduser/.test(t)) {
        t = t.replace(cc.homePlus, (_m, q: string, a: string) => `${q}~${a}${q}`);
        t = t.replace(cc.plusHome, (_m, q: string, a: string) => `${q}${a}~${q}`);
      }
      if (t === before) break;
    }
  }
  if ((lang === 'perl' && /\bq[wx]/.test(t)) || (lang === 'ruby' && t.includes('%')))
    t = quoteLikeLists(t, lang);
  if (t.includes('${') && /HOME/.test(t)) t = t.replace(TEMPLATE_HOME, '~');
  if (/\[\s*['"`]/.test(t)) t = t.replace(SUBSCRIPT, (_m, _q: string, name: string) => `.${name}`);
  if (t.includes('getattr'))
    t = t.replace(GETATTR, (_m, obj: string, _q: string, name: string) => `${obj}.${name}`);
  if (t.includes('__import__')) t = t.replace(DUNDER_IMPORT, (_m, _q: string, mod: string) => mod);
  if (t.includes('import') || t.includes('require')) t = resolveAliases(t, lang);
  if ((t.includes('[') || t.includes(',')) && /HOME|home|expanduser/.test(t))
    t = t.replace(LIST_HOME, (_m, lead: string) => `${lead}'~'`);
  if (t.includes('join')) t = foldListJoins(t);
  if (/b64|base64|atob|decode64/.test(t)) {
    for (const re of DECODE_CALLS) {
      t = t.replace(re, (m, _q: string, b64: string) => {
        const d = decodedText(b64);
        return d === null ? m : quote(d);
      });
    }
  }
  if (t.includes('=')) t = inlineLiteralVariables(t);
  // code run by exec/eval of a literal is code too
  if (!/\b(?:exec|eval|Function|compile)\b/.test(t)) return t;
  const extra: string[] = [];
  for (const m of t.matchAll(EVAL_LITERAL)) {
    extra.push(m[2]!.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1'));
    if (extra.length > 8) break;
  }
  return extra.length > 0 ? `${t}\n${extra.map((e) => canonicalCode(e, lang, cwd)).join('\n')}` : t;
}

/** perl `qw(a b)` / `qx(cmd)`, ruby `%w(a b)` / `%W[…]` / `%i{…}` with any bracket or same-character delimiter. */
const QUOTE_LIKE: Record<'perl' | 'ruby', RegExp> = {
  perl: /\bq([wx])\s*(?:\(([^()]*)\)|\[([^[\]]*)\]|\{([^{}]*)\}|<([^<>]*)>|([^\w\s([{<])((?:(?!\6)[^\\]|\\.)*)\6)/g,
  ruby: /%([wWiI])(?:\(([^()]*)\)|\[([^[\]]*)\]|\{([^{}]*)\}|<([^<>]*)>|([^\w\s([{<])((?:(?!\6)[^\\]|\\.)*)\6)/g,
};

/**
 * Quote-like word lists as the lists they are (`system qw(rm -rf x)` is `system ('rm', '-rf', 'x')`, ruby's
 * `system(*%w(rm -rf x))` is `system('rm', '-rf', 'x')`), and perl's `qx(cmd)` as the backticks it is.
 */
function quoteLikeLists(t: string, lang: 'perl' | 'ruby'): string {
  return t
    .replace(QUOTE_LIKE[lang], (m, kind: string, ...bodies: Array<string | undefined>) => {
      const body = bodies.slice(0, 4).find((b) => b !== undefined) ?? bodies[5];
      if (body === undefined) return m;
      const text = bodies[5] === undefined ? body : body.replace(/\\(.)/g, '$1');
      if (kind === 'x') return `\`${text}\``;
      const words = text
        .split(/\s+/)
        .filter((w) => w.length > 0)
        .map(quote)
        .join(', ');
      // perl flattens lists: `system qw(rm -rf), $ENV{PWD}` is one list of three
      return lang === 'perl' ? words : `[${words}]`;
    })
    .replace(lang === 'ruby' ? /\*\[('[^\]]*)\]/g : /(?!)/g, (_m, inner: string) => inner);
}

const STR_ITEM = String.raw`'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"`;
const LIT_LIST = String.raw`\[\s*((?:(?:${STR_ITEM})\s*,\s*)*(?:${STR_ITEM}))\s*,?\s*\]`;
/** `['rm', '-rf', x].join(' ')` (ruby, JS) and `' '.join(['rm', …])` (python) over literals: the joined string. */
const LIST_JOINS = [
  new RegExp(String.raw`${LIT_LIST}\.join\(\s*(${STR_ITEM})?\s*\)`, 'g'),
  new RegExp(String.raw`(${STR_ITEM})\.join\(\s*${LIT_LIST}\s*\)`, 'g'),
];
const unquote = (lit: string) => lit.slice(1, -1).replace(/\\(.)/g, '$1');
const items = (list: string) => [...list.matchAll(new RegExp(STR_ITEM, 'g'))].map((m) => unquote(m[0]));

function foldListJoins(t: string): string {
  return t
    .replace(LIST_JOINS[0]!, (_m, list: string, sep?: string) =>
      quote(items(list).join(sep ? unquote(sep) : ',')),
    )
    .replace(LIST_JOINS[1]!, (_m, sep: string, list: string) => quote(items(list).join(unquote(sep))));
}

/** A variable assigned exactly one literal, passed to a call: the literal (`cmd = 'rm -rf ~'; os.system(cmd)`). */
function inlineLiteralVariables(t: string): string {
  const assigned = new Map<string, string | null>();
  for (const m of t.matchAll(ASSIGN_LITERAL)) {
    const name = m[1]!;
    assigned.set(name, assigned.has(name) ? null : `${m[2]}${m[3]}${m[2]}`);
    if (assigned.size > 32) return t;
  }
  const names = [...assigned].filter(([, lit]) => lit !== null).map(([n]) => escapeRe(n));
  if (names.length === 0) return t;
  const use = new RegExp(`([(,]\\s*)\\$?(${names.join('|')})(?=\\s*[,)])`, 'g');
  return t.replace(use, (_m, a: string, name: string) => `${a}${assigned.get(name)!}`);
}

function resolveAliases(text: string, lang: Lang): string {
  let t = text;
  const aliases: Array<[RegExp, string]> = [];
  const bare: Array<[RegExp, string]> = [];
  if (lang === 'python') {
    for (const m of t.matchAll(PY_IMPORT_AS))
      if (m[2] !== m[1]) aliases.push([new RegExp(`\\b${escapeRe(m[2]!)}\\.`, 'g'), `${m[1]}.`]);
    for (const m of t.matchAll(PY_FROM_IMPORT)) {
      for (const item of m[2]!.split(',')) {
        const [name, as] = item.trim().split(/\s+as\s+/);
        if (name && /^\w+$/.test(name))
          bare.push([new RegExp(`(?<![\\w.])${escapeRe(as ?? name)}\\s*\\(`, 'g'), `${m[1]}.${name}(`]);
      }
    }
  } else if (lang === 'node') {
    for (const m of t.matchAll(JS_REQUIRE)) {
      const mod = moduleName(m[3]!);
      if (m[1] !== mod) aliases.push([new RegExp(`(?<![\\w.$])${escapeRe(m[1]!)}\\.`, 'g'), `${mod}.`]);
    }
    for (const m of t.matchAll(JS_IMPORT_NS)) {
      const mod = moduleName(m[3]!);
      if (m[1] !== mod) aliases.push([new RegExp(`(?<![\\w.$])${escapeRe(m[1]!)}\\.`, 'g'), `${mod}.`]);
    }
    for (const m of t.matchAll(JS_DESTRUCTURE)) {
      const mod = moduleName(m[3] ?? m[6]!);
      for (const item of (m[1] ?? m[4]!).split(',')) {
        const [name, as] = item.trim().split(/\s*(?::|\s+as\s+)\s*/);
        if (name && /^\w+$/.test(name))
          bare.push([new RegExp(`(?<![\\w.$])${escapeRe(as ?? name)}\\s*\\(`, 'g'), `${mod}.${name}(`]);
      }
    }
  }
  for (const [re, to] of aliases) t = t.replace(re, to);
  for (const [re, to] of bare) t = t.replace(re, to);
  return t;
}
