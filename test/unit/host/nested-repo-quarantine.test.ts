import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotGitExec } from '../../../src/host/git-exec-keys.js';
import {
  nestedMarkers,
  quarantineNewRepos,
  quarantineReport,
  snapshotMarkers,
} from '../../../src/host/nested-repo-quarantine.js';
import { scanWorkspace } from '../../../src/host/workspace-scan.js';

let tmp: string;
let repo: string;
beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-quarantine-')));
  repo = join(tmp, 'repo');
  execaSync('git', ['init', '-q', repo]);
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) =>
  execaSync('git', ['-C', cwd, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);

/** A run: the marker snapshot before, `act` as the agent, then what the end of the run moves aside. */
function runAround(act: () => void, lockdown: boolean) {
  const markers = () => nestedMarkers([scanWorkspace(repo)], snapshotGitExec([repo], tmp));
  const before = snapshotMarkers(markers(), tmp);
  act();
  return quarantineNewRepos(before, markers(), [repo], tmp, lockdown);
}

const names = (dir: string) => readdirSync(dir).sort();

describe('nested repositories that appear during a run', () => {
  it('lockdown: every new one is moved aside, its HEAD too, and said', () => {
    const q = runAround(() => {
      execaSync('git', ['init', '-q', join(repo, 'plain')]);
      execaSync('git', ['init', '-q', '--bare', join(repo, 'vendor', 'b.git')]);
      mkdirSync(join(repo, 'gf'));
      writeFileSync(join(repo, 'gf', '.git'), 'gitdir: ../.git/worktrees/x\n');
    }, true);
    expect(q.roots.sort()).toEqual([join(repo, 'gf'), join(repo, 'plain'), join(repo, 'vendor', 'b.git')]);
    const moved = names(join(repo, 'plain')).find((n) => n.startsWith('.git.ags-quarantined-'))!;
    expect(moved).toMatch(/^\.git\.ags-quarantined-[0-9a-f]{8}$/);
    expect(existsSync(join(repo, 'plain', '.git'))).toBe(false);
    expect(names(join(repo, 'plain', moved))).toContain('HEAD.ags-quarantined');
    expect(names(join(repo, 'plain', moved))).not.toContain('HEAD');
    expect(names(join(repo, 'vendor'))[0]).toMatch(/^b\.git\.ags-quarantined-[0-9a-f]{8}$/);
    expect(existsSync(join(repo, 'gf', '.git'))).toBe(false);
    expect(q.lines).toHaveLength(3);
    expect(q.lines.join('\n')).toMatch(
      /moved \S*\/gf\/\.git to \S*\/gf\/\.git\.ags-quarantined-\w+ — its \.git names/,
    );
    expect(quarantineReport(q.lines)).toMatch(/^ags: WARNING: this run created git repositories/);
  });

  it('outside lockdown: a plain `git init` stays; one with an executable key, a hook, a gitfile or a link goes', () => {
    const q = runAround(() => {
      execaSync('git', ['init', '-q', join(repo, 'plain')]);
      execaSync('git', ['init', '-q', join(repo, 'fsm')]);
      git(join(repo, 'fsm'), 'config', 'core.fsmonitor', 'touch /tmp/x');
      execaSync('git', ['init', '-q', join(repo, 'hook')]);
      writeFileSync(join(repo, 'hook', '.git', 'hooks', 'post-checkout'), '#!/bin/sh\n', { mode: 0o755 });
      mkdirSync(join(repo, 'gf'));
      writeFileSync(join(repo, 'gf', '.git'), 'gitdir: ../plain/.git\n');
      mkdirSync(join(repo, 'ln'));
      symlinkSync('../plain/.git', join(repo, 'ln', '.git'));
    }, false);
    expect(q.roots.sort()).toEqual(['fsm', 'gf', 'hook', 'ln'].map((d) => join(repo, d)));
    expect(existsSync(join(repo, 'plain', '.git', 'HEAD'))).toBe(true);
    expect(q.lines.join('\n')).toContain('core.fsmonitor = touch /tmp/x');
  });

  it('what was there before stays, also outside the scan (a gitlink in node_modules); what replaced it goes', () => {
    execaSync('git', ['init', '-q', join(repo, 'kept')]);
    git(join(repo, 'kept'), 'config', 'core.fsmonitor', 'the user set this');
    git(join(repo, 'kept'), 'commit', '-q', '--allow-empty', '-m', 'k');
    git(repo, 'add', 'kept');
    expect(runAround(() => undefined, true).lines).toEqual([]);
    const q = runAround(() => {
      rmSync(join(repo, 'kept', '.git'), { recursive: true });
      execaSync('git', ['init', '-q', join(repo, 'kept')]);
      // the scan does not enter node_modules; the gitlink in the index leads there
      const dep = join(repo, 'node_modules', 'dep');
      execaSync('git', ['init', '-q', dep]);
      git(dep, 'commit', '-q', '--allow-empty', '-m', 'd');
      git(dep, 'config', 'core.fsmonitor', 'evil');
      git(repo, 'add', '-f', 'node_modules/dep');
    }, false);
    expect(q.roots.sort()).toEqual([join(repo, 'node_modules', 'dep')]);
    const l = runAround(() => {
      rmSync(join(repo, 'kept', '.git'), { recursive: true });
      execaSync('git', ['init', '-q', join(repo, 'kept')]);
    }, true);
    expect(l.roots).toEqual([join(repo, 'kept')]);
  });

  it('a config changed in place in an existing nested repository counts as new', () => {
    execaSync('git', ['init', '-q', join(repo, 'sub')]);
    const q = runAround(() => git(join(repo, 'sub'), 'config', 'core.pager', 'evil'), false);
    expect(q.roots).toEqual([join(repo, 'sub')]);
  });

  it('is quiet when nothing appeared', () => {
    expect(runAround(() => undefined, true)).toEqual({ lines: [], roots: [] });
    expect(quarantineReport([])).toBe('');
  });
});
