import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanGitDirs } from '../../../src/host/git-dir-links.js';
import { cleanGitDirsOfKilledRuns, recordGitBaseline } from '../../../src/host/killed-run-git-dirs.js';
import { identityOf } from '../../../src/session/process-identity.js';

const exists = (p: string) => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

describe('the cleanup a killed run never did (finding B4)', () => {
  let dir: string;
  let runtime: string;
  let git: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ags-killed-'));
    runtime = join(dir, 'run');
    git = join(dir, 'repo', '.git');
    mkdirSync(runtime, { mode: 0o700 });
    mkdirSync(join(git, 'logs'), { recursive: true });
    symlinkSync('/users/own/hooks', join(git, 'hooks'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Records a baseline as this process, then rewrites its owner as a process that has ended. */
  const recordAsKilled = () => {
    const file = recordGitBaseline(runtime, [git], scanGitDirs([git]))!;
    const me = identityOf(process.pid)!;
    const [pid, start, ...rest] = me.split(':');
    const text = JSON.stringify({
      ...JSON.parse(readFileSync(file, 'utf8')),
      owner: [pid, String(Number(start) + 1), ...rest].join(':'),
    });
    writeFileSync(file, text);
    return file;
  };

  it('removes what appeared since the record, keeps the user own links, and drops the record', () => {
    recordAsKilled();
    symlinkSync('/home/u/.bashrc', join(git, 'logs', 'HEAD'));
    const lines = cleanGitDirsOfKilledRuns(runtime, [git]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^removed a symbolic link to \/home\/u\/\.bashrc planted at .*logs\/HEAD/);
    expect(exists(join(git, 'logs', 'HEAD'))).toBe(false);
    expect(exists(join(git, 'hooks'))).toBe(true);
    expect(readdirSync(join(runtime, 'git-baselines'))).toEqual([]);
  });

  it('leaves the record of a live run, and of a run in another repository, alone', () => {
    recordGitBaseline(runtime, [git], scanGitDirs([git]));
    symlinkSync('/home/u/.bashrc', join(git, 'logs', 'HEAD'));
    expect(cleanGitDirsOfKilledRuns(runtime, [git])).toEqual([]);
    expect(exists(join(git, 'logs', 'HEAD'))).toBe(true);
    rmSync(join(runtime, 'git-baselines'), { recursive: true });
    recordAsKilled();
    expect(cleanGitDirsOfKilledRuns(runtime, [join(dir, 'other', '.git')])).toEqual([]);
    expect(exists(join(git, 'logs', 'HEAD'))).toBe(true);
    expect(readdirSync(join(runtime, 'git-baselines'))).toHaveLength(1);
  });
});
