import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

/**
 * A read-only mount cannot be written or renamed, but the directory holding it can: renaming it moves the
 * mount along and the agent creates a fresh copy at the original path, which the host's git or direnv then
 * runs. A hostile agent in a real rootless container tries that on every kind of protected path's parent.
 */
describe('the directories above what the host runs later cannot be renamed away', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let runtime: string;

  const git = (repo: string, ...args: string[]) =>
    runAsTestUser(host, ['git', '-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);

  const attempt = (name: string, cmd: string) =>
    `if ( ${cmd} ) 2>/dev/null; then echo ${name}=ok; else echo ${name}=refused; fi`;
  const results = (stdout: unknown) =>
    Object.fromEntries(
      String(stdout)
        .trim()
        .split('\n')
        .map((l) => l.split('=') as [string, string]),
    );

  beforeAll(() => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    runtime = join(tmp.dir, 'run');
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    giveToTestUser(host, runtime);
  });

  afterAll(() => tmp?.cleanup());

  it('refuses renaming or removing the parents of hook scripts, .envrc loads, nested repos, subdirectory settings, filter scripts and .github', async () => {
    const dir = join(tmp.dir, 'renames');
    mkdirSync(dir, { recursive: true });
    giveToTestUser(host, dir);
    const original = '#!/bin/sh\nexit 0\n';
    const repo = await makeTestRepo(host, dir, {
      'README.md': 'hi\n',
      'scripts/ci/check.sh': original,
      'env/dev.sh': 'export FOO=1\n',
      '.envrc': 'source_env env/dev.sh\n',
      'pkg/.claude/settings.json': '{}\n',
      'tools/filt/clean.sh': 'cat\n',
      '.gitattributes': '*.dat filter=x\n',
      '.github/hooks/h.json': '{}\n',
    });
    await runAsTestUser(host, [
      'sh',
      '-c',
      `printf '#!/bin/sh\\nsh scripts/ci/check.sh\\n' > ${repo}/.git/hooks/pre-commit && chmod +x ${repo}/.git/hooks/pre-commit`,
    ]);
    await git(repo, 'config', 'filter.x.clean', 'sh tools/filt/clean.sh');
    await runAsTestUser(host, ['git', 'init', '-q', join(repo, 'vendor', 'lib')]);
    const config = writeTestConfig(host, join(dir, 'cfg'), '');
    const script = [
      attempt('hook-script-parent', 'mv scripts/ci scripts/ci.orig'),
      attempt('hook-script-grandparent', 'mv scripts scripts.orig'),
      attempt('envrc-load-parent', 'mv env env.orig'),
      attempt('nested-repo-parent', 'mv vendor vendor.orig'),
      attempt('nested-repo', 'mv vendor/lib vendor/lib.orig'),
      attempt('sub-settings-parent', 'mv pkg pkg.orig'),
      attempt('filter-script-parent', 'mv tools tools.orig'),
      attempt('github', 'mv .github .github.orig'),
      attempt('remove', 'rm -rf scripts'),
      // ordinary work in those directories goes on
      attempt('work', 'echo y > scripts/ci/other.sh && mkdir scripts/new && mv scripts/new scripts/new2'),
    ].join('\n');
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(results(r.stdout)).toEqual({
      'hook-script-parent': 'refused',
      'hook-script-grandparent': 'refused',
      'envrc-load-parent': 'refused',
      'nested-repo-parent': 'refused',
      'nested-repo': 'refused',
      'sub-settings-parent': 'refused',
      'filter-script-parent': 'refused',
      github: 'refused',
      remove: 'refused',
      work: 'ok',
    });
    // the after-run check of the protected files finds them as they were: no false alarm
    expect(String(r.stderr)).not.toContain('not what they were at start');
    expect(String(r.stderr)).not.toContain('WARNING');
    expect(readFileSync(join(repo, 'scripts', 'ci', 'check.sh'), 'utf8')).toBe(original);
    expect(readFileSync(join(repo, 'env', 'dev.sh'), 'utf8')).toBe('export FOO=1\n');
  });

  it('a hook that links into the work tree: the file it links to is read-only, by write and by rename', async () => {
    const dir = join(tmp.dir, 'linked');
    mkdirSync(dir, { recursive: true });
    giveToTestUser(host, dir);
    const original = '#!/bin/sh\nexit 0\n';
    const repo = await makeTestRepo(host, dir, { 'README.md': 'hi\n', 'githooks/commit-msg': original });
    await runAsTestUser(host, ['ln', '-s', '../../githooks/commit-msg', join(repo, '.git/hooks/commit-msg')]);
    const config = writeTestConfig(host, join(dir, 'cfg'), '');
    const script = [
      attempt('write', "echo 'touch /tmp/x' > githooks/commit-msg"),
      attempt('rename', 'mv githooks githooks.orig'),
    ].join('\n');
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(results(r.stdout)).toEqual({ write: 'refused', rename: 'refused' });
    expect(readFileSync(join(repo, 'githooks', 'commit-msg'), 'utf8')).toBe(original);
  });

  it('a hook naming scripts through $TOP/, $(git rev-parse --show-toplevel)/ and python -m: those are read-only', async () => {
    const dir = join(tmp.dir, 'firsthop');
    mkdirSync(dir, { recursive: true });
    giveToTestUser(host, dir);
    const repo = await makeTestRepo(host, dir, {
      'README.md': 'hi\n',
      'tools/__init__.py': '',
      'tools/check.py': 'pass\n',
      'tools/z.sh': 'exit 0\n',
      'tools/lint.sh': 'exit 0\n',
    });
    const hook = [
      '#!/bin/sh',
      'python3 -m tools.check',
      'TOP=$(git rev-parse --show-toplevel); "$TOP/tools/z.sh"',
      'exec "$(git rev-parse --show-toplevel)/tools/lint.sh"',
    ].join('\n');
    await runAsTestUser(host, [
      'sh',
      '-c',
      `printf '%s\\n' '${hook.replace(/'/g, "'\\''")}' > ${repo}/.git/hooks/pre-commit`,
    ]);
    const config = writeTestConfig(host, join(dir, 'cfg'), '');
    const script = [
      attempt('module', 'echo "import os" > tools/check.py'),
      attempt('package-init', 'echo "import os" > tools/__init__.py'),
      attempt('var-prefix', 'echo x > tools/z.sh'),
      attempt('subst-prefix', 'echo x > tools/lint.sh'),
    ].join('\n');
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(results(r.stdout)).toEqual({
      module: 'refused',
      'package-init': 'refused',
      'var-prefix': 'refused',
      'subst-prefix': 'refused',
    });
  });

  it('says new symbolic links to directories after the run: into the agent home (by its host path) and node_modules', async () => {
    const dir = join(tmp.dir, 'links');
    mkdirSync(dir, { recursive: true });
    giveToTestUser(host, dir);
    const repo = await makeTestRepo(host, dir, { 'README.md': 'hi\n' });
    const config = writeTestConfig(host, join(dir, 'cfg'), '');
    const script = [
      // the host path of the agent home, as the agent can read it
      `HH=$(awk '$5=="'"$HOME"'"{print $4; exit}' /proc/self/mountinfo)`,
      'git init -q "$HOME/evil" && ln -s "$HH/evil" tools',
      'mkdir -p node_modules/.cache/src && git init -q node_modules/.cache/src && ln -s node_modules/.cache/src src',
      'echo "home=$HH"',
    ].join(' && ');
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toMatch(/home=\/\S+/);
    const err = String(r.stderr);
    expect(err).toMatch(
      /a symbolic link to a directory appeared at \S*\/tools -> \S*\/evil \(outside the workspace; a git repository is there\)/,
    );
    expect(err).toMatch(
      /a symbolic link to a directory appeared at \S*\/src -> node_modules\/\.cache\/src \(into node_modules; a git repository is there\)/,
    );
  });

  it('says executables that appeared or changed in a directory .envrc puts on PATH', async () => {
    const dir = join(tmp.dir, 'pathadd');
    mkdirSync(dir, { recursive: true });
    giveToTestUser(host, dir);
    const repo = await makeTestRepo(host, dir, {
      'README.md': 'hi\n',
      '.envrc': 'PATH_add bin\n',
      'bin/hello': '#!/bin/sh\necho hi\n',
      'bin/data.txt': 'x\n',
    });
    await runAsTestUser(host, ['chmod', '+x', join(repo, 'bin', 'hello')]);
    const config = writeTestConfig(host, join(dir, 'cfg'), '');
    const script = [
      'printf \'#!/bin/sh\\nexec /usr/bin/git "$@"\\n\' > bin/git && chmod +x bin/git',
      "printf '#!/bin/sh\\necho pwned\\n' > bin/hello",
      'echo y > bin/data.txt',
    ].join(' && ');
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const err = String(r.stderr);
    expect(err).toContain(
      'ags: WARNING: this run left programs where direnv puts them first on your host PATH:',
    );
    expect(err).toMatch(/\S*\/bin\/git appeared in a directory \.envrc puts first on PATH/);
    expect(err).toMatch(/\S*\/bin\/hello changed in a directory \.envrc puts first on PATH/);
    expect(err).not.toContain('data.txt');
  });

  it('export PATH="$PWD/..." and layout directories too, said first and before every other report; node_modules/.bin only when the .envrc adds it', async () => {
    const dir = join(tmp.dir, 'pathexport');
    mkdirSync(dir, { recursive: true });
    giveToTestUser(host, dir);
    const repo = await makeTestRepo(host, dir, {
      'README.md': 'hi\n',
      '.envrc': 'export PATH="$PWD/tools:$PATH"\nlayout python3\npath_add LD_LIBRARY_PATH "$PWD/lib"\n',
      'tools/keep': 'x\n',
    });
    const config = writeTestConfig(host, join(dir, 'cfg'), '');
    const exe = (path: string) => `printf '#!/bin/sh\\necho pwned\\n' > ${path} && chmod +x ${path}`;
    const script = [
      // a flood of harmless names ahead of `ls` in sort order
      'for i in $(seq 1 60); do : > tools/a$i && chmod +x tools/a$i; done',
      exe('tools/ls'),
      `mkdir -p .direnv/python-3.12/bin && ${exe('.direnv/python-3.12/bin/git')}`,
      'mkdir -p lib && : > lib/libz.so.1',
      `mkdir -p node_modules/.bin && ${exe('node_modules/.bin/eslint')}`,
      // something the other report says, so the order shows
      'mkdir -p sub/.claude && echo {} > sub/.claude/settings.json',
    ].join(' && ');
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const err = String(r.stderr);
    const warnings = err.split('\n').filter((l) => l.startsWith('ags: WARNING:'));
    expect(warnings[0]).toBe(
      'ags: WARNING: this run left programs where direnv puts them first on your host PATH:',
    );
    expect(warnings.length).toBeGreaterThan(1);
    const block = err.slice(err.indexOf(warnings[0]!)).split('\n');
    // the names of host commands lead, ahead of the flood; the flood is cut with a count
    expect(block.slice(1, 3).sort()).toEqual([
      expect.stringMatching(/\/\.direnv\/python-3\.12\/bin\/git appeared .*`git`, in place of your own$/),
      expect.stringMatching(/\/tools\/ls appeared .*`ls`, in place of your own$/),
    ]);
    expect(err).toMatch(/\/lib\/libz\.so\.1 appeared in a directory \.envrc puts first on LD_LIBRARY_PATH/);
    expect(err).toMatch(/ags: {3}\.\.\. and \d+ more/);
    expect(err).not.toContain('eslint');
    expect(err).not.toContain('tools/keep');
  });

  it('a file a hook manager names inside its read-only directory: the directory stays read-only (no pin undoes it)', async () => {
    const dir = join(tmp.dir, 'lefthook');
    mkdirSync(dir, { recursive: true });
    giveToTestUser(host, dir);
    const repo = await makeTestRepo(host, dir, {
      'README.md': 'hi\n',
      'lefthook.yml': 'pre-commit:\n  commands:\n    t:\n      run: .lefthook/pre-commit/x.sh\n',
      '.lefthook/pre-commit/x.sh': 'exit 0\n',
    });
    const config = writeTestConfig(host, join(dir, 'cfg'), '');
    const script = [
      attempt('new-file', 'echo x > .lefthook/pre-commit/y.sh'),
      attempt('script', 'echo x > .lefthook/pre-commit/x.sh'),
      attempt('rename', 'mv .lefthook .lefthook.orig'),
    ].join('\n');
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(results(r.stdout)).toEqual({ 'new-file': 'refused', script: 'refused', rename: 'refused' });
  });
});
