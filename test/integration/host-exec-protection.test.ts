import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

/**
 * A hostile agent in a real rootless container tries to plant what git and agents on the HOST run later:
 * hooks, core.fsmonitor, project settings. By default every try fails, and the host's own `git status`
 * afterwards runs nothing; with `git_config = "writable"` the write succeeds and the run says so.
 */
describe('nothing the host runs later can be planted from the sandbox', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let runtime: string;
  let canary: string;

  /** A fresh repository with one commit, a seeded .claude/settings.json and no .vscode, and a config. */
  async function setup(name: string, sandbox = '') {
    const dir = join(tmp.dir, name);
    mkdirSync(dir, { recursive: true });
    giveToTestUser(host, dir);
    const repo = await makeTestRepo(host, dir, { 'README.md': 'hi\n', '.claude/settings.json': '{}\n' });
    const git = (...args: string[]) => runAsTestUser(host, ['git', '-C', repo, ...args]);
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '-A');
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init');
    const config = writeTestConfig(host, join(dir, 'cfg'), '', { sandbox });
    return { repo, config };
  }

  const run = (config: string, repo: string, script: string) =>
    runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });

  beforeAll(() => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    runtime = join(tmp.dir, 'run');
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    giveToTestUser(host, runtime);
    canary = join(tmp.dir, 'PWNED');
  });

  afterAll(() => tmp?.cleanup());

  it('refuses hooks, core.fsmonitor, settings files and a swapped .git; git still works; host git status runs nothing', async () => {
    const { repo, config } = await setup('default');
    // each attempt prints "<name>=ok" when it worked, "<name>=refused" when it did not
    const attempt = (name: string, cmd: string) =>
      `if ( ${cmd} ) 2>/dev/null; then echo ${name}=ok; else echo ${name}=refused; fi`;
    const script = [
      attempt(
        'hook',
        `echo 'touch ${canary}' > .git/hooks/post-checkout && chmod +x .git/hooks/post-checkout`,
      ),
      attempt('hooks-swap', 'mv .git/hooks .git/hooks-old'),
      attempt('fsmonitor', `git config core.fsmonitor 'touch ${canary}; false'`),
      attempt('config-write', `printf '[core]\\n\\tfsmonitor = touch ${canary}\\n' >> .git/config`),
      attempt('git-swap', 'mv .git .git-old'),
      attempt('claude-settings', `echo '{"hooks":{}}' > .claude/settings.json`),
      attempt('claude-local', `echo '{}' > .claude/settings.local.json`),
      attempt('vscode-tasks', 'mkdir -p .vscode && echo {} > .vscode/tasks.json'),
      attempt('envrc', `echo 'touch ${canary}' > .envrc`),
      attempt('ags-overlay', 'mkdir -p .ags && echo > .ags/config.toml'),
      attempt('copilot-hooks', 'mkdir -p .github/hooks && echo {} > .github/hooks/h.json'),
      attempt('devcontainer', 'echo {} > .devcontainer.json'),
      // an absent config file is an empty file inside (opencode reads that as no config; a directory breaks it)
      attempt('opencode-json-empty-file', 'test -f opencode.json && ! test -s opencode.json'),
      // normal work with the read-only config
      attempt(
        'git-work',
        'git status -s && echo x > a.txt && git add a.txt && git commit -qm a && git branch b && git checkout -q b && git checkout -q - && git log --oneline | grep -q a',
      ),
      attempt('git-remote-add', 'git remote add origin /tmp/x'),
    ].join('\n');
    const r = await run(config, repo, script);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const results = Object.fromEntries(
      String(r.stdout)
        .trim()
        .split('\n')
        .map((l) => l.split('=') as [string, string]),
    );
    expect(results).toEqual({
      hook: 'refused',
      'hooks-swap': 'refused',
      fsmonitor: 'refused',
      'config-write': 'refused',
      'git-swap': 'refused',
      'claude-settings': 'refused',
      'claude-local': 'refused',
      'vscode-tasks': 'refused',
      envrc: 'refused',
      'ags-overlay': 'refused',
      'copilot-hooks': 'refused',
      devcontainer: 'refused',
      'opencode-json-empty-file': 'ok',
      'git-work': 'ok',
      'git-remote-add': 'refused',
    });
    expect(String(r.stderr)).not.toContain('changed what git on your host will execute');
    // the host's own git afterwards: status and a checkout run nothing planted
    const status = await runAsTestUser(host, ['git', '-C', repo, 'status', '--short']);
    await runAsTestUser(host, ['git', '-C', repo, 'checkout', '-q', 'b']);
    expect(status.exitCode).toBe(0);
    expect(existsSync(canary)).toBe(false);
    expect(readFileSync(join(repo, '.claude', 'settings.json'), 'utf8')).toBe('{}\n');
    // the placeholders that kept absent paths from being created are gone again
    for (const p of [
      '.vscode',
      '.envrc',
      '.ags',
      '.claude/settings.local.json',
      '.mcp.json',
      '.github',
      'opencode.json',
    ])
      expect(existsSync(join(repo, p)), p).toBe(false);
  });

  it("protects a submodule's config, hooks and .git file, and a -d repository's", async () => {
    const { repo, config } = await setup('submodule');
    const lib = join(tmp.dir, 'submodule', 'lib');
    const other = join(tmp.dir, 'submodule', 'other');
    for (const d of [lib, other]) {
      await runAsTestUser(host, ['git', 'init', '-q', d]);
      await runAsTestUser(host, [
        'git',
        '-C',
        d,
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@t',
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        'l',
      ]);
    }
    const add = await runAsTestUser(host, [
      'git',
      '-C',
      repo,
      '-c',
      'protocol.file.allow=always',
      'submodule',
      'add',
      '-q',
      lib,
      'lib',
    ]);
    expect(add.exitCode, String(add.stderr)).toBe(0);
    const script = [
      `if echo x > .git/modules/lib/hooks/post-checkout 2>/dev/null; then echo sub-hook=ok; else echo sub-hook=refused; fi`,
      `if git -C lib config core.fsmonitor 'touch ${canary}' 2>/dev/null; then echo sub-config=ok; else echo sub-config=refused; fi`,
      `if echo 'gitdir: /tmp' > lib/.git 2>/dev/null; then echo sub-gitfile=ok; else echo sub-gitfile=refused; fi`,
      `if git -C ${other} config core.fsmonitor 'touch ${canary}' 2>/dev/null; then echo d-config=ok; else echo d-config=refused; fi`,
      `if git -C lib status -s >/dev/null && git -C ${other} log -1 >/dev/null; then echo git-work=ok; else echo git-work=refused; fi`,
    ].join('\n');
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '-d', other, '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim().split('\n')).toEqual([
      'sub-hook=refused',
      'sub-config=refused',
      'sub-gitfile=refused',
      'd-config=refused',
      'git-work=ok',
    ]);
    await runAsTestUser(host, ['git', '-C', repo, 'status', '--short']);
    expect(existsSync(canary)).toBe(false);
  });

  it('a new nested repository gitlinked during the run is moved aside; host git status runs nothing of it', async () => {
    const { repo, config } = await setup('unstoppable');
    const script = [
      // a repository made from scratch inside the workspace and added as a gitlink: host git status enters it
      `git init -q nested && git -C nested commit -q --allow-empty -m n && git -C nested config core.fsmonitor 'touch ${canary}.nested; false' && git add nested`,
      // one that runs nothing is the agent's to keep
      'git init -q plain && git -C plain commit -q --allow-empty -m p && git add plain',
    ].join(' && ');
    const r = await run(config, repo, script);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const err = String(r.stderr);
    expect(err).toContain(
      'ags: WARNING: this run created git repositories that git on your host would have run',
    );
    expect(err).toMatch(
      /moved \S*\/nested\/\.git to \S*\/nested\/\.git\.ags-quarantined-[0-9a-f]{8} and its HEAD .*core\.fsmonitor = touch .*PWNED\.nested; false/,
    );
    expect(err).toMatch(/plain: a git repository appeared/);
    expect(existsSync(join(repo, 'plain', '.git'))).toBe(true);
    const status = await runAsTestUser(host, ['git', '-C', repo, 'status', '--short']);
    expect(status.exitCode, String(status.stderr)).toBe(0);
    expect(existsSync(`${canary}.nested`)).toBe(false);
  });

  // the planted config: git on the host reads it once it takes the top level for the git directory
  const plantedConfig = (mark: string) =>
    `'[core]\\n\\trepositoryformatversion = 0\\n\\tbare = false\\n\\tworktree = %s\\n\\tfsmonitor = touch ${mark}\\n' "$PWD"`;
  it.each([
    [
      'a bad .git/HEAD (red team 7)',
      'bad-head',
      (m: string) =>
        `echo garbage > .git/HEAD; mkdir -p objects refs/heads; printf ${plantedConfig(m)} > config`,
    ],
    [
      'an unreadable .git/objects (red team 7)',
      'no-objects',
      (m: string) =>
        `chmod 000 .git/objects; mkdir -p objects refs/heads; printf ${plantedConfig(m)} > config`,
    ],
    // objects, refs and config where a commondir file points (red team 8)
    [
      'an unreadable .git/refs and a commondir (red team 8)',
      'commondir',
      (m: string) =>
        `chmod 000 .git/refs; mkdir -p c/objects c/refs/heads; echo c > commondir; printf ${plantedConfig(m)} > c/config`,
    ],
    // the top level made read-only after planting, so a rename there fails (red team 8)
    [
      'a bad .git/HEAD and a read-only top level (red team 8)',
      'read-only',
      (m: string) =>
        `echo garbage > .git/HEAD; mkdir -p objects refs/heads; printf ${plantedConfig(m)} > config; trap 'chmod 555 .' EXIT`,
    ],
  ])(
    'the top level made a bare repository behind %s: its HEAD is moved aside; host git runs nothing',
    async (_name, tag, plant) => {
      const { repo, config } = await setup(`toplevel-bare-${tag}`);
      const mark = `${canary}.toplevel-${tag}`;
      const r = await run(config, repo, `${plant(mark)}; echo "ref: refs/heads/master" > HEAD`);
      const err = String(r.stderr);
      expect(err).toContain(
        'ags: WARNING: this run created git repositories that git on your host would have run',
      );
      expect(err).toMatch(
        /moved \S*\/HEAD to \S*\/HEAD\.ags-quarantined-[0-9a-f]{8}: the top level had been made a bare git repository/,
      );
      expect(existsSync(join(repo, 'HEAD'))).toBe(false);
      if (tag === 'read-only') expect(statSync(repo).mode & 0o777).toBe(0o555); // its mode given back
      // with .git still broken, host git takes nothing planted for its config (it reads none of its keys) ...
      const read = await runAsTestUser(host, ['sh', '-c', `cd '${repo}' && git config --get core.fsmonitor`]);
      expect(String(read.stdout)).not.toContain(mark);
      await runAsTestUser(host, ['sh', '-c', `cd '${repo}' && git status; git log -1`]);
      // ... and once repaired
      await runAsTestUser(host, ['chmod', '-R', 'u+rwx', join(repo, '.git')]);
      await runAsTestUser(host, ['sh', '-c', `cd '${repo}' && git status; git log -1`]);
      expect(existsSync(mark)).toBe(false);
      await runAsTestUser(host, ['chmod', '755', repo]);
    },
  );

  it("a relative core.hooksPath in the host's global config: the workspace's .githooks is held; host git commit runs nothing", async () => {
    const { repo, config } = await setup('global-hookspath');
    const gitconfig = join(tmp.dir, 'global-hookspath', 'gitconfig');
    writeFileSync(gitconfig, '[core]\n\thooksPath = .githooks\n');
    giveToTestUser(host, gitconfig);
    const hook = `printf '#!/bin/sh\\ntouch ${canary}.global\\n' > .githooks/pre-commit && chmod +x .githooks/pre-commit`;
    const script = `if ( mkdir -p .githooks && ${hook} ) 2>/dev/null; then echo planted=ok; else echo planted=refused; fi`;
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime, GIT_CONFIG_GLOBAL: gitconfig },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe('planted=refused');
    const commit = await runAsTestUser(
      host,
      [
        'git',
        '-C',
        repo,
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@t',
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        'x',
      ],
      { env: { GIT_CONFIG_GLOBAL: gitconfig } },
    );
    expect(commit.exitCode, String(commit.stderr)).toBe(0);
    expect(existsSync(`${canary}.global`)).toBe(false);
    // the placeholder that kept the absent directory from being created is gone again
    expect(existsSync(join(repo, '.githooks'))).toBe(false);
  });

  it('a linked worktree: its .git file, and with -d of the main repository the common config and hooks', async () => {
    const { repo: main, config } = await setup('worktree');
    const wt = join(tmp.dir, 'worktree', 'wt');
    const add = await runAsTestUser(host, ['git', '-C', main, 'worktree', 'add', '-q', wt]);
    expect(add.exitCode, String(add.stderr)).toBe(0);
    const script = [
      `if echo 'gitdir: /tmp' > .git 2>/dev/null; then echo gitfile=ok; else echo gitfile=refused; fi`,
      `if git config core.fsmonitor 'touch ${canary}' 2>/dev/null; then echo common-config=ok; else echo common-config=refused; fi`,
      `if echo x > ${main}/.git/hooks/post-checkout 2>/dev/null; then echo common-hook=ok; else echo common-hook=refused; fi`,
      `if echo /tmp > ${main}/.git/worktrees/wt/commondir 2>/dev/null; then echo commondir=ok; else echo commondir=refused; fi`,
      `if echo y > b.txt && git add b.txt && git commit -qm b; then echo git-work=ok; else echo git-work=refused; fi`,
    ].join('\n');
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '-d', main, '--', '-c', script], {
      cwd: wt,
      env: { XDG_RUNTIME_DIR: runtime },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim().split('\n')).toEqual([
      'gitfile=refused',
      'common-config=refused',
      'common-hook=refused',
      'commondir=refused',
      'git-work=ok',
    ]);
  });

  it('refuses (exit 2) a protected path that is a symbolic link: it cannot be pinned', async () => {
    const { repo, config } = await setup('symlink');
    await runAsTestUser(host, ['ln', '-s', tmp.dir, join(repo, '.vscode')]);
    const r = await run(config, repo, 'true');
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/\.vscode \(VS Code tasks, launch and settings\) is a symbolic link/);
  });

  it('with git_config = "writable" the write succeeds and the run names the changed key and hook', async () => {
    const { repo, config } = await setup('writable', 'git_config = "writable"');
    const r = await run(
      config,
      repo,
      `git config core.fsmonitor 'touch ${canary}.writable; false' && printf '#!/bin/sh\\n' > .git/hooks/post-checkout && chmod +x .git/hooks/post-checkout`,
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const err = String(r.stderr);
    expect(err).toContain('git_config = "writable"');
    expect(err).toContain('changed what git on your host will execute');
    expect(err).toMatch(/set core\.fsmonitor = touch .*PWNED\.writable; false \(in .*\.git\/config\)/);
    expect(err).toMatch(/hook appeared: .*\.git\/hooks\/post-checkout \(executable/);
    // and the host's config really has it (read without running git's fsmonitor)
    expect(readFileSync(join(repo, '.git', 'config'), 'utf8')).toContain('fsmonitor');
  });

  it('a repo overlay cannot turn the protection off', async () => {
    const { repo, config } = await setup('overlay');
    mkdirSync(join(repo, '.ags'));
    writeFileSync(join(repo, '.ags', 'config.toml'), '[sandbox]\ngit_config = "writable"\n');
    giveToTestUser(host, join(repo, '.ags'), join(repo, '.ags', 'config.toml'));
    const r = await run(config, repo, 'true');
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain('not allowed in a repo overlay');
  });
});

// git on the host appends to reflogs and rewrites COMMIT_EDITMSG in place, following symbolic links: links the
// agent plants in .git would let the user's next checkout or commit write into any file of theirs.
describe('links planted in .git are removed after the run', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let runtime: string;

  beforeAll(() => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    runtime = join(tmp.dir, 'run');
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    giveToTestUser(host, runtime);
  });
  afterAll(() => tmp?.cleanup());

  it('a reflog or COMMIT_EDITMSG linked to a host file, and a planted rebase: removed or reported; host git writes nothing there', async () => {
    const dir = join(tmp.dir, 'links');
    mkdirSync(dir, { recursive: true });
    giveToTestUser(host, dir);
    const repo = await makeTestRepo(host, dir, { 'README.md': 'hi\n' });
    const git = (...args: string[]) =>
      runAsTestUser(host, ['git', '-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
    await git('add', '-A');
    await git('commit', '-q', '-m', 'init');
    // a file of the user's outside every mount, standing for ~/.bashrc
    const target = join(tmp.dir, 'bashrc');
    writeFileSync(target, '# the user rc\n');
    giveToTestUser(host, target);
    const config = writeTestConfig(host, join(dir, 'cfg'), '');
    const script = [
      `rm -f .git/logs/HEAD && ln -s ${target} .git/logs/HEAD`,
      `ln -sf ${target} .git/COMMIT_EDITMSG`,
      'rm -f .git/FETCH_HEAD && mkfifo .git/FETCH_HEAD',
      "mkdir -p .git/rebase-merge && echo 'exec touch /tmp/x' > .git/rebase-merge/git-rebase-todo",
      'echo planted',
    ].join(' && ');
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain('planted');
    const err = String(r.stderr);
    expect(err).toContain('ags: WARNING: this run changed what git on your host will execute');
    expect(err).toMatch(/removed a symbolic link to .*bashrc planted at .*\.git\/logs\/HEAD/);
    expect(err).toMatch(/removed a symbolic link to .*bashrc planted at .*\.git\/COMMIT_EDITMSG/);
    expect(err).toMatch(/removed a special file planted at .*\.git\/FETCH_HEAD/);
    expect(err).toMatch(/an operation in progress appeared: .*\.git\/rebase-merge/);
    // the user's next git commands write nowhere but .git
    await git('checkout', '-q', '-b', 'feature');
    await git('commit', '-q', '--allow-empty', '-m', 'next');
    expect(readFileSync(target, 'utf8')).toBe('# the user rc\n');
    expect(existsSync(join(repo, '.git', 'logs', 'HEAD'))).toBe(true);
  });

  it('.git/commondir cannot be planted, and nothing the agent names steers the cleanup to a host directory', async () => {
    const dir = join(tmp.dir, 'commondir');
    mkdirSync(dir, { recursive: true });
    giveToTestUser(host, dir);
    const repo = await makeTestRepo(host, dir, { 'README.md': 'hi\n' });
    const git = (...args: string[]) =>
      runAsTestUser(host, ['git', '-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
    await git('add', '-A');
    await git('commit', '-q', '-m', 'init');
    // a host directory with a socket-like special file made during the run: the cleanup must never walk it
    // (shaped as a git dir, or ags refuses to start: the commondir must name one)
    const victim = join(tmp.dir, 'victim');
    for (const d of ['objects', 'refs']) mkdirSync(join(victim, d), { recursive: true });
    writeFileSync(join(victim, 'HEAD'), 'ref: refs/heads/master\n');
    await runAsTestUser(host, ['true']);
    execFileSync('cp', ['-a', join(repo, '.git', 'objects/.'), join(victim, 'objects')]);
    execFileSync('cp', ['-a', join(repo, '.git', 'refs/.'), join(victim, 'refs')]);
    execFileSync('chown', ['-R', `${host.uid}:${host.uid}`, victim]);
    const pwned = join(dir, 'PWNED');
    const config = writeTestConfig(host, join(dir, 'cfg'), '');
    const script = [
      'mkdir -p evil/hooks evil/objects evil/refs',
      `printf '[core]\\n\\tfsmonitor = "touch ${pwned}; false"\\n' > evil/config`,
      'echo ../evil > .git/commondir; echo "commondir=$?"',
      'cat .git/commondir',
      'git status --short >/dev/null && echo git-ok',
    ].join('; ');
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toMatch(/^commondir=1$/m);
    expect(String(r.stdout)).toMatch(/^\.$/m); // the placeholder: "this directory"
    expect(String(r.stdout)).toContain('git-ok');
    expect(String(r.stderr)).toContain('Read-only file system');
    expect(existsSync(join(repo, '.git', 'commondir'))).toBe(false);
    // as the user on the host, afterwards: git runs nothing planted
    await git('status', '--short');
    expect(existsSync(pwned)).toBe(false);

    // while a run goes on, the host's git in the same repository works: the point under the placeholder says "."
    const during = runAgs(
      host,
      [
        '--config',
        config,
        '--agent',
        'shell',
        '--',
        '-c',
        'touch started; while [ ! -e go ]; do sleep 0.1; done',
      ],
      { cwd: repo, env: { XDG_RUNTIME_DIR: runtime } },
    );
    for (let i = 0; i < 300 && !existsSync(join(repo, 'started')); i++)
      await new Promise((done) => setTimeout(done, 100));
    expect(readFileSync(join(repo, '.git', 'commondir'), 'utf8')).toBe('.\n');
    const hostGit = await git('status', '--short');
    expect(hostGit.exitCode, String(hostGit.stderr)).toBe(0);
    await runAsTestUser(host, ['touch', join(repo, 'go')]);
    expect((await during).exitCode).toBe(0);
    expect(existsSync(join(repo, '.git', 'commondir'))).toBe(false);
    rmSync(join(repo, 'started'));
    rmSync(join(repo, 'go'));

    // an earlier run (or a hand) left a commondir pointing at a host directory: the check reads git dirs inside
    // the workspace only, so a FIFO made in that directory during the run is left alone
    writeFileSync(join(repo, '.git', 'commondir'), `${victim}\n`);
    giveToTestUser(host, join(repo, '.git', 'commondir'));
    const fifo = join(victim, 'fifo');
    const run = runAgs(
      host,
      [
        '--config',
        config,
        '--agent',
        'shell',
        '--',
        '-c',
        'touch started; while [ ! -e go ]; do sleep 0.1; done',
      ],
      { cwd: repo, env: { XDG_RUNTIME_DIR: runtime } },
    );
    for (let i = 0; i < 300 && !existsSync(join(repo, 'started')); i++)
      await new Promise((done) => setTimeout(done, 100));
    await runAsTestUser(host, ['mkfifo', fifo]);
    await runAsTestUser(host, ['touch', join(repo, 'go')]);
    const after = await run;
    expect(after.exitCode, String(after.stderr)).toBe(0);
    expect(existsSync(fifo)).toBe(true);
  });
});
