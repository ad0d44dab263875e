import { homedir } from 'node:os';
import { isAbsolute, join, normalize, resolve } from 'node:path';
import { errorAt, type SourceFile } from './errors.js';
import type { PathSegment } from './positions.js';
import { quoteText } from '../util/terminal-text.js';

/**
 * Path expansion. In every host path field:
 * - `~` and `~/...` become the home directory (`~user` is an error);
 * - `$VAR` and `${VAR}` become the variable's value, and an undefined variable is an error naming the field;
 *   `$$` is a literal `$`, and a `$` not followed by a name is kept as it is;
 * - a relative result is resolved against the directory of the file that set it.
 * The XDG base directories are always defined while expanding: when unset (or not absolute) they take their
 * XDG default, so `$XDG_CACHE_HOME/ags` works everywhere.
 */

/** Host path fields; `*` is any array index. */
export const PATH_FIELDS: readonly (readonly string[])[] = [
  ['sandbox', 'containerfile'],
  ['sandbox', 'cache_dir'],
  ['sandbox', 'data_dir'],
  ['sandbox', 'ssh_keys', '*'],
  ['sandbox', 'signing_key'],
  ['mount', '*', 'host'],
  ['agent_mount', '*', 'host'],
  ['tool', '*', 'path'],
  ['tool', '*', 'directory', '*', 'host'],
];

/** `command[0]` of a secret: expanded like a path, but it must come out absolute (it is never resolved). */
export const PROGRAM_FIELDS: readonly (readonly string[])[] = [['secret', '*', 'command', '0']];

const XDG_DEFAULTS: Record<string, string> = {
  XDG_CONFIG_HOME: '.config',
  XDG_CACHE_HOME: '.cache',
  XDG_DATA_HOME: '.local/share',
  XDG_STATE_HOME: '.local/state',
};

/** The environment path expansion sees: the real one, with HOME and the XDG base directories filled in. */
export function expansionEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  const home = env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir();
  out.HOME = home;
  for (const [name, rel] of Object.entries(XDG_DEFAULTS)) {
    const v = env[name];
    out[name] = v && isAbsolute(v) ? v : join(home, rel);
  }
  return out;
}

export type ExpandResult = { ok: true; value: string } | { ok: false; reason: string; hint: string };

/**
 * The variables a repo overlay's paths may use. Any other host variable would put its value into a mount path,
 * which ends up in podman's argv and in the sandbox's /proc/self/mountinfo: an overlay writing
 * `host = "/tmp/$GITHUB_TOKEN"` would hand the token to the agent without ever naming it as a secret.
 */
export const OVERLAY_VARIABLES: ReadonlySet<string> = new Set(['HOME', ...Object.keys(XDG_DEFAULTS)]);

/**
 * Expands `~`, `$VAR`, `${VAR}` in one string (no resolution against a directory). With `allowed`, only
 * those variable names may be used.
 */
export function expandString(
  input: string,
  env: Record<string, string | undefined>,
  allowed?: ReadonlySet<string>,
): ExpandResult {
  let s = input;
  if (s === '~' || s.startsWith('~/')) s = env.HOME + s.slice(1);
  else if (s.startsWith('~')) {
    return {
      ok: false,
      reason: `"~user" paths are not supported (${quoteText(input)})`,
      hint: 'write the full path, or use ~/ for your own home',
    };
  }
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    if (s[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    if (s[i + 1] === '{') {
      const end = s.indexOf('}', i + 2);
      if (end === -1) {
        return {
          ok: false,
          reason: `unclosed "\${" in ${quoteText(input)}`,
          hint: 'write ${NAME} (or $$ for a literal $)',
        };
      }
      name = s.slice(i + 2, end);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        return {
          ok: false,
          reason: `invalid variable name ${quoteText(`\${${name}}`, 64)} in ${quoteText(input)}`,
          hint: 'write ${NAME} (or $$ for a literal $)',
        };
      }
      i = end;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1));
      if (!m) {
        out += '$';
        continue;
      }
      name = m[0];
      i += name.length;
    }
    if (allowed && !allowed.has(name)) {
      return {
        ok: false,
        reason: `a repo overlay may use only ~, $HOME and the XDG base directories in paths, not $${name} (${quoteText(input)})`,
        hint: 'write the path without it: host variables stay out of what a repository decides',
      };
    }
    const value = env[name];
    if (value === undefined) {
      return {
        ok: false,
        reason: `undefined variable $${name} in ${quoteText(input)}`,
        hint: `set ${name} in the environment, or write the path without it ($$ is a literal $)`,
      };
    }
    out += value;
  }
  return { ok: true, value: out };
}

function matches(
  pattern: readonly string[],
  raw: unknown,
  visit: (path: PathSegment[], value: string) => void,
) {
  const walk = (node: unknown, depth: number, path: PathSegment[]) => {
    if (depth === pattern.length) {
      if (typeof node === 'string') visit(path, node);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const seg = pattern[depth]!;
    if (Array.isArray(node)) {
      const indexes = seg === '*' ? node.map((_, i) => i) : /^\d+$/.test(seg) ? [Number(seg)] : [];
      for (const i of indexes) if (i < node.length) walk(node[i], depth + 1, [...path, i]);
    } else if (seg !== '*' && seg in node) {
      walk((node as Record<string, unknown>)[seg], depth + 1, [...path, seg]);
    }
  };
  walk(raw, 0, []);
}

function setAt(root: unknown, path: readonly PathSegment[], value: string): void {
  let node = root as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
}

/**
 * Returns a copy of a parsed (and schema-checked) file with every host path expanded and absolute.
 * `baseDir` is the directory relative paths resolve against; null means relative paths are an error
 * (used for the built-in defaults, which are always absolute after expansion).
 */
export function expandPaths(
  file: SourceFile,
  env: Record<string, string | undefined>,
  baseDir: string | null,
  allowed?: ReadonlySet<string>,
): Record<string, unknown> {
  const copy = structuredClone(file.raw);
  const fail = (path: PathSegment[], reason: string, hint: string) =>
    errorAt(file.path, file.positions.locate(path), path, reason, hint);

  for (const pattern of PATH_FIELDS) {
    matches(pattern, copy, (path, value) => {
      const r = expandString(value, env, allowed);
      if (!r.ok) throw fail(path, r.reason, r.hint);
      if (isAbsolute(r.value)) setAt(copy, path, normalize(r.value));
      else if (baseDir !== null) setAt(copy, path, resolve(baseDir, r.value));
      else
        throw fail(
          path,
          `${quoteText(value)} is not an absolute path`,
          'built-in defaults must expand to absolute paths',
        );
    });
  }
  for (const pattern of PROGRAM_FIELDS) {
    matches(pattern, copy, (path, value) => {
      const r = expandString(value, env, allowed);
      if (!r.ok) throw fail(path, r.reason, r.hint);
      if (!isAbsolute(r.value)) {
        throw fail(
          path,
          `the program must be an absolute path, got ${quoteText(r.value)}`,
          'write the full path of the program (for example /usr/bin/pass), or start it with ~/ or $HOME/',
        );
      }
      setAt(copy, path, normalize(r.value));
    });
  }
  return copy;
}
