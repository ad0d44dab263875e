import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffGitExec, gitExecReport, snapshotGitExec } from '../../../src/host/git-exec-keys.js';
import { readGitlinks } from '../../../src/host/git-index.js';
import { protectionFacts } from '../../../src/host/protected-facts.js';

let tmp: string;
let repo: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ags-gitexec-'));
  repo = join(tmp, 'repo');
  execaSync('git', ['init', '-q', repo]);
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const append = (file: string, text: string) => writeFileSync(file, text, { flag: 'a' });

describe('what git on the host will run, before and after', () => {
  it('is quiet when nothing changed', () => {
    const a = snapshotGitExec([repo], tmp);
    expect(diffGitExec(a, snapshotGitExec([repo], tmp))).toEqual([]);
    expect(gitExecReport([])).toBe('');
  });

  it('names a key that appeared, also through an include, and a hook that appeared or changed', () => {
    writeFileSync(join(repo, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\n');
    const before = snapshotGitExec([repo], tmp);
    append(
      join(repo, '.git', 'config'),
      '[core]\n\tfsmonitor = "touch /tmp/p\u001b[2J"\n[include]\n\tpath = ../inc\n',
    );
    writeFileSync(join(repo, 'inc'), '[alias]\n\tx = !sh -c evil\n\ty = log\n');
    writeFileSync(join(repo, '.git', 'hooks', 'post-checkout'), '#!/bin/sh\ntouch /tmp/p\n');
    chmodSync(join(repo, '.git', 'hooks', 'post-checkout'), 0o755);
    writeFileSync(join(repo, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\nexit 0\n');
    const lines = diffGitExec(before, snapshotGitExec([repo], tmp));
    expect(lines).toEqual([
      expect.stringMatching(/set core\.fsmonitor = touch \/tmp\/p\\x1b\[2J \(in .*\.git\/config\)$/),
      expect.stringMatching(/set include\.path = \.\.\/inc/),
      expect.stringMatching(/set alias\.x = !sh -c evil \(in .*\/inc\)$/),
      expect.stringMatching(/hook appeared: .*post-checkout \(executable, sha256/),
      expect.stringMatching(/hook changed: .*pre-commit \(not executable, sha256/),
    ]);
    // the escape sequence reaches the terminal only escaped
    expect(lines.join('')).not.toContain('\u001b');
    expect(gitExecReport(lines)).toMatch(
      /^ags: WARNING: this run changed what git on your host will execute:\n/,
    );
  });

  it('says an include target too large to read is there: git will run what it says', () => {
    append(join(repo, '.git', 'config'), '[include]\n\tpath = ../conf/extra.gitconfig\n');
    const before = snapshotGitExec([repo], tmp);
    mkdirSync(join(repo, 'conf'));
    writeFileSync(
      join(repo, 'conf', 'extra.gitconfig'),
      `${'#'.repeat(2_500_000)}\n[core]\n\tfsmonitor = touch /tmp/p\n`,
    );
    const lines = diffGitExec(before, snapshotGitExec([repo], tmp));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/extra\.gitconfig/);
    expect(lines[0]).toMatch(/too large to read; git will run what it says/);
  });

  it("a relative core.hooksPath in the host's global config: hooks planted in the work tree's directory are said", () => {
    const gc = join(tmp, 'gc');
    writeFileSync(gc, '[core]\n\thooksPath = .githooks\n');
    const env = { GIT_CONFIG_GLOBAL: gc, GIT_CONFIG_SYSTEM: '/dev/null' };
    const before = snapshotGitExec([repo], tmp, env);
    mkdirSync(join(repo, '.githooks'));
    writeFileSync(join(repo, '.githooks', 'pre-commit'), '#!/bin/sh\n');
    const lines = diffGitExec(before, snapshotGitExec([repo], tmp, env));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/hook appeared: .*\.githooks\/pre-commit/);
  });

  it('lists what runs something first and never cuts it, however many other lines come before it', () => {
    const flood = Array.from({ length: 100 }, (_, i) => `/r: removed alias.a${i} = log (in /r/.git/config)`);
    const report = gitExecReport([...flood, '/r: set core.fsmonitor = touch /tmp/p (in /r/.git/config)']);
    const lines = report.trim().split('\n');
    expect(lines[1]).toBe('ags:   /r: set core.fsmonitor = touch /tmp/p (in /r/.git/config)');
    expect(lines).toHaveLength(1 + 40 + 1 + 1);
    expect(report).toContain('... and 61 more');
  });

  it('notices a planted commondir that moves where git reads its config from', () => {
    const before = snapshotGitExec([repo], tmp);
    mkdirSync(join(tmp, 'evil'));
    writeFileSync(join(repo, '.git', 'commondir'), join(tmp, 'evil'));
    writeFileSync(join(tmp, 'evil', 'config'), '[core]\n\tfsmonitor = x\n');
    const lines = diffGitExec(before, snapshotGitExec([repo], tmp));
    expect(lines[0]).toMatch(/git now reads its config and hooks from .*evil/);
    expect(lines).toContainEqual(expect.stringMatching(/set core\.fsmonitor = x \(in .*evil\/config\)/));
  });

  it('reads a FIFO planted as an include without waiting on it', () => {
    execaSync('mkfifo', [join(repo, 'fifo')]);
    append(join(repo, '.git', 'config'), '[include]\n\tpath = ../fifo\n');
    expect(snapshotGitExec([repo], tmp).repos[0]!.keys).toHaveLength(1);
  });
});

describe('repositories nested as gitlinks (the host git status enters them)', () => {
  const git = (cwd: string, ...args: string[]) =>
    execaSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd });

  it.each([2, 3, 4])(
    'are read from an index of version %i, long and prefix-compressed paths too',
    (version) => {
      for (const p of ['a/deep/lib', 'a/deep/lib2', 'b']) {
        mkdirSync(join(repo, p), { recursive: true });
        git(join(repo, p), 'init', '-q');
        git(join(repo, p), 'commit', '-q', '--allow-empty', '-m', 'i');
      }
      writeFileSync(join(repo, 'a', 'file-with-a-rather-long-name-to-pad.txt'), 'x');
      git(repo, 'add', 'a', 'b');
      git(repo, 'update-index', '--index-version', String(version));
      expect(readGitlinks(join(repo, '.git', 'index')).sort()).toEqual(['a/deep/lib', 'a/deep/lib2', 'b']);
    },
  );

  const nestedRepo = (p: string) => {
    mkdirSync(join(repo, p), { recursive: true });
    git(join(repo, p), 'init', '-q');
    git(join(repo, p), 'commit', '-q', '--allow-empty', '-m', 'i');
    return git(join(repo, p), 'rev-parse', 'HEAD').stdout.trim();
  };

  it('are read from a split index: the shared index, and a shared entry a gitlink replaces', () => {
    nestedRepo('node_modules/x');
    for (let i = 0; i < 70; i++) writeFileSync(join(repo, `f${i}`), String(i));
    writeFileSync(join(repo, 'was-a-file'), 'x');
    git(repo, 'add', '.');
    git(repo, 'update-index', '--split-index');
    expect(readdirSync(join(repo, '.git')).some((n) => n.startsWith('sharedindex.'))).toBe(true);
    // the split index holds no entry of its own now: the gitlink is in the shared one
    expect(readGitlinks(join(repo, '.git', 'index'))).toEqual(['node_modules/x']);
    // a file entry of the shared index turned into a gitlink: written without its name in the split index
    const head = nestedRepo('other');
    git(repo, 'update-index', '--cacheinfo', `160000,${head},was-a-file`);
    git(repo, 'update-index', '--add', '--cacheinfo', `160000,${head},added-later`);
    expect(readGitlinks(join(repo, '.git', 'index')).sort()).toEqual([
      'added-later',
      'node_modules/x',
      'was-a-file',
    ]);
  });

  it('a nested repository the agent made and added is reported with what it would run', () => {
    const before = snapshotGitExec([repo], tmp);
    const sub = join(repo, 'sub');
    mkdirSync(sub);
    git(sub, 'init', '-q');
    git(sub, 'commit', '-q', '--allow-empty', '-m', 's');
    append(join(sub, '.git', 'config'), '[core]\n\tfsmonitor = touch /tmp/p\n');
    git(repo, 'add', 'sub');
    const lines = diffGitExec(before, snapshotGitExec([repo], tmp));
    expect(lines).toEqual([
      expect.stringMatching(/sub: a git repository appeared/),
      expect.stringMatching(/sub: set core\.fsmonitor = touch \/tmp\/p/),
    ]);
  });
});

describe('the protected paths of a repository', () => {
  it('lists config, hooks, submodules, included files and hooksPath inside the repository, and agent config', () => {
    mkdirSync(join(repo, '.git', 'modules', 'lib', 'hooks'), { recursive: true });
    writeFileSync(join(repo, '.git', 'modules', 'lib', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(repo, '.git', 'modules', 'lib', 'config'), '[core]\n\tworktree = ../../../lib\n');
    mkdirSync(join(repo, 'lib'));
    writeFileSync(join(repo, 'lib', '.git'), 'gitdir: ../.git/modules/lib\n');
    append(
      join(repo, '.git', 'config'),
      '[core]\n\thooksPath = .githooks\n[include]\n\tpath = ../shared.gitconfig\n',
    );
    mkdirSync(join(repo, '.claude'));
    const facts = protectionFacts({ repositoryRoots: [repo], agentConfigRoots: [repo], home: tmp, env: {} });
    const byPath = Object.fromEntries(
      facts.map((f) => [f.path.slice(repo.length + 1), `${f.group}:${f.kind}${f.pin ? ':pin' : ''}`]),
    );
    expect(byPath).toMatchObject({
      '.git': 'git:dir:pin',
      '.git/config': 'git:file',
      '.git/config.worktree': 'git:absent',
      '.git/hooks': 'git:dir',
      '.githooks': 'git:absent',
      'shared.gitconfig': 'git:absent',
      '.git/modules/lib/config': 'git:file',
      '.git/modules/lib/hooks': 'git:dir',
      'lib/.git': 'git:file',
      '.claude': 'agent-config:dir',
      '.vscode': 'agent-config:absent',
      '.envrc': 'agent-config:absent',
      '.ags': 'agent-config:absent',
    });
    expect(facts.find((f) => f.path.endsWith('/.envrc'))!.placeholder).toBe('file');
    expect(facts.find((f) => f.path.endsWith('/.vscode'))!.placeholder).toBe('dir');
  });

  it('protects a bare repository (a push from the host runs its hooks) without looking for a .git in it', () => {
    const bare = join(tmp, 'bare.git');
    execaSync('git', ['init', '-q', '--bare', bare]);
    const facts = protectionFacts({
      repositoryRoots: [bare],
      agentConfigRoots: [],
      home: tmp,
      env: { GIT_CONFIG_SYSTEM: join(tmp, 'none') },
    });
    expect(facts.map((f) => [f.path.slice(bare.length + 1), f.kind])).toEqual([
      ['config', 'file'],
      ['config.worktree', 'absent'],
      ['commondir', 'absent'],
      ['hooks', 'dir'],
      ['info/attributes', 'absent'],
    ]);
  });

  it("includes the host's global git config where it is a link into a repository (a dotfiles workspace)", () => {
    writeFileSync(
      join(repo, 'gitconfig'),
      '[include]\n\tpath = ~/dotfiles-extra\n[core]\n\thooksPath = ~/repo/hooks\n',
    );
    writeFileSync(join(tmp, 'dotfiles-extra'), '');
    symlinkSync(join(repo, 'gitconfig'), join(tmp, '.gitconfig'));
    const facts = protectionFacts({
      repositoryRoots: [],
      agentConfigRoots: [],
      home: tmp,
      env: { GIT_CONFIG_SYSTEM: join(tmp, 'none') },
    });
    expect(facts.map((f) => [f.path, f.kind])).toEqual([
      [join(repo, 'gitconfig'), 'file'],
      [join(tmp, 'dotfiles-extra'), 'file'],
      [join(repo, 'hooks'), 'absent'],
    ]);
  });
});
