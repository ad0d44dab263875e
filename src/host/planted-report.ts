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
  return readWhatItRuns(root, home).text;
}

/** whatItRuns, and whether it found anything git would run (or could not tell: then it says so, as if it had). */
function readWhatItRuns(root: string, home: string): { text: string; runs: boolean } {
  const layout = readRepoLayout(root, home);
  if (!layout) return { text: 'not readable as a repository (git may still take it for one)', runs: true };
  if (layout.marker === 'symlink')
    return { text: 'not read (its .git is a symbolic link): treat it as hostile', runs: true };
  const size = lstatOrNull(join(layout.commonDir, 'config'))?.size ?? 0;
  if (size > MAX_CONFIG)
    return { text: `its config is ${size} bytes, too large to read: treat it as hostile`, runs: true };
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
  return parts.length > 0
    ? { text: parts.join('; '), runs: true }
    : { text: 'no executable config keys or hooks found', runs: false };
}

/**
 * One line of the report. `runs`: something a program on the host runs or loads (a repository with a hook or an
 * executable key, or one not read; settings; a link out of the workspace or to a repository; what the check
 * could not see): said first and never dropped for the others. The rest (a plain `git init`, a link inside the
 * work tree) comes after, cut with a count.
 */
export interface PlantedLine {
  line: string;
  runs: boolean;
}

/** Repositories read for the report; past it a new one is said without being read, as hostile. */
const MAX_READ_REPOS = 64;

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
): PlantedLine[] {
  const out: PlantedLine[] = [];
  let read = 0;
  for (const now of after) {
    const was = before.find((b) => b.root === now.root);
    for (const [path, f] of now.repos) {
      if (!changed(was?.repos.get(path), f)) continue;
      const root = f.what === 'bare' ? path : dirname(path);
      if (skip.has(root) || skip.has(path)) continue;
      const what =
        f.what === 'bare' ? 'a bare git repository' : `a git repository (its .git is ${kindText(f)})`;
      // past a bound a repository is not read (a planted thousand cost nothing), and so taken for hostile
      if (read >= MAX_READ_REPOS) {
        out.push({
          line: `${what} appeared at ${displayPath(root)} (not read, past the first ${MAX_READ_REPOS}: treat it as hostile)`,
          runs: true,
        });
        continue;
      }
      read++;
      const runs = readWhatItRuns(root, home);
      out.push({
        line: `${what} appeared at ${displayPath(root)}: git run there (a shell prompt, an editor, \`git status\`) runs its config and hooks — ${runs.text}`,
        runs: runs.runs,
      });
    }
    for (const [path, f] of now.hostRun) {
      if (!changed(was?.hostRun.get(path), f) || skip.has(path) || typeof f.what === 'string') continue;
      out.push({
        line: `${displayPath(path)} appeared (${kindText(f)}; ${f.what.what}): a program on your host opened or run in ${displayPath(dirname(path))} loads it`,
        runs: true,
      });
    }
    out.push(...linkLines(was, now));
    const unreadable = now.unreadable.filter((d) => !was?.unreadable.includes(d));
    if (unreadable.length > 0)
      out.push({
        line: `could not read ${unreadable.length === 1 ? 'a directory' : `${unreadable.length} directories`} the run made unreadable, so what is inside was not looked for (git and editors on your host still reach it by its path): ${unreadable.slice(0, 10).map(displayPath).join(', ')}${unreadable.length > 10 ? `, and ${unreadable.length - 10} more` : ''}`,
        runs: true,
      });
    if (now.truncated)
      out.push({
        line: `${displayPath(now.root)}: ${cutText(now)}; repositories or settings planted beyond it were not looked for`,
        runs: true,
      });
  }
  return out;
}

/** Which bound cut a scan, in words. */
export function cutText(scan: WorkspaceScan): string {
  return scan.cutBy === 'depth'
    ? `the check stopped at ${MAX_SCAN_DEPTH} directories deep`
    : `the check stopped after reading ${MAX_SCAN_DIRS} directories`;
}

/**
 * New symbolic links that resolve (on the host) to a directory: `cd link && git status` runs the config and
 * hooks of whatever repository lies behind it, outside the work tree (the agent's home, read from
 * /proc/self/mountinfo), in node_modules or deep where the scan does not look. Only stat, nothing run. One out
 * of the work tree, into node_modules or to a repository counts as `runs`; one inside the work tree does not.
 */
function linkLines(was: WorkspaceScan | undefined, now: WorkspaceScan): PlantedLine[] {
  const out: PlantedLine[] = [];
  for (const [path, target] of now.links) {
    if (was?.links.get(path) === target) continue;
    let real: string;
    try {
      real = realpathSync(path);
      if (!statSync(real).isDirectory()) continue;
    } catch {
      continue;
    }
    const outside = !isWithin(real, now.root);
    const modules = real.split(sep).includes('node_modules');
    const where = outside ? 'outside the workspace' : modules ? 'into node_modules' : 'inside the workspace';
    const isRepo = lstatOrNull(join(real, '.git')) !== null;
    out.push({
      line: `a symbolic link to a directory appeared at ${displayPath(path)} -> ${shown(target)} (${where}${isRepo ? '; a git repository is there' : ''}): \`cd\` into it and git, direnv or an agent there run what lies behind it`,
      runs: outside || modules || isRepo,
    });
  }
  return out;
}

/** Lines the report shows of what runs (then counted), and of the rest. */
const MAX_RUNS_LINES = 200;
const MAX_OTHER_LINES = 20;

/**
 * The loud report after a run, or nothing: what the host runs first, in the scan's order, then the rest; each
 * part cut at its bound with a count, so a flood of harmless new repositories or links never hides one that runs.
 */
export function plantedReport(lines: readonly PlantedLine[]): string {
  if (lines.length === 0) return '';
  const runs = lines.filter((l) => l.runs).map((l) => l.line);
  const rest = lines.filter((l) => !l.runs).map((l) => l.line);
  const shownRuns = runs.slice(0, MAX_RUNS_LINES);
  const shownRest = rest.slice(0, MAX_OTHER_LINES);
  return [
    'ags: WARNING: this run left files that programs on your host run or load:',
    ...shownRuns.map((l) => `ags:   ${l}`),
    ...(runs.length > shownRuns.length
      ? [`ags:   ... and ${runs.length - shownRuns.length} more that run or load something`]
      : []),
    ...shownRest.map((l) => `ags:   ${l}`),
    ...(rest.length > shownRest.length
      ? [
          `ags:   ... and ${rest.length - shownRest.length} more (repositories with no hooks or executable keys, links inside the workspace)`,
        ]
      : []),
    'ags: review them before you run git, an agent or an editor there (or delete them)',
  ]
    .map((l) => `${l}\n`)
    .join('');
}
