import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProcessIdentity, hasEnded, identityOf } from '../session/process-identity.js';
import { snapshotGitExec } from './git-exec-keys.js';
import { type MarkerSnapshot, nestedMarkers, quarantineNewRepos } from './nested-repo-quarantine.js';
import { scanWorkspace } from './workspace-scan.js';

/**
 * A run moves aside the nested repositories that appeared in its `finally` (nested-repo-quarantine.ts); a run
 * killed with SIGKILL never gets there, and the next start would take what it left for the user's own. So each
 * run records its markers as they were before the sandbox started (in the runtime dir, never where the sandbox
 * can write), and the next start in the same workspace, before its own scan, finishes the job for a run whose
 * ags process is gone, with that run's rule (lockdown or not).
 */
interface Record {
  owner: ProcessIdentity;
  roots: string[];
  lockdown: boolean;
  markers: [string, string | null, boolean][];
}

const MAX_RECORD_BYTES = 8 * 1024 * 1024;
const DIR = 'nested-baselines';

/** Records this run's markers before its sandbox starts; returns the record's path. */
export function recordNestedBaseline(
  runtimeDir: string,
  roots: readonly string[],
  before: MarkerSnapshot,
  lockdown: boolean,
): string | null {
  const owner = identityOf(process.pid);
  if (!owner) return null;
  mkdirSync(join(runtimeDir, DIR), { recursive: true, mode: 0o700 });
  const file = join(runtimeDir, DIR, `${process.pid}.json`);
  const record: Record = {
    owner,
    roots: [...roots],
    lockdown,
    markers: [...before].map(([path, m]) => [path, m.id, m.digested]),
  };
  writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return file;
}

function readRecord(file: string): Record | null {
  try {
    const text = readFileSync(file, 'utf8');
    if (text.length > MAX_RECORD_BYTES) return null;
    const r = JSON.parse(text) as Partial<Record>;
    const ok =
      typeof r.owner === 'string' &&
      typeof r.lockdown === 'boolean' &&
      Array.isArray(r.roots) &&
      r.roots.every((x) => typeof x === 'string') &&
      Array.isArray(r.markers) &&
      r.markers.every(
        (m) =>
          Array.isArray(m) &&
          typeof m[0] === 'string' &&
          (typeof m[1] === 'string' || m[1] === null) &&
          typeof m[2] === 'boolean',
      );
    return ok ? (r as Record) : null;
  } catch {
    return null;
  }
}

/**
 * For every recorded run whose ags process has ended and which shares a root with `rootsNow` (this start's
 * workspace and -d dirs, real paths): moves aside what appeared in its roots since its record, and returns the
 * report lines.
 */
export function quarantineOfKilledRuns(
  runtimeDir: string,
  rootsNow: readonly string[],
  home: string,
): string[] {
  let names: string[];
  try {
    names = readdirSync(join(runtimeDir, DIR));
  } catch {
    return [];
  }
  const lines: string[] = [];
  for (const name of names) {
    if (!/^\d+\.json$/.test(name)) continue;
    const file = join(runtimeDir, DIR, name);
    const record = readRecord(file);
    if (!record) {
      rmSync(file, { force: true });
      continue;
    }
    if (!hasEnded(record.owner) || !record.roots.some((r) => rootsNow.includes(r))) continue;
    lines.push(...quarantineRecorded(file, record, home));
  }
  return lines;
}

/**
 * The same for the one run of ags process `pid`, over its own recorded roots, once that process has ended (the
 * reaper's after-kill command, run as soon as the killed run's container is gone).
 */
export function quarantineOfKilledRun(runtimeDir: string, pid: number, home: string): string[] {
  const file = join(runtimeDir, DIR, `${pid}.json`);
  const record = readRecord(file);
  if (!record || !hasEnded(record.owner)) return [];
  return quarantineRecorded(file, record, home);
}

function quarantineRecorded(file: string, record: Record, home: string): string[] {
  const before: MarkerSnapshot = new Map(record.markers.map(([p, id, digested]) => [p, { id, digested }]));
  const now = nestedMarkers(record.roots.map(scanWorkspace), snapshotGitExec(record.roots, home));
  const lines = quarantineNewRepos(before, now, record.roots, home, record.lockdown).lines;
  rmSync(file, { force: true });
  return lines;
}

/** Drops this run's record once its own quarantine has run. */
export function dropNestedBaseline(file: string | null): void {
  if (file) rmSync(file, { force: true });
}
