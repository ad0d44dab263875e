import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { isWithin } from '../util/paths.js';
import { lstatOrNull, readBounded } from './git-layout.js';

/**
 * The first hop of what a hook runs: the repository files a git hook, a hook manager's config, a git config
 * key that names a program (a filter driver's `clean = scripts/clean.sh`) or an `.envrc` names, so they can be
 * kept read-only with the file that names them. Only regular files inside the root are returned, and the scripts
 * named by their form that are not there yet (the agent would create them: an empty placeholder holds them); what lies in
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
    .filter(isPathWord);
}

const isPathWord = (w: string) =>
  w.length > 0 && w.length <= 512 && !/[$%*?~\\()`{}"']/.test(w) && !w.startsWith('-');

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

/** Extensions that make a word a script's name even where no file is there yet. */
const SCRIPT_EXT = /\.(?:sh|bash|zsh|ksh|fish|py|rb|pl|php|lua|js|mjs|cjs|ts|mts|cts)$/;

/** Words after which a word with a `/` is the script that runs. */
const RUNNERS = new Set([
  ...['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish', 'exec', '.', 'source', 'command', 'env'],
  ...['node', 'deno', 'bun', 'tsx', 'python', 'python3', 'ruby', 'perl', 'php', 'lua'],
]);

/** Between commands on one line. */
const SEGMENTS = /&&|\|\||[;|&()]/;

/**
 * The words of a hook script or a hook manager's config that name a script by their form, whether or not a file
 * is there: `./x` and `../x` (and `$TOP/x`, `$(git rev-parse --show-toplevel)/x`), a word ending in a script
 * extension, and a word with a `/` where a command goes (first in a command, after `sh`, `node`, `exec`, ...).
 * Not `python -m` modules (a missing one is as likely installed as planted) and not bare words (`npx`, `go`).
 */
export function scriptWords(text: string, style: RefStyle): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let code: string;
    // a YAML `args:` list holds arguments: no command position there
    let commands = true;
    if (style === 'yaml') {
      const m = YAML_COMMAND.exec(line);
      if (!m) continue;
      code = m[1]!.replace(/\s#.*$/, '');
      commands = !/^\s*-?\s*args\s*:/.test(line);
    } else code = line.replace(/(^|\s)#.*$/, '');
    for (const segment of code.replace(ROOT_PREFIX, '$1./').split(SEGMENTS)) {
      // leading assignments (`FOO=1 bin/x`) are not the command
      const tokens = segment
        .trim()
        .split(/[\s<>]+/)
        .map((t) => t.replace(ENDS, ''));
      while (tokens.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[0]!)) tokens.shift();
      tokens.forEach((w, i) => {
        // `go test ./...` names packages, not a file
        if (!isPathWord(w) || /(^|\/)\.{1,3}$/.test(w)) return;
        const command = commands && (i === 0 || RUNNERS.has(tokens[i - 1]!));
        if (SCRIPT_EXT.test(w) || /^\.\.?\//.test(w) || (command && w.includes('/'))) out.push(w);
      });
    }
  }
  return out;
}

/**
 * `word` as a path resolved from `base`, when it is a regular file (or, with `absent`, nothing yet, below a
 * real directory) inside `root` outside `.git` and `node_modules`.
 */
export function fileInRoot(word: string, base: string, root: string, absent = false): string | null {
  const path = isAbsolute(word) ? resolve(word) : resolve(base, word);
  if (path === root || !isWithin(path, root)) return null;
  const steps = path.slice(root.length + 1).split(sep);
  if (steps.some((s) => s === '.git' || s === 'node_modules')) return null;
  const st = lstatOrNull(path);
  if (st?.isFile()) return path;
  return absent && st === null && belowDirectory(path, root) ? path : null;
}

/** The nearest step above `path` that exists is a real directory (not a file or a link): a mount point can go there. */
function belowDirectory(path: string, root: string): boolean {
  for (let d = dirname(path); isWithin(d, root) || d === root; d = dirname(d)) {
    const st = lstatOrNull(d);
    if (st !== null) return st.isDirectory();
  }
  return false;
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

/**
 * The files inside `root` that the file at `path` names (read bounded, never through a pipe): regular files,
 * and the scripts (scriptWords) that do not exist yet.
 */
export function filesNamedBy(path: string, style: RefStyle, base: string, root: string): string[] {
  const bytes = readBounded(path, MAX_TEXT);
  return bytes === null ? [] : filesNamedIn(bytes.toString('utf8'), style, base, root);
}

/** The files a text names, as filesNamedBy: those that exist, then the scripts that do not, bounded. */
export function filesNamedIn(text: string, style: RefStyle, base: string, root: string): string[] {
  const found = new Set(namedFiles(candidateWords(text, style), base, root));
  for (const f of namedFiles(scriptWords(text, style), base, root, true)) {
    if (found.size >= MAX_REFS) break;
    found.add(f);
  }
  return [...found];
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
