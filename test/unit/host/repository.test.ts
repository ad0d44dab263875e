import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { findRepoRoot } from '../../../src/config/locate.js';

let tmp: string;
let env: NodeJS.ProcessEnv;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'protocol.file.allow=always', ...args], { cwd, env, stdio: 'pipe' });

function repoAt(path: string): string {
  mkdirSync(path, { recursive: true });
  git(path, 'init', '-q');
  return path;
}

async function refusal(cwd: string, e: NodeJS.ProcessEnv = env): Promise<string> {
  const err = await findRepoRoot(cwd, e).then(
    () => null,
    (x: unknown) => x,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).message;
}

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-repo-')));
  env = {
    PATH: process.env.PATH,
    HOME: tmp,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@t',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@t',
  };
});

afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('finding the workspace without letting git config decide', () => {
  it('is the nearest directory holding .git, from a subdirectory too; null outside any repository', async () => {
    const repo = repoAt(join(tmp, 'repo'));
    mkdirSync(join(repo, 'a', 'b'), { recursive: true });
    expect(await findRepoRoot(join(repo, 'a', 'b'), env)).toBe(repo);
    mkdirSync(join(tmp, 'plain'));
    expect(await findRepoRoot(join(tmp, 'plain'), env)).toBeNull();
  });

  it('is the real path when the current directory is reached through a symlink', async () => {
    const repo = repoAt(join(tmp, 'repo'));
    symlinkSync(repo, join(tmp, 'link'));
    expect(await findRepoRoot(join(tmp, 'link'), env)).toBe(repo);
  });

  it.each([
    ['an absolute path elsewhere', (t: string) => join(t, 'elsewhere')],
    ['a relative path to the parent of all projects', () => '../..'],
  ])('refuses core.worktree set to %s', async (_what, value) => {
    mkdirSync(join(tmp, 'elsewhere'));
    const repo = repoAt(join(tmp, 'projects', 'repo'));
    git(repo, 'config', 'core.worktree', value(tmp));
    expect(await refusal(repo)).toMatch(
      /\.git\/config sets core\.worktree = .*: git would take the work tree of/,
    );
  });

  it('refuses core.worktree coming from an included file, and with odd spelling', async () => {
    const repo = repoAt(join(tmp, 'repo'));
    writeFileSync(join(tmp, 'inc.cfg'), '[core]\n\tworktree = /\n');
    git(repo, 'config', 'include.path', join(tmp, 'inc.cfg'));
    expect(await refusal(repo)).toMatch(/core\.worktree = \//);
    const other = repoAt(join(tmp, 'other'));
    writeFileSync(join(other, '.git', 'config'), '[CORE]\n  WorkTree = "/tmp"\n');
    expect(await refusal(other)).toMatch(/core\.worktree = \/tmp/);
  });

  it('accepts core.worktree that names the top level itself', async () => {
    const repo = repoAt(join(tmp, 'repo'));
    git(repo, 'config', 'core.worktree', '..');
    expect(await findRepoRoot(repo, env)).toBe(repo);
  });

  it('refuses a config naming core.worktree that git itself cannot read, or a config that is no file', async () => {
    const repo = repoAt(join(tmp, 'repo'));
    writeFileSync(join(repo, '.git', 'config'), '[core\n\tworktree = /x\n');
    expect(await refusal(repo)).toMatch(
      /^cannot check the repository config .*\.git\/config: bad config line 1/,
    );
    rmSync(join(repo, '.git', 'config'));
    execFileSync('mkfifo', [join(repo, '.git', 'config')]);
    expect(await refusal(repo)).toMatch(/\.git\/config is not a regular file/);
  });

  it('accepts a submodule, a linked worktree and a separate git dir, whose git directories point back', async () => {
    const lib = repoAt(join(tmp, 'lib'));
    git(lib, 'commit', '-q', '--allow-empty', '-m', 'x');
    const sup = repoAt(join(tmp, 'super'));
    git(sup, 'submodule', 'add', '-q', lib, 'sub');
    expect(await findRepoRoot(join(sup, 'sub'), env)).toBe(join(sup, 'sub'));

    git(lib, 'worktree', 'add', '-q', join(tmp, 'wt'));
    expect(await findRepoRoot(join(tmp, 'wt'), env)).toBe(join(tmp, 'wt'));

    git(tmp, 'init', '-q', `--separate-git-dir=${join(tmp, 'sep.git')}`, join(tmp, 'sep'));
    expect(await findRepoRoot(join(tmp, 'sep'), env)).toBe(join(tmp, 'sep'));
  });

  it("refuses a .git file naming another worktree's git directory, or no git directory at all", async () => {
    const lib = repoAt(join(tmp, 'lib'));
    git(lib, 'commit', '-q', '--allow-empty', '-m', 'x');
    git(lib, 'worktree', 'add', '-q', join(tmp, 'wt'));
    mkdirSync(join(tmp, 'impostor'));
    writeFileSync(join(tmp, 'impostor', '.git'), `gitdir: ${join(lib, '.git', 'worktrees', 'wt')}\n`);
    expect(await refusal(join(tmp, 'impostor'))).toMatch(/the git directory of another worktree/);

    mkdirSync(join(tmp, 'ssh'));
    mkdirSync(join(tmp, 'fake'));
    writeFileSync(join(tmp, 'fake', '.git'), `gitdir: ${join(tmp, 'ssh')}\n`);
    expect(await refusal(join(tmp, 'fake'))).toMatch(/points at .*\/ssh, which is not a git directory/);
    writeFileSync(join(tmp, 'fake', '.git'), 'nonsense');
    expect(await refusal(join(tmp, 'fake'))).toMatch(/is not a valid \.git file/);
  });

  it('refuses a .git that is a symbolic link', async () => {
    const real = repoAt(join(tmp, 'real'));
    mkdirSync(join(tmp, 'linked'));
    symlinkSync(join(real, '.git'), join(tmp, 'linked', '.git'));
    expect(await refusal(join(tmp, 'linked'))).toMatch(/\.git is a symbolic link/);
  });

  it('does not wait on a pipe planted where git keeps a small file', async () => {
    const repo = repoAt(join(tmp, 'repo'));
    execFileSync('mkfifo', [join(repo, '.git', 'commondir')]);
    expect(await findRepoRoot(repo, env)).toBe(repo);
  });

  it('stops at a .git that is no repository instead of walking on to the repository above (a swapped .git)', async () => {
    const parent = repoAt(join(tmp, 'projects'));
    const project = repoAt(join(parent, 'project'));
    renameSync(join(project, '.git'), join(project, '.git-old'));
    mkdirSync(join(project, '.git'));
    mkdirSync(join(project, 'src'));
    for (const cwd of [project, join(project, 'src')]) {
      expect(await refusal(cwd)).toBe(
        `${join(project, '.git')} is not a git repository (no valid HEAD, objects/ and refs/)`,
      );
    }
    writeFileSync(join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    expect(await refusal(project)).toMatch(/\.git is not a git repository/);
    rmSync(join(project, '.git'), { recursive: true });
    execFileSync('mkfifo', [join(project, '.git')]);
    expect(await refusal(project)).toMatch(
      /\.git is not a git repository \(neither a directory nor a file\)$/,
    );
  });

  it('stops at GIT_CEILING_DIRECTORIES', async () => {
    const repo = repoAt(join(tmp, 'repo'));
    mkdirSync(join(repo, 'a', 'b'), { recursive: true });
    expect(
      await findRepoRoot(join(repo, 'a', 'b'), { ...env, GIT_CEILING_DIRECTORIES: join(repo, 'a') }),
    ).toBeNull();
  });

  it('refuses GIT_DIR, GIT_WORK_TREE or GIT_COMMON_DIR naming another repository', async () => {
    const repo = repoAt(join(tmp, 'repo'));
    const other = repoAt(join(tmp, 'other'));
    expect(await refusal(repo, { ...env, GIT_DIR: join(other, '.git') })).toMatch(
      /^GIT_DIR=.* is set: git would use another repository/,
    );
    expect(await refusal(repo, { ...env, GIT_WORK_TREE: tmp })).toMatch(/^GIT_WORK_TREE=/);
    expect(await refusal(repo, { ...env, GIT_COMMON_DIR: join(other, '.git') })).toMatch(/^GIT_COMMON_DIR=/);
    mkdirSync(join(tmp, 'plain'));
    expect(await refusal(join(tmp, 'plain'), { ...env, GIT_DIR: join(other, '.git') })).toMatch(/^GIT_DIR=/);
  });

  it('accepts GIT_DIR and GIT_WORK_TREE naming the repository found (as in a git hook)', async () => {
    const repo = repoAt(join(tmp, 'repo'));
    expect(await findRepoRoot(repo, { ...env, GIT_DIR: '.git', GIT_WORK_TREE: repo })).toBe(repo);
  });
});
