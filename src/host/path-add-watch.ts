import { type Stats, lstatSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { displayPath, isWithin } from '../util/paths.js';
import { escapeText } from '../util/terminal-text.js';
import { readBounded } from './git-layout.js';

/**
 * An `.envrc` that puts a work tree directory first on a search path (`PATH_add bin`, `export PATH="$PWD/bin:
 * $PATH"`, `layout python`, `path_add LD_LIBRARY_PATH lib`) makes the host shell there run what the agent drops
 * in it: a `bin/git` runs at the user's next `git`. These directories hold build outputs and installed tools, so
 * they stay writable; what is in them is remembered at start and what appeared or changed is said after the run,
 * the names that shadow a command on the host's PATH first.
 */

const MAX_ENVRC = 256 * 1024;
const MAX_DIRS = 16;
/** Entries looked at per directory: the names of host commands first, so a flood of others cannot hide them. */
const MAX_FILES = 5_000;
/** Lines the report shows: shadowing names up to the first bound, others up to the second; the rest counted. */
const MAX_SHADOW_LINES = 100;
const MAX_OTHER_LINES = 20;

/** A directory an `.envrc` puts on a search path, relative to the `.envrc`'s directory; `*` once in a step. */
export interface PathDirRef {
  dir: string;
  /** The variable: `PATH` (executables matter) or another search path (every file does: a library, a module). */
  variable: string;
}

/** What direnv's `layout X` puts on PATH, below the `.envrc`'s directory (`.direnv` is direnv_layout_dir). */
const LAYOUT_DIRS: Record<string, readonly string[]> = {
  node: ['node_modules/.bin'],
  python: ['.direnv/python-*/bin', '.direnv/virtualenv/bin'],
  python2: ['.direnv/python-*/bin'],
  python3: ['.direnv/python-*/bin'],
  ruby: ['.direnv/ruby/bin', '.direnv/ruby-*/bin', '.direnv/bin'],
  perl: ['.direnv/perl5/bin'],
  php: ['vendor/bin'],
  go: ['.direnv/go/bin', 'bin'],
  // in-project virtualenvs, where these tools are set to make them
  pipenv: ['.venv/bin'],
  poetry: ['.venv/bin'],
  uv: ['.venv/bin'],
};

/** A word's `$PWD/`, `${PWD}/`, `$(pwd)/` and `$(direnv_layout_dir)` made relative; null if other expansions remain. */
function literalDir(word: string): string | null {
  const w = word
    .replace(/^["']|["']$/g, '')
    .replace(/^(?:\$PWD|\$\{PWD\}|\$\(pwd\)|`pwd`)(?=\/|$)/, '.')
    .replace(/^\$\(direnv_layout_dir\)/, '.direnv');
  return /[$`~\\?()]/.test(w) ? null : w;
}

/** The directories an `.envrc`'s text puts on a search path (MANPATH_add is not one: a man page runs nothing). */
export function envrcPathDirs(text: string): PathDirRef[] {
  const out: PathDirRef[] = [];
  const add = (variable: string, word: string) => {
    const dir = literalDir(word);
    if (dir !== null && dir.length > 0 && !dir.includes('*')) out.push({ dir, variable });
  };
  for (const raw of text.split('\n')) {
    const line = raw
      .replace(/(^|\s)#.*$/, '')
      .replace(/\$\(expand_path\s+["']?([^\s"'$`()]+)["']?\)/g, '$1')
      .trim();
    const assign = /^(?:export\s+)?PATH=(.*)$/.exec(line);
    if (assign) {
      // an empty element is the current directory: wherever the shell is, there
      const value = assign[1]!.trim().replace(/^["']|["']$/g, '');
      for (const part of value.split(':')) add('PATH', part === '' ? '.' : part);
      continue;
    }
    const words = line.split(/\s+/);
    const [cmd, ...args] = words;
    if (cmd === 'PATH_add') for (const a of args) add('PATH', a);
    else if (cmd === 'path_add' && args.length >= 2 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(args[0]!))
      for (const a of args.slice(1)) add(args[0]!, a);
    else if (cmd === 'layout' && args[0] !== undefined)
      for (const dir of LAYOUT_DIRS[args[0]] ?? []) out.push({ dir, variable: 'PATH' });
    else if ((cmd === 'source' || cmd === '.') && args[0] !== undefined) {
      // a virtualenv's activate puts its bin/ first
      const activate = literalDir(args[0]);
      if (activate !== null && /(^|\/)bin\/activate$/.test(activate))
        out.push({ dir: dirname(activate), variable: 'PATH' });
    }
  }
  return out;
}

export interface PathDirSnapshot {
  dir: string;
  variable: string;
  /** name → identity (inode, size, mtime) of what is in it at start. */
  files: Map<string, string>;
}

const identity = (st: Stats) => `${st.ino}:${st.size}:${st.mtimeMs}:${st.mode}`;

/** The names of the commands on the host's PATH (outside the watched roots), read once per run. */
export function hostCommandNames(env: NodeJS.ProcessEnv, roots: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const dir of (env.PATH ?? '').split(delimiter).slice(0, 64)) {
    if (!dir.startsWith('/') || roots.some((r) => isWithin(dir, r) || dir === r)) continue;
    try {
      for (const n of readdirSync(dir).slice(0, 20_000)) names.add(n);
    } catch {
      // not there
    }
  }
  return names;
}

/** The names in `dir` to look at: host commands first, then the rest, bounded. */
function namesIn(dir: string, commands: ReadonlySet<string>): string[] | null {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  const first = names.filter((n) => commands.has(n)).sort();
  const rest = names.filter((n) => !commands.has(n)).sort();
  return [...first, ...rest].slice(0, MAX_FILES);
}

/** What in `dir` a search path would take: executables and links for PATH, any file or link otherwise. */
function contents(dir: string, variable: string, commands: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of namesIn(dir, commands) ?? []) {
    try {
      const st = lstatSync(join(dir, n));
      const taken = st.isSymbolicLink() || (st.isFile() && (variable !== 'PATH' || (st.mode & 0o111) !== 0));
      if (taken) out.set(n, identity(st));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** `pattern` (one `*` allowed per step) expanded below `base`, the real directories it names (bounded). */
function expand(pattern: string, base: string): string[] {
  let dirs = [base];
  for (const step of pattern.split('/')) {
    if (!step.includes('*')) {
      dirs = dirs.map((d) => join(d, step));
      continue;
    }
    const [pre, post] = step.split('*', 2) as [string, string];
    dirs = dirs.flatMap((d) => {
      try {
        return readdirSync(d)
          .filter((n) => n.startsWith(pre) && n.endsWith(post) && n.length >= pre.length + post.length)
          .sort()
          .slice(0, MAX_DIRS)
          .map((n) => join(d, n));
      } catch {
        return [];
      }
    });
  }
  return dirs;
}

export interface PathDirWatch {
  /** The directory patterns, absolute, with their variable. */
  refs: { pattern: string; variable: string }[];
  commands: ReadonlySet<string>;
  before: PathDirSnapshot[];
}

function snapshot(refs: PathDirWatch['refs'], commands: ReadonlySet<string>): PathDirSnapshot[] {
  const out: PathDirSnapshot[] = [];
  const seen = new Set<string>();
  for (const { pattern, variable } of refs)
    for (const dir of expand(pattern.slice(1), '/')) {
      if (seen.has(dir) || out.length >= MAX_DIRS) continue;
      seen.add(dir);
      out.push({ dir, variable, files: contents(dir, variable, commands) });
    }
  return out;
}

/** The search-path directories of the `.envrc` files at `envrcs`, inside `root`, with what is in them now. */
export function watchPathDirs(
  envrcs: readonly string[],
  root: string,
  commands: ReadonlySet<string>,
): PathDirWatch {
  const refs: PathDirWatch['refs'] = [];
  for (const envrc of envrcs) {
    const text = readBounded(envrc, MAX_ENVRC);
    if (text === null) continue;
    for (const r of envrcPathDirs(text.toString('utf8'))) {
      const abs = resolve(dirname(envrc), r.dir);
      if ((abs === root || isWithin(abs, root)) && refs.length < MAX_DIRS)
        refs.push({ pattern: abs, variable: r.variable });
    }
  }
  return { refs, commands, before: snapshot(refs, commands) };
}

export interface PathDirChange {
  /**
   * Said first, up to a high bound: the name shadows a command on the host's PATH (`git`, `ls`), or the file is
   * on a library or module path (every program the shell starts may load it).
   */
  first: boolean;
  line: string;
}

/** What appeared or changed in those directories since the watch began (new directories a pattern names too). */
export function pathDirChanges(watch: PathDirWatch): PathDirChange[] {
  const out: PathDirChange[] = [];
  const before = new Map(watch.before.map((s) => [s.dir, s]));
  for (const now of snapshot(watch.refs, watch.commands)) {
    const was = before.get(now.dir)?.files;
    for (const [name, id] of now.files) {
      const old = was?.get(name);
      if (old === id) continue;
      const shadows = now.variable === 'PATH' && watch.commands.has(name);
      const shown = name.length <= 40 ? escapeText(name, 40) : 'that name';
      const what =
        now.variable === 'PATH'
          ? `your host shell there runs it for \`${shown}\`${shadows ? ', in place of your own' : ''}`
          : `programs your host shell starts there load it through ${now.variable}`;
      out.push({
        first: shadows || now.variable !== 'PATH',
        line: `${displayPath(join(now.dir, name))} ${old === undefined ? 'appeared' : 'changed'} in a directory .envrc puts first on ${now.variable}: ${what}`,
      });
    }
  }
  return out;
}

/** The loud report: the `first` changes (up to a high bound), then the rest, cut with a count. */
export function pathDirReport(changes: readonly PathDirChange[]): string {
  if (changes.length === 0) return '';
  const shadow = changes.filter((c) => c.first).map((c) => c.line);
  const other = changes.filter((c) => !c.first).map((c) => c.line);
  const lines = [...shadow.slice(0, MAX_SHADOW_LINES), ...other.slice(0, MAX_OTHER_LINES)];
  const more = changes.length - lines.length;
  return [
    'ags: WARNING: this run left programs where direnv puts them first on your host PATH:',
    ...lines.map((l) => `ags:   ${l}`),
    ...(more > 0 ? [`ags:   ... and ${more} more`] : []),
    'ags: check them before you enter that directory with direnv allowed',
  ]
    .map((l) => `${l}\n`)
    .join('');
}
