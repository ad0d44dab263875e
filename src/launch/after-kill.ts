import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanGitDirsOfKilledRun } from '../host/killed-run-git-dirs.js';
import { quarantineOfKilledRun } from '../host/killed-run-nested-repos.js';
import { removeStaleSessions } from '../session/session-dir.js';
import { PACKAGE_ROOT } from '../util/package-root.js';

/**
 * A run whose ags process is killed outright (SIGKILL, the OOM killer) runs none of its own teardown. Its reaper
 * (runtime/podman/reaper.ts) removes the container the moment ags is gone and then runs this: the killed run's
 * session dir (the secrets file with it) and helpers go, the nested repositories that appeared in the run are
 * moved aside and the links planted in its git dirs removed, at once rather than at the next start in that
 * repository, when a host `git` in between would already have run them. What it did is kept for the next start
 * to say, since nobody is there to read it now.
 */
const REPORTS = 'killed-run-reports';
const MAX_REPORT_BYTES = 256 * 1024;

/** The argv the reaper runs after removing the container of this ags process's run. */
export function afterKillCommand(runtimeDir: string): string[] {
  return [
    process.execPath,
    join(PACKAGE_ROOT, 'bin', 'ags.js'),
    '__after-kill',
    String(process.pid),
    runtimeDir,
  ];
}

/** The reaper's after-kill work for the run of ags process `pid`; its report waits in the runtime dir. */
export function finishKilledRun(runtimeDir: string, pid: number, home: string): string[] {
  removeStaleSessions(runtimeDir);
  const lines = [
    ...quarantineOfKilledRun(runtimeDir, pid, home),
    ...cleanGitDirsOfKilledRun(runtimeDir, pid),
  ];
  if (lines.length > 0) {
    mkdirSync(join(runtimeDir, REPORTS), { recursive: true, mode: 0o700 });
    writeFileSync(join(runtimeDir, REPORTS, `${pid}.txt`), lines.map((l) => `${l}\n`).join(''), {
      mode: 0o600,
    });
  }
  return lines;
}

/** What the reapers of killed runs did, once: the lines are removed as they are read. */
export function takeKilledRunReports(runtimeDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(runtimeDir, REPORTS));
  } catch {
    return [];
  }
  const lines: string[] = [];
  for (const name of names.filter((n) => /^\d+\.txt$/.test(n)).sort()) {
    const file = join(runtimeDir, REPORTS, name);
    try {
      const text = readFileSync(file, 'utf8');
      if (text.length <= MAX_REPORT_BYTES) lines.push(...text.split('\n').filter(Boolean));
    } catch {
      /* gone or unreadable: nothing to say */
    }
    rmSync(file, { force: true });
  }
  return lines;
}
