import { isAbsolute, join, resolve, sep } from 'node:path';
import { isWithin } from '../util/paths.js';
import { lstatOrNull, readBounded } from './git-layout.js';

/**
 * The first hop of what a hook runs: the repository files a git hook, a hook manager's config, a git config
 * key that names a program (a filter driver's `clean = scripts/clean.sh`) or an `.envrc` names, so they can be
 * kept read-only with the file that names them. Only regular files inside the root are returned; what lies in
 * `node_modules` or `.git`, symbolic links and anything built from variables are left alone (said as a limit:
 * a hook that runs the repository's build tooling runs code the agent can change).
 */

/** At most this many files named by one file, and this many bytes of it read. */
const MAX_REFS = 64;
const MAX_TEXT = 256 * 1024;

/** Between words: blanks and the shell's operators (a quote is part of a word, stripped at its ends). */
const SPLIT = /[\s;&|<>=]+/;
const ENDS = /^["'[,]+|["'\],:]+$/g;

/** The words of `text` that could be paths (no expansion, substitution, glob, option or placeholder). */
function words(text: string): string[] {
  return text
    .split(SPLIT)
    .map((w) => w.replace(ENDS, ''))
    .filter((w) => w.length > 0 && w.length <= 512 && !/[$%*?~\\()`{}"']/.test(w) && !w.startsWith('-'));
}

/**
 * A word's leading `$VAR/`, `${VAR}/` or `$(...)/`: in a hook that is nearly always the top of the work tree
 * (`TOP=$(git rev-parse --show-toplevel); "$TOP/tools/z.sh"`, `exec "$(git rev-parse --show-toplevel)/x"`),
 * so what follows is taken as relative to it. One level of nested parentheses inside `$(...)`.
 */
const ROOT_PREFIX = /(^|[\s"'=;&|(])(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\((?:[^()]|\([^()]*\))*\))\//g;

/** `python -m a.b`: the module's file, its package's `__init__.py`s and `__main__.py`, relative to the top. */
const PYTHON_MODULE = /(?:^|\s)-m\s+([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)/g;

function pythonModuleFiles(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(PYTHON_MODULE)) {
    const parts = m[1]!.split('.');
    const path = parts.join('/');
    for (let i = 1; i < parts.length; i++) out.push(`${parts.slice(0, i).join('/')}/__init__.py`);
    out.push(`${path}.py`, `${path}/__init__.py`, `${path}/__main__.py`);
  }
  return out;
}

/** The values of the YAML keys that hold commands in pre-commit and lefthook configs. */
const YAML_COMMAND = /^\s*-?\s*(?:entry|run|script|args)\s*:\s*(.*)$/;

export type RefStyle = 'shell' | 'yaml';

/** The words of a hook script (every line, comments dropped) or a YAML config (the command keys only). */
export function candidateWords(text: string, style: RefStyle): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (style === 'yaml') {
      const m = YAML_COMMAND.exec(line);
      if (m) out.push(...words(m[1]!.replace(/\s#.*$/, '')));
    } else {
      const code = line.replace(/(^|\s)#.*$/, '');
      out.push(...words(code.replace(ROOT_PREFIX, '$1')), ...pythonModuleFiles(code));
    }
  }
  return out;
}

/**
 * `word` as a path resolved from `base`, when it is a regular file (or, with `absent`, nothing yet) inside
 * `root` outside `.git` and `node_modules`.
 */
export function fileInRoot(word: string, base: string, root: string, absent = false): string | null {
  const path = isAbsolute(word) ? resolve(word) : resolve(base, word);
  if (path === root || !isWithin(path, root)) return null;
  const steps = path.slice(root.length + 1).split(sep);
  if (steps.some((s) => s === '.git' || s === 'node_modules')) return null;
  const st = lstatOrNull(path);
  return st?.isFile() || (absent && st === null) ? path : null;
}

/** The files inside `root` that `words` name, relative to `base`, bounded (with `absent`, missing ones too). */
export function namedFiles(ws: readonly string[], base: string, root: string, absent = false): string[] {
  const out = new Set<string>();
  for (const w of ws) {
    if (out.size >= MAX_REFS) break;
    const f = fileInRoot(w, base, root, absent);
    if (f) out.add(f);
  }
  return [...out];
}

/** The files inside `root` that the file at `path` names (read bounded, never through a pipe). */
export function filesNamedBy(path: string, style: RefStyle, base: string, root: string): string[] {
  const bytes = readBounded(path, MAX_TEXT);
  return bytes === null ? [] : namedFiles(candidateWords(bytes.toString('utf8'), style), base, root);
}

/**
 * What an `.envrc` loads besides itself: `source_env[_if_exists] X` (X/.envrc when X is a directory, see below),
 * `dotenv[_if_exists] [X]` (`.env` by default), `source X` / `. X`, and the nix files `use nix` / `use flake`
 * evaluate. Relative to the `.envrc`'s directory. Pure: the text in, the relative or absolute names out.
 */
export function envrcLoads(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    const [cmd, ...args] = words(line);
    if (cmd === undefined) continue;
    if (cmd === 'source_env' || cmd === 'source_env_if_exists') {
      if (args[0]) out.push(args[0]);
    } else if (cmd === 'dotenv' || cmd === 'dotenv_if_exists') {
      out.push(args[0] ?? '.env');
    } else if (cmd === 'source' || cmd === '.') {
      if (args[0]) out.push(args[0]);
    } else if (cmd === 'use' && args[0] === 'nix') {
      out.push(...(args.length > 1 ? args.slice(1) : ['shell.nix', 'default.nix']));
    } else if (cmd === 'use' && args[0] === 'flake') {
      out.push('flake.nix', 'flake.lock');
    }
  }
  return out;
}

/**
 * The files inside `root` an `.envrc` at `path` (in directory `dir`) loads, missing ones too: an env file
 * direnv would load once it exists is covered by an empty placeholder (empty, it loads nothing).
 */
export function filesEnvrcLoads(path: string, dir: string, root: string): string[] {
  const bytes = readBounded(path, MAX_TEXT);
  if (bytes === null) return [];
  const names = envrcLoads(bytes.toString('utf8')).map((n) =>
    lstatOrNull(resolve(dir, n))?.isDirectory() ? join(n, '.envrc') : n,
  );
  return namedFiles(names, dir, root, true);
}
