/**
 * Inline interpreter code (`python -c`, `node -e`, `perl -e`, `ruby -e`, `php -r`, `lua -e`, awk programs):
 * finds the code, the shell commands it runs (`os.system`, `subprocess`, `child_process`, `system`, backticks),
 * the files it deletes and the string literals it uses. Pattern-based over the literal code; it does not run it.
 */
import { lastResult } from './last-result.js';
import type { Arg, InlineCode, Invocation, Lang } from './shell/invocation.js';

export type { InlineCode, Lang } from './shell/invocation.js';

export function langOf(name: string): Lang | null {
  // asked about every command by several rules: answered once per name
  let lang = langCache.get(name);
  if (lang === undefined) {
    if (langCache.size >= 512) langCache.clear();
    langCache.set(name, (lang = findLang(name)));
  }
  return lang;
}

const langCache = new Map<string, Lang | null>();

function findLang(name: string): Lang | null {
  if (/^(?:python[0-9.]*|pypy[0-9.]*)$/.test(name)) return 'python';
  if (name === 'node' || name === 'nodejs' || name === 'bun' || name === 'deno') return 'node';
  if (/^perl[0-9.]*$/.test(name)) return 'perl';
  if (/^ruby[0-9.]*$/.test(name) || name === 'jruby') return 'ruby';
  if (/^php[0-9.]*$/.test(name)) return 'php';
  if (/^lua(?:jit|[0-9.]*)$/.test(name)) return 'lua';
  if (name === 'Rscript' || name === 'R') return 'r';
  if (name === 'awk' || name === 'gawk' || name === 'mawk' || name === 'nawk' || name === 'busybox-awk')
    return 'awk';
  return null;
}

/** Options (per language) whose value is the code, and options that take a separate value. */
const CODE_FLAGS: Record<Lang, { code: RegExp; withArg: Set<string>; module?: Set<string> }> = {
  python: { code: /^-[bBdEhiIOqsSuvVx]*c$/, withArg: new Set(['-W', '-X', '-Q']), module: new Set(['-m']) },
  node: {
    code: /^(?:-e|--eval|-p|--print|-pe)$/,
    withArg: new Set(['-r', '--require', '--import', '--loader', '-C', '--conditions', '--input-type']),
  },
  perl: { code: /^-[a-zA-DF-Z0-9]*[eE]$/, withArg: new Set(['-I', '-M', '-m']) },
  ruby: { code: /^-[a-zA-Z]*e$/, withArg: new Set(['-I', '-r', '-C', '-E']) },
  php: { code: /^-[a-zA-Z]*r$/, withArg: new Set(['-c', '-d', '-z']) },
  lua: { code: /^-e$/, withArg: new Set(['-l']) },
  r: { code: /^-e$/, withArg: new Set(['-f', '--file']) },
  awk: {
    code: /^$/,
    withArg: new Set(['-F', '-v', '-f', '--field-separator', '--assign', '--file', '-i', '--include']),
  },
};

/** The inline code an interpreter invocation runs, or null if it is not an interpreter running inline code. */
export function extractInlineCode(inv: Invocation): InlineCode | null {
  const lang = langOf(inv.name);
  if (!lang) return null;
  const spec = CODE_FLAGS[lang];
  const args: Arg[] = inv.args;
  if (inv.name === 'deno' || inv.name === 'bun') {
    if (args[0]?.value === 'eval' || args[0]?.value === '-e') {
      const a = args[1];
      return { lang, flag: 'eval', text: a ? a.value : null, readsStdin: false };
    }
    if (inv.name === 'deno') return null;
  }
  const codes: string[] = [];
  let dynamic = false;
  let flag = '';
  let script = false;
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === null) {
      if (codes.length === 0 && !flag) script = true;
      break;
    }
    if (lang === 'node' && /^--(?:eval|print)=/.test(v)) {
      flag = v.slice(0, v.indexOf('='));
      codes.push(v.slice(v.indexOf('=') + 1));
      continue;
    }
    if (lang !== 'awk' && spec.code.test(v)) {
      flag = v;
      const c = args[++i];
      if (!c || c.value === null) dynamic = true;
      else codes.push(c.value);
      if (lang === 'python' || lang === 'node' || lang === 'php' || lang === 'lua') break;
      continue;
    }
    if (spec.module?.has(v)) return null;
    if (spec.withArg.has(v)) {
      if (lang === 'awk' && (v === '-f' || v === '--file')) return null;
      i++;
      continue;
    }
    if (v === '--') {
      script = i + 1 < args.length;
      break;
    }
    if (v === '-' && lang !== 'awk') break;
    if (v.startsWith('-') && v.length > 1) continue;
    if (lang === 'awk') {
      return { lang, flag: 'program', text: v, readsStdin: false };
    }
    script = true;
    break;
  }
  // awk without a program argument runs a -f file
  if (lang === 'awk') return null;
  if (codes.length > 0 || dynamic) {
    return { lang, flag, text: dynamic ? null : codes.join('\n'), readsStdin: false };
  }
  if (script) return null;
  return { lang, flag: 'stdin', text: null, readsStdin: true };
}

/** A string literal in code: single or double quoted (with an optional Python/JS prefix), or a template literal. */
export const STR =
  String.raw`(?:[rRbBuUfF]{0,2}'(?:[^'\\\n]|\\.)*'|[rRbBuUfF]{0,2}"(?:[^"\\\n]|\\.)*"|` +
  '`(?:[^`\\\\]|\\\\.)*`)';
const STR_RE = new RegExp(STR, 'g');

export function unquote(lit: string): string {
  const body = lit.replace(/^[rRbBuUfF]{0,2}/, '').slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** All string literals in code, unquoted. */
export function stringLiterals(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(STR_RE)) {
    out.push(unquote(m[0]));
    if (out.length > 500) break;
  }
  return out;
}

export interface ShellString {
  api: string;
  /** A command string run by a shell. */
  command?: string;
  /** An argv run directly. */
  argv?: string[];
}

const LIST = String.raw`\[\s*(?:${STR}\s*,\s*)*(?:${STR})?\s*,?\s*\]`;

let PY_EXEC: RegExp;
/** Shell-running calls per language: the API name pattern and whether its first argument is a shell string. */
const SHELL_APIS: Record<Lang, RegExp[]> = {
  python: [
    new RegExp(
      String.raw`\b(os\.system|os\.popen|subprocess\.(?:run|call|Popen|check_output|check_call|getoutput|getstatusoutput)|commands\.getoutput|pty\.spawn)\s*\(\s*(${STR}|${LIST})`,
      'g',
    ),
    // os.execvp('rm', ['rm', '-rf', '/']), os.spawnlp(os.P_WAIT, 'rm', 'rm', …): the program and its argv
    (PY_EXEC = new RegExp(
      String.raw`\b(os\.(?:exec|spawn)[lv]p?e?|os\.posix_spawnp?)\s*\(\s*(?:os\.P_\w+\s*,\s*)?(${STR})\s*,\s*(${LIST}|${STR}(?:\s*,\s*${STR})*)`,
      'g',
    )),
  ],
  node: [
    new RegExp(
      String.raw`\b((?:child_process\.|cp\.|require\(\s*['"]child_process['"]\s*\)\.)?(?:execSync|exec|spawnSync|spawn|execFileSync|execFile))\s*\(\s*(${STR})(?:\s*,\s*(${LIST}))?`,
      'g',
    ),
    new RegExp(String.raw`\b(Bun\.spawnSync|Bun\.spawn|Deno\.Command)\s*\(\s*(${LIST}|${STR})`, 'g'),
    // Bun's and zx's shell templates: Bun.$`rm -rf ${dir}`, $`git push`
    /(Bun\.\$|(?<![\w$.])\$)`([^`]*)`/g,
  ],
  perl: [
    /\b((?:system|exec)\s*\(?\s*qq?)\s*\{([^}]*)\}/g,
    /\b((?:system|exec)\s*\(?\s*qq?)\s*\(([^)]*)\)/g,
    new RegExp(String.raw`\b(system|exec)\s*\(?\s*(${STR}(?:\s*,\s*${STR})*)`, 'g'),
    /(qx)\s*[{(/]([^})/]*)[})/]/g,
    /(`)([^`]*)`/g,
  ],
  ruby: [
    new RegExp(
      String.raw`\b(system|exec|spawn|Open3\.\w+|IO\.popen)\s*\(?\s*(${STR}(?:\s*,\s*${STR})*)`,
      'g',
    ),
    /(%x)[{(]([^})]*)[})]/g,
    /(`)([^`]*)`/g,
  ],
  php: [
    new RegExp(String.raw`\b(system|exec|shell_exec|passthru|popen|proc_open)\s*\(\s*(${STR})`, 'g'),
    /(`)([^`]*)`/g,
  ],
  lua: [new RegExp(String.raw`\b(os\.execute|io\.popen)\s*\(?\s*(${STR})`, 'g')],
  r: [
    new RegExp(String.raw`\b(system|shell|pipe)\s*\(\s*(?:command\s*=\s*)?(${STR})`, 'g'),
    // system2("git", c("reset", "--hard")): the program and its argument vector
    new RegExp(
      String.raw`\b(system2|processx::run|sys::exec_wait)\s*\(\s*(?:command\s*=\s*)?(${STR})(?:\s*,\s*(?:args\s*=\s*)?c\(((?:\s*${STR}\s*,?)*)\))?`,
      'g',
    ),
  ],
  awk: [
    new RegExp(String.raw`\b(system)\s*\(\s*("(?:[^"\\]|\\.)*")`, 'g'),
    /(?<!\|)(\|)(?!\|)\s*("(?:[^"\\]|\\.)*")/g,
  ],
};

/** The shell commands literal inline code runs. */
export function shellStringsInCode(code: InlineCode): ShellString[] {
  if (code.text === null) return [];
  const out: ShellString[] = [];
  for (const re of SHELL_APIS[code.lang]) {
    if (re === PY_EXEC && !/\bos\.(?:exec|spawn|posix_spawn)/.test(code.text)) continue;
    re.lastIndex = 0;
    for (const m of code.text.matchAll(re)) {
      const api = m[1]!;
      const first = m[2]!;
      if (api === '|') {
        // awk: print … | "sh" pipes generated text into a shell: treat the whole program as suspicious text;
        // print … | "tee -a f" runs that command (through sh)
        const cmd = unquote(first);
        if (/^(?:ba|z|da)?sh$/.test(cmd))
          out.push({ api: '| sh', command: stringLiterals(code.text).join('\n') });
        else out.push({ api: '| cmd', command: cmd });
        continue;
      }
      if (
        api === '`' ||
        api === 'qx' ||
        api === '%x' ||
        api.endsWith('$') ||
        /^(?:system|exec)\W.*q$/.test(api)
      ) {
        out.push({ api, command: first });
        continue;
      }
      if (first.trimStart().startsWith('[')) {
        out.push({ api, argv: stringLiterals(first) });
        continue;
      }
      const lits = stringLiterals(first);
      const extra = m[3] ? stringLiterals(m[3]) : [];
      const argvStyle = /spawn|execFile|Command/.test(api) || lits.length > 1 || extra.length > 0;
      if (argvStyle) out.push({ api, argv: [...lits, ...extra] });
      else if (lits[0] !== undefined) out.push({ api, command: lits[0] });
      if (out.length > 100) return out;
    }
  }
  return out;
}

export interface DeleteCall {
  api: string;
  recursive: boolean;
  /** The literal target, `~`-prefixed when built from the home directory, or null when computed. */
  target: string | null;
}

const HOME_EXPR = String.raw`(?:os\.path\.expanduser\(\s*(${STR})\s*\)|Path\.home\(\)|os\.homedir\(\)|process\.env\.HOME|os\.environ\[\s*['"]HOME['"]\s*\]|os\.getenv\(\s*['"]HOME['"]\s*\)|ENV\[\s*['"]HOME['"]\s*\]|Dir\.home|\$ENV\{HOME\}|require\(\s*['"](?:node:)?os['"]\s*\)\.homedir\(\)|Deno\.env\.get\(\s*['"]HOME['"]\s*\)|Path\.expanduser\(\s*(${STR})\s*\)|path\.expand\(\s*(${STR})\s*\)|Sys\.getenv\(\s*['"]HOME['"]\s*\))`;

const DELETE_APIS: Array<{ re: RegExp; recursive: boolean }> = [
  {
    // perl and ruby call without parentheses too (`FileUtils.rm_r "/x"`, `rmtree $ENV{HOME}`)
    re: /\b(shutil\.rmtree|rmtree|remove_tree|FileUtils\.(?:rm_rf|rm_r|remove_dir|rmtree|remove_entry)|rimraf(?:\.sync)?|fse?\.(?:removeSync|remove|emptyDirSync|emptyDir))(?:\s*\(\s*|\s+(?=['"$]))/g,
    recursive: true,
  },
  {
    // perl's File::Find with an unconditional unlink in its callback: every file under the directory
    re: /\b((?:File::Find::)?find(?:depth)?\s*\(\s*(?:sub\s*)?\{[^{}]*\bunlink\b(?![^{}]*(?:\bif\s*\/|=~|\bunless\s*\/))[^{}]*\}\s*,\s*)/g,
    recursive: true,
  },
  {
    re: /((?:\b(?:fs|fsp|promises)|\))\.(?:rmSync|rm|rmdirSync|rmdir)|\bDeno\.remove(?:Sync)?)\s*\(\s*/g,
    recursive: true,
  },
  {
    re: /\b(os\.remove|os\.unlink|os\.rmdir|os\.removedirs|fs\.unlinkSync|fs\.unlink|File\.delete|FileUtils\.rm|file\.remove|unlink)(?:\s*\(\s*|\s+(?=['"$]|glob\b))/g,
    recursive: false,
  },
];
const LEAD_STR = new RegExp(`^${STR}`);
const LEAD_HOME = new RegExp(`^${HOME_EXPR}`);

/** The home directory interpolated at the start of a string (`"$ENV{HOME}/.x"`, `"#{Dir.home}/.x"`, `${os.homedir()}`). */
const HOME_INTERP =
  /^(?:\$ENV\{\s*['"]?HOME['"]?\s*\}|\$HOME\b|\$\{HOME\}|#\{\s*(?:Dir\.home|ENV\[\s*['"]HOME['"]\s*\])\s*\}|\$\{\s*(?:process\.env\.HOME|(?:os|require\(['"](?:node:)?os['"]\))\.homedir\(\))\s*\}|\{\s*(?:os\.environ\[\s*['"]HOME['"]\s*\]|Path\.home\(\)|os\.path\.expanduser\(\s*['"]~['"]\s*\))\s*\})(?=\/|$)/;

function homeInterpolated(lit: string): string {
  return lit.replace(HOME_INTERP, '~');
}

/** Calls that delete files, with their first argument when it is literal (or home-based); read-only, shared. */
export const deleteCalls = lastResult(findDeleteCalls);

function findDeleteCalls(code: string): DeleteCall[] {
  const out: DeleteCall[] = [];
  for (const { re, recursive } of DELETE_APIS) {
    re.lastIndex = 0;
    for (const m of code.matchAll(re)) {
      const api = m[1]!;
      const after = code.slice(m.index + m[0].length, m.index + m[0].length + 400);
      let target: string | null = null;
      const s = LEAD_STR.exec(after);
      const h = LEAD_HOME.exec(after);
      if (s) target = homeInterpolated(unquote(s[0]));
      else if (h) {
        const lit = h[1] ?? h[2] ?? h[3];
        target = lit ? unquote(lit) : '~';
        if (!target.startsWith('~')) target = '~';
      }
      // fs.rm/rmSync/rmdir and Deno.remove are recursive only with { recursive: true }
      const rec =
        (recursive &&
          (!/\.(?:rmSync|rm|rmdirSync|rmdir|remove|removeSync)$/.test(api) ||
            // any value but a falsy literal (`recursive: 1`, `!0`: red team 8)
            /recursive\s*:\s*(?!false\b|0\b|null\b|undefined\b|''|"")[^\s,}]/.test(after))) ||
        // R: unlink(path, recursive = TRUE)
        (api === 'unlink' && /^[^;\n]*?recursive\s*=\s*(?:TRUE|T)\b/.test(after));
      out.push({ api, recursive: rec, target });
      if (out.length > 100) return out;
    }
  }
  // a delete of computed paths inside code that lists a directory deletes what the listing yields: the whole
  // directory, recursively (`[os.remove(f) for f in os.listdir('.')]`, `unlink glob("*")`, `os.walk('.')`)
  if (out.some((d) => d.target === null)) {
    LISTING.lastIndex = 0;
    for (const m of code.matchAll(LISTING)) {
      const raw = m[1] ?? m[2] ?? m[3];
      const lit = raw ? unquote(raw) : m[4] === 'home' ? '~' : '.';
      const dir = lit.replace(/\/?[^/]*[*?[].*$/, '') || (lit.startsWith('/') ? '/' : '.');
      out.push({ api: `delete over ${m[0].slice(0, 40)}`, recursive: true, target: dir });
      if (out.length > 100) break;
    }
  }
  return out;
}

const LISTING = new RegExp(
  String.raw`(?:\b(?:os\.listdir|os\.scandir|os\.walk|glob\.i?glob|glob|fs\.readdirSync|fs\.readdir|readdirSync|Dir\.glob|Dir\.children|Dir\.entries|Dir\.each_child)\s*\(?\s*(${STR})|\bDir\[\s*(${STR})|\bPath\(\s*(${STR})\s*\)\.(?:iterdir|r?glob)|\bos\.(?:listdir|scandir)\(\s*\)|\bPath\.(home|cwd)\(\)\.(?:iterdir|r?glob|walk)\b|\b(?:list\.files|dir)\(\s*\))`,
  'g',
);

const USES_HOME = new RegExp(HOME_EXPR);
const SEGMENT_LIST = new RegExp(`(${STR})(?:\\s*,\\s*(${STR}))+`, 'g');

/** Literal paths the code names, including home-relative ones built with a home directory expression. */
export function pathLiterals(code: string): string[] {
  const lits = stringLiterals(code);
  const usesHome = USES_HOME.test(code) || /\bexpanduser\b|\bhomedir\b|\bHOME\b/.test(code);
  const out: string[] = [];
  for (const l of lits) {
    if (l.length === 0 || l.length > 4096) continue;
    out.push(l);
    if (usesHome && /^\.[A-Za-z]/.test(l)) out.push('~/' + l);
  }
  // path.join(home, '.ssh', 'id_rsa') style: join consecutive segment literals
  if (usesHome) {
    for (const m of code.matchAll(SEGMENT_LIST)) {
      const segs = stringLiterals(m[0]);
      if (segs[0]?.startsWith('.')) out.push('~/' + segs.join('/'));
    }
  }
  return out;
}
