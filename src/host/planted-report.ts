import { readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { displayPath, isWithin } from '../util/paths.js';
import { escapeText } from '../util/terminal-text.js';
import { isExecutableKey } from './git-config-parse.js';
import { lstatOrNull, readRepoLayout } from './git-layout.js';
import { type Found, MAX_SCAN_DEPTH, MAX_SCAN_DIRS, type WorkspaceScan } from './workspace-scan.js';

/**
 * What appeared in the work tree during the run that a program on the host would run or load, said after the
 * run: nested repositories (with the executable keys and hooks found in them, read without running git) and
 * host-run files in subdirectories (workspace-scan.ts). Nothing is removed: the agent may have been asked to
 * `git init` a project; the user decides, told where to look. Every path and value escaped and bounded.
 */

/** Config files git would not read whole are not parsed: the repository is said to be unreadable. */
const MAX_CONFIG = 1024 * 1024;
const MAX_SHOWN_KEYS = 8;
const MAX_SHOWN_HOOKS = 8;
/** Lines the report shows; the rest are counted. */
const MAX_LINES = 40;

const shown = (text: string) => escapeText(text, 120);

function kindText(f: Found): string {
  if (f.kind.startsWith('symlink:')) return `a symbolic link to ${shown(f.kind.slice('symlink:'.length))}`;
  return f.kind === 'dir' ? 'a directory' : f.kind === 'file' ? 'a file' : 'neither a file nor a directory';
}

function hookNames(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => !n.endsWith('.sample'))
      .sort();
  } catch {
    return [];
  }
}

/** What git would run for the repository at `root`: its executable keys and hooks, or why it cannot be read. */
export function whatItRuns(root: string, home: string): string {
  const layout = readRepoLayout(root, home);
  if (!layout) return 'not readable as a repository (git may still take it for one)';
  if (layout.marker === 'symlink') return 'not read (its .git is a symbolic link): treat it as hostile';
  const size = lstatOrNull(join(layout.commonDir, 'config'))?.size ?? 0;
  if (size > MAX_CONFIG) return `its config is ${size} bytes, too large to read: treat it as hostile`;
  const keys: string[] = [];
  for (const file of layout.config)
    for (const e of file.entries)
      if (isExecutableKey(e.key, e.value)) keys.push(`${e.key} = ${shown(e.value ?? '(true)')}`);
  const hooks = hookNames(layout.hooksDir);
  const parts: string[] = [];
  if (layout.marker === 'file') parts.push(`its .git names ${displayPath(layout.gitDir)}`);
  if (keys.length > 0)
    parts.push(
      `executable config: ${keys.slice(0, MAX_SHOWN_KEYS).join('; ')}${keys.length > MAX_SHOWN_KEYS ? `; and ${keys.length - MAX_SHOWN_KEYS} more` : ''}`,
    );
  if (hooks.length > 0)
    parts.push(
      `hooks: ${hooks.slice(0, MAX_SHOWN_HOOKS).map(shown).join(', ')}${hooks.length > MAX_SHOWN_HOOKS ? `, and ${hooks.length - MAX_SHOWN_HOOKS} more` : ''}`,
    );
  return parts.length > 0 ? parts.join('; ') : 'no executable config keys or hooks found';
}

const changed = (was: Found | undefined, now: Found) => was === undefined || was.kind !== now.kind;

/**
 * The report lines for what appeared between the start and end scans of the same roots. `skip` holds paths
 * said elsewhere (repositories the git report covers, placeholders ags itself made).
 */
export function plantedLines(
  before: readonly WorkspaceScan[],
  after: readonly WorkspaceScan[],
  home: string,
  skip: ReadonlySet<string>,
): string[] {
  const lines: string[] = [];
  for (const now of after) {
    const was = before.find((b) => b.root === now.root);
    for (const [path, f] of now.repos) {
      if (!changed(was?.repos.get(path), f)) continue;
      const root = f.what === 'bare' ? path : dirname(path);
      if (skip.has(root) || skip.has(path)) continue;
      const what =
        f.what === 'bare' ? 'a bare git repository' : `a git repository (its .git is ${kindText(f)})`;
      // past what the report shows, a repository is counted, not read (a planted thousand cost nothing)
      if (lines.length >= MAX_LINES) {
        lines.push(`${what} appeared at ${displayPath(root)}`);
        continue;
      }
      lines.push(
        `${what} appeared at ${displayPath(root)}: git run there (a shell prompt, an editor, \`git status\`) runs its config and hooks — ${whatItRuns(root, home)}`,
      );
    }
    for (const [path, f] of now.hostRun) {
      if (!changed(was?.hostRun.get(path), f) || skip.has(path) || typeof f.what === 'string') continue;
      lines.push(
        `${displayPath(path)} appeared (${kindText(f)}; ${f.what.what}): a program on your host opened or run in ${displayPath(dirname(path))} loads it`,
      );
    }
    lines.push(...linkLines(was, now));
    const unreadable = now.unreadable.filter((d) => !was?.unreadable.includes(d));
    if (unreadable.length > 0)
      lines.push(
        `could not read ${unreadable.length === 1 ? 'a directory' : `${unreadable.length} directories`} the run made unreadable, so what is inside was not looked for (git and editors on your host still reach it by its path): ${unreadable.slice(0, 10).map(displayPath).join(', ')}${unreadable.length > 10 ? `, and ${unreadable.length - 10} more` : ''}`,
      );
    if (now.truncated)
      lines.push(
        `${displayPath(now.root)}: ${cutText(now)}; repositories or settings planted beyond it were not looked for`,
      );
  }
  return lines;
}

/** Which bound cut a scan, in words. */
export function cutText(scan: WorkspaceScan): string {
  return scan.cutBy === 'depth'
    ? `the check stopped at ${MAX_SCAN_DEPTH} directories deep`
    : `the check stopped after reading ${MAX_SCAN_DIRS} directories`;
}

/** Links shown; the rest counted in one line. */
const MAX_SHOWN_LINKS = 10;

/**
 * New symbolic links that resolve (on the host) to a directory: `cd link && git status` runs the config and
 * hooks of whatever repository lies behind it, outside the work tree (the agent's home, read from
 * /proc/self/mountinfo), in node_modules or deep where the scan does not look. Only stat, nothing run.
 */
function linkLines(was: WorkspaceScan | undefined, now: WorkspaceScan): string[] {
  const lines: string[] = [];
  let more = 0;
  for (const [path, target] of now.links) {
    if (was?.links.get(path) === target) continue;
    let real: string;
    try {
      real = realpathSync(path);
      if (!statSync(real).isDirectory()) continue;
    } catch {
      continue;
    }
    if (lines.length >= MAX_SHOWN_LINKS) {
      more++;
      continue;
    }
    const where = !isWithin(real, now.root)
      ? 'outside the workspace'
      : real.split(sep).includes('node_modules')
        ? 'into node_modules'
        : 'inside the workspace';
    const repo = lstatOrNull(join(real, '.git')) !== null ? '; a git repository is there' : '';
    lines.push(
      `a symbolic link to a directory appeared at ${displayPath(path)} -> ${shown(target)} (${where}${repo}): \`cd\` into it and git, direnv or an agent there run what lies behind it`,
    );
  }
  if (more > 0) lines.push(`and ${more} more symbolic links to directories appeared`);
  return lines;
}

/** The loud report after a run, or nothing. */
export function plantedReport(lines: readonly string[]): string {
  if (lines.length === 0) return '';
  const shownLines = lines.slice(0, MAX_LINES);
  return [
    'ags: WARNING: this run left files that programs on your host run or load:',
    ...shownLines.map((l) => `ags:   ${l}`),
    ...(lines.length > shownLines.length ? [`ags:   ... and ${lines.length - shownLines.length} more`] : []),
    'ags: review them before you run git, an agent or an editor there (or delete them)',
  ]
    .map((l) => `${l}\n`)
    .join('');
}
