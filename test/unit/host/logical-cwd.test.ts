import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { symlinkEscape } from '../../../src/host/logical-cwd.js';

let tmp: string;

function repoAt(path: string): string {
  mkdirSync(path, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: path, stdio: 'pipe' });
  return path;
}

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-lcwd-')));
});

afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('a current directory reached through a symlink', () => {
  it('finds a symlink inside a repository that leads out of it (ln -s ~/secret src)', () => {
    const repo = repoAt(join(tmp, 'repo'));
    mkdirSync(join(tmp, 'secret'));
    symlinkSync(join(tmp, 'secret'), join(repo, 'src'));
    const pwd = join(repo, 'src');
    expect(symlinkEscape({ PWD: pwd }, join(tmp, 'secret'), [])).toEqual({ link: pwd, repo });
    mkdirSync(join(tmp, 'secret', 'deeper'));
    expect(symlinkEscape({ PWD: join(pwd, 'deeper') }, join(tmp, 'secret', 'deeper'), [])).toEqual({
      link: pwd,
      repo,
    });
  });

  it('finds one leading into another repository as well', () => {
    const repo = repoAt(join(tmp, 'repo'));
    const other = repoAt(join(tmp, 'other'));
    symlinkSync(other, join(repo, 'vendor'));
    expect(symlinkEscape({ PWD: join(repo, 'vendor') }, other, [])?.repo).toBe(repo);
  });

  it('passes a symlink that stays inside its repository, one outside any, and one in a home-top repo', () => {
    const repo = repoAt(join(tmp, 'repo'));
    mkdirSync(join(repo, 'real'));
    symlinkSync(join(repo, 'real'), join(repo, 'alias'));
    expect(symlinkEscape({ PWD: join(repo, 'alias') }, join(repo, 'real'), [])).toBeNull();
    mkdirSync(join(tmp, 'plain'));
    symlinkSync(repo, join(tmp, 'plain', 'to-repo'));
    expect(symlinkEscape({ PWD: join(tmp, 'plain', 'to-repo') }, repo, [])).toBeNull();
    symlinkSync(join(tmp, 'plain'), join(repo, 'out'));
    expect(symlinkEscape({ PWD: join(repo, 'out') }, join(tmp, 'plain'), [repo])).toBeNull();
  });

  it('ignores a $PWD that does not name the current directory, or is missing or relative', () => {
    const repo = repoAt(join(tmp, 'repo'));
    mkdirSync(join(tmp, 'secret'));
    symlinkSync(join(tmp, 'secret'), join(repo, 'src'));
    expect(symlinkEscape({ PWD: join(repo, 'src') }, repo, [])).toBeNull();
    expect(symlinkEscape({}, join(tmp, 'secret'), [])).toBeNull();
    expect(symlinkEscape({ PWD: 'repo/src' }, join(tmp, 'secret'), [])).toBeNull();
  });
});
