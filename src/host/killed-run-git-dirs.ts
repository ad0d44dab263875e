import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProcessIdentity, hasEnded, identityOf } from '../session/process-identity.js';
import { type GitDirEntries, removePlantedGitDirEntries, scanGitDirs } from './git-dir-links.js';

/**
 * A run removes the links the agent planted in `.git` in its `finally` (git-dir-links.ts); a run killed with
 * SIGKILL never gets there. So each run records what its git dirs held before the sandbox started (in the
 * runtime dir, never where the sandbox can write), and the next start of ags in the same repository finishes
 * the cleanup of a run whose ags process is gone: the same rule as after a run (only entries the record does
 * not list, a user's own links stay), over the git dirs that start found itself (findGitDirs: inside its
 * workspace, never through a commondir or anything the agent wrote). The record goes with the runtime dir at
 * reboot, like the rest of a killed run's leftovers.
 */
interface Baseline {
  owner: ProcessIdentity;
  dirs: string[];
  odd: string[];
  inProgress: string[];
}

const MAX_RECORD_BYTES = 4 * 1024 * 1024;
const DIR = 'git-baselines';

function recordPath(runtimeDir: string, pid: number): string {
  return join(runtimeDir, DIR, `${pid}.json`);
}

/** Records this run's git dirs and what they held before its sandbox starts; returns the record's path. */
export function recordGitBaseline(
  runtimeDir: string,
  dirs: readonly string[],
  before: GitDirEntries,
): string | null {
  const owner = identityOf(process.pid);
  if (!owner || dirs.length === 0) return null;
  const file = recordPath(runtimeDir, process.pid);
  mkdirSync(join(runtimeDir, DIR), { recursive: true, mode: 0o700 });
  const record: Baseline = {
    owner,
    dirs: [...dirs],
    odd: [...before.odd],
    inProgress: [...before.inProgress],
  };
  writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return file;
}

function readBaseline(file: string): Baseline | null {
  try {
    const text = readFileSync(file, 'utf8');
    if (text.length > MAX_RECORD_BYTES) return null;
    const r = JSON.parse(text) as Partial<Baseline>;
    const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (typeof r.owner !== 'string' || !strings(r.dirs) || !strings(r.odd) || !strings(r.inProgress))
      return null;
    return r as Baseline;
  } catch {
    return null;
  }
}

/**
 * For every recorded run whose ags process has ended: removes what appeared in those of its git dirs that are
 * among `dirsNow` (this start's own findGitDirs), and returns the report lines. A record stays until each of
 * its dirs has been cleaned by a start in that repository.
 */
export function cleanGitDirsOfKilledRuns(runtimeDir: string, dirsNow: readonly string[]): string[] {
  let names: string[];
  try {
    names = readdirSync(join(runtimeDir, DIR));
  } catch {
    return [];
  }
  const now = new Set(dirsNow);
  const lines: string[] = [];
  for (const name of names) {
    if (!/^\d+\.json$/.test(name)) continue;
    const file = join(runtimeDir, DIR, name);
    const record = readBaseline(file);
    if (!record) {
      rmSync(file, { force: true });
      continue;
    }
    if (!hasEnded(record.owner)) continue;
    const here = record.dirs.filter((d) => now.has(d));
    if (here.length === 0) continue;
    const before = { odd: new Set(record.odd), inProgress: new Set(record.inProgress), truncated: [] };
    lines.push(...removePlantedGitDirEntries(before, scanGitDirs(here)));
    const left = record.dirs.filter((d) => !now.has(d));
    if (left.length === 0) rmSync(file, { force: true });
    else writeFileSync(file, JSON.stringify({ ...record, dirs: left }), { mode: 0o600 });
  }
  return lines;
}

/**
 * The same for the one run of ags process `pid`, over all the git dirs it recorded (found by that run itself
 * before its sandbox started), once that process has ended: the reaper's after-kill command, run as soon as the
 * killed run's container is gone.
 */
export function cleanGitDirsOfKilledRun(runtimeDir: string, pid: number): string[] {
  const file = recordPath(runtimeDir, pid);
  const record = readBaseline(file);
  if (!record || !hasEnded(record.owner)) return [];
  const before = { odd: new Set(record.odd), inProgress: new Set(record.inProgress), truncated: [] };
  const lines = removePlantedGitDirEntries(before, scanGitDirs(record.dirs));
  rmSync(file, { force: true });
  return lines;
}

/** Drops this run's record once its own cleanup has run. */
export function dropGitBaseline(file: string | null): void {
  if (file) rmSync(file, { force: true });
}
