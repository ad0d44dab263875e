import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

/**
 * A hostile agent in a real rootless container goes after what the HOST runs later without the user asking to
 * run the repository's code: the scripts git hooks and hook managers hand off to, a filter driver's script,
 * what an `.envrc` loads, settings in subdirectories, nested repositories. What exists at start stays as it
 * was; what appears is said after the run, with what it would run.
 */
describe('what the host runs later, beyond .git and the top-level settings', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let runtime: string;
  let canary: string;

  const git = (repo: string, ...args: string[]) =>
    runAsTestUser(host, ['git', '-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);

  async function setup(name: string, files: Record<string, string>, sandbox = '') {
    const dir = join(tmp.dir, name);
    mkdirSync(dir, { recursive: true });
    giveToTestUser(host, dir);
    const repo = await makeTestRepo(host, dir, files);
    const config = writeTestConfig(host, join(dir, 'cfg'), '', { sandbox });
    return { repo, config };
  }

  const run = (config: string, repo: string, script: string) =>
    runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: runtime },
    });

  /** Each attempt prints `<name>=ok` when it worked, `<name>=refused` when it did not; the parsed results. */
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
    canary = join(tmp.dir, 'PWNED');
  });

  afterAll(() => tmp?.cleanup());

  it('refuses writes to hook manager files, the scripts they name, a filter script, .envrc loads and subdirectory settings; host git runs nothing planted', async () => {
    const { repo, config } = await setup('managers', {
      'README.md': 'hi\n',
      '.husky/pre-commit': './scripts/check.sh\n',
      '.husky/_/h': '#!/bin/sh\n',
      'scripts/check.sh': 'exit 0\n',
      '.pre-commit-config.yaml': 'repos:\n- repo: local\n  hooks:\n  - id: l\n    entry: tools/lint.sh\n',
      'tools/lint.sh': 'exit 0\n',
      'tools/clean.sh': 'cat\n',
      'lefthook.yml': 'pre-commit:\n  commands:\n    t:\n      run: ./scripts/check.sh\n',
      '.gitattributes': '*.txt filter=x\n',
      '.envrc': 'source_env_if_exists .envrc.local\ndotenv\n',
      '.env': 'A=1\n',
      'sub/.claude/settings.json': '{}\n',
      'sub/.envrc': 'export A=1\n',
      'sub/.vscode/tasks.json': '{}\n',
    });
    // a filter driver whose script lives in the repository: the host's `git add`/`git status` run it
    await git(repo, 'config', 'filter.x.clean', 'sh tools/clean.sh');
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-q', '-m', 'init');
    // a nested repository the user had before the run
    await runAsTestUser(host, ['git', 'init', '-q', join(repo, 'nested')]);
    const evil = `touch ${canary}`;
    const script = [
      attempt('husky-hook', `echo '${evil}' > .husky/pre-commit`),
      attempt('husky-new', `echo '${evil}' > .husky/post-checkout`),
      attempt('husky-runner', `echo '${evil}' >> .husky/_/h`),
      attempt('husky-script', `echo '${evil}' > scripts/check.sh`),
      attempt('pre-commit-config', `echo '# x' >> .pre-commit-config.yaml`),
      attempt('pre-commit-script', `echo '${evil}' > tools/lint.sh`),
      attempt('lefthook-config', `echo '# x' >> lefthook.yml`),
      attempt('lefthook-local', `echo 'pre-commit: {commands: {e: {run: "${evil}"}}}' > lefthook-local.yml`),
      attempt('filter-script', `echo '${evil}; cat' > tools/clean.sh`),
      attempt('info-attributes', `echo '* filter=x' > .git/info/attributes`),
      attempt('envrc-local', `echo '${evil}' > .envrc.local`),
      attempt('dotenv', `echo 'BASH_ENV=/tmp/x' >> .env`),
      attempt('sub-claude', `echo '{"hooks":{}}' > sub/.claude/settings.json`),
      attempt('sub-envrc', `echo '${evil}' > sub/.envrc`),
      attempt('sub-vscode', `echo '{}' > sub/.vscode/settings.json`),
      attempt('nested-config', `git -C nested config core.fsmonitor '${evil}; false'`),
      attempt('nested-hook', `echo '${evil}' > nested/.git/hooks/post-checkout`),
      // normal work: a commit through the (read-only) filter, other files in the tree
      attempt('git-work', 'echo x > a.txt && git add a.txt && git commit -qm a && echo y > scripts/other.sh'),
    ].join('\n');
    const r = await run(config, repo, script);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(results(r.stdout)).toEqual({
      'husky-hook': 'refused',
      'husky-new': 'refused',
      'husky-runner': 'refused',
      'husky-script': 'refused',
      'pre-commit-config': 'refused',
      'pre-commit-script': 'refused',
      'lefthook-config': 'refused',
      'lefthook-local': 'refused',
      'filter-script': 'refused',
      'info-attributes': 'refused',
      'envrc-local': 'refused',
      dotenv: 'refused',
      'sub-claude': 'refused',
      'sub-envrc': 'refused',
      'sub-vscode': 'refused',
      'nested-config': 'refused',
      'nested-hook': 'refused',
      'git-work': 'ok',
    });
    expect(String(r.stderr)).not.toContain('WARNING');
    // the host's git afterwards: add and status run the filter; a commit in the nested repository runs nothing
    await runAsTestUser(host, ['sh', '-c', `echo z >> ${join(repo, 'README.txt')}`]);
    const add = await git(repo, 'add', 'README.txt');
    expect(add.exitCode, String(add.stderr)).toBe(0);
    expect((await git(repo, 'status', '--short')).exitCode).toBe(0);
    await git(join(repo, 'nested'), 'commit', '-q', '--allow-empty', '-m', 'n');
    expect(existsSync(canary)).toBe(false);
    expect(readFileSync(join(repo, 'scripts', 'check.sh'), 'utf8')).toBe('exit 0\n');
    // placeholders ags made are gone again
    for (const p of ['lefthook-local.yml', '.git/info/attributes', '.envrc.local'])
      expect(existsSync(join(repo, p)), p).toBe(false);
  });

  it('scripts hooks name that do not exist yet cannot be created, not even by renaming the directory above; host git runs nothing', async () => {
    const { repo, config } = await setup('absent-refs', {
      'README.md': 'hi\n',
      '.husky/pre-commit': '[ -x scripts/husky-local.sh ] && scripts/husky-local.sh\n',
      '.pre-commit-config.yaml':
        'repos:\n- repo: local\n  hooks:\n  - id: l\n    entry: tools/gen/lint\n    language: system\n',
      'lefthook.yml': 'pre-commit:\n  commands:\n    t:\n      run: ./bin/lefthook-check\n',
      '.overcommit.yml': 'PreCommit:\n  X:\n    script: hooks/x.py\n',
    });
    const hook = join(repo, '.git', 'hooks', 'pre-commit');
    await runAsTestUser(host, [
      'sh',
      '-c',
      `printf '#!/bin/sh\\n[ -x ./ci/local-check ] && ./ci/local-check\\nexit 0\\n' > ${hook} && chmod +x ${hook}`,
    ]);
    const evil = `#!/bin/sh\ntouch ${canary}.absent`;
    const plant = (path: string) => `printf '${evil}' > ${path} && chmod +x ${path}`;
    const script = [
      attempt('git-hook-script', `mkdir -p ci && ${plant('ci/local-check')}`),
      attempt('git-hook-rename', `mv ci ci.x && mkdir ci && ${plant('ci/local-check')}`),
      attempt('husky-script', `mkdir -p scripts && ${plant('scripts/husky-local.sh')}`),
      attempt('husky-rename', `mv scripts s.x && mkdir scripts && ${plant('scripts/husky-local.sh')}`),
      attempt('pre-commit-script', `mkdir -p tools/gen && ${plant('tools/gen/lint')}`),
      attempt('pre-commit-rename', `mv tools t.x && mkdir -p tools/gen && ${plant('tools/gen/lint')}`),
      attempt('lefthook-script', `mkdir -p bin && ${plant('bin/lefthook-check')}`),
      attempt('overcommit-script', `mkdir -p hooks && ${plant('hooks/x.py')}`),
      // a protected directory's absent parent (.github/hooks with no .github) is pinned the same way
      attempt('github-rename', `mv .github g.x && mkdir -p .github/hooks && echo x > .github/hooks/h`),
      // normal work next to them
      attempt(
        'git-work',
        'echo x > a.txt && git add a.txt && git commit -qm a && mkdir -p tools && echo y > tools/other.sh',
      ),
    ].join('\n');
    const r = await run(config, repo, script);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(results(r.stdout)).toEqual({
      'git-hook-script': 'refused',
      'git-hook-rename': 'refused',
      'husky-script': 'refused',
      'husky-rename': 'refused',
      'pre-commit-script': 'refused',
      'pre-commit-rename': 'refused',
      'lefthook-script': 'refused',
      'overcommit-script': 'refused',
      'github-rename': 'refused',
      'git-work': 'ok',
    });
    expect(String(r.stderr)).not.toContain('WARNING');
    // the host's next commit runs the git hook, which finds nothing to run
    await runAsTestUser(host, ['sh', '-c', `echo z >> ${join(repo, 'README.md')}`]);
    await git(repo, 'add', 'README.md');
    const commit = await git(repo, 'commit', '-qm', 'host');
    expect(commit.exitCode, String(commit.stderr)).toBe(0);
    expect(existsSync(`${canary}.absent`)).toBe(false);
    // the placeholders and the directories ags made for them are gone; what the agent wrote is kept
    for (const p of ['ci', 'scripts', 'bin', 'hooks', 'tools/gen', '.github'])
      expect(existsSync(join(repo, p)), p).toBe(false);
    expect(readFileSync(join(repo, 'tools', 'other.sh'), 'utf8')).toBe('y\n');
  });

  it('reports nested and bare repositories and subdirectory settings that appeared, with what they run, escaped', async () => {
    const { repo, config } = await setup('planted', { 'README.md': 'hi\n' });
    const script = [
      `git init -q planted && git -C planted config core.fsmonitor 'touch ${canary}.fsmonitor; false'`,
      `printf '#!/bin/sh\\ntouch ${canary}.hook\\n' > planted/.git/hooks/post-checkout`,
      'git init -q empty',
      'git init -q --bare vendor/bare.git',
      `git -C vendor/bare.git config core.pager 'touch ${canary}.pager; cat'`,
      'mkdir -p gitfile && echo "gitdir: /tmp/elsewhere" > gitfile/.git',
      'mkdir -p linked && ln -s ../planted/.git linked/.git',
      'git init -q big && head -c 20000000 /dev/zero | tr "\\0" " " >> big/.git/config',
      `git init -q "$(printf 'esc\\033[2J')"`,
      'mkdir -p pkg/.claude pkg/.gemini pkg/.codex pkg/.opencode pkg/.vscode',
      `echo '{"hooks":{}}' > pkg/.claude/settings.json`,
      'echo {} > pkg/.gemini/settings.json',
      'echo > pkg/.codex/config.toml',
      'echo {} > pkg/.vscode/tasks.json',
      `echo '${'touch'} ${canary}.envrc' > pkg/.envrc`,
      // red team 7: host programs that load these on cd or on opening a file
      'mkdir -p .config/mise && echo "[hooks]" > .config/mise/config.toml',
      'echo "((nil . ((eval . (shell-command \\"true\\")))))" > .dir-locals.el',
      'echo "return {}" > .lazy.lua && echo "" > .lvimrc && echo "" > pkg/.autoenv.zsh',
      // red team 9: build tools' config and interpreters' startup files
      'mkdir -p .mvn .cargo pkg/.hg && echo "-javaagent:/tmp/a.jar" > .mvn/jvm.config',
      'echo "[build]" > .cargo/config.toml && echo "[hooks]" > pkg/.hg/hgrc && echo "import os" > .pdbrc',
      'echo "" > .Rprofile && echo "" > pkg/.irbrc && echo "org.gradle.jvmargs=-javaagent:/tmp/a.jar" > gradle.properties',
      'echo planted',
    ].join(' && ');
    const r = await run(config, repo, script);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain('planted');
    const err = String(r.stderr);
    expect(err).toContain('ags: WARNING: this run left files that programs on your host run or load:');
    const has = (re: RegExp) => expect(err).toMatch(re);
    // what runs something, and every .git that is a file or a link, is moved aside; a plain `git init` stays
    expect(err).toContain(
      'ags: WARNING: this run created git repositories that git on your host would have run',
    );
    const q = String.raw`\.ags-quarantined-[0-9a-f]{8}`;
    has(
      new RegExp(
        String.raw`moved \S*/planted/\.git to \S*/planted/\.git${q} and its HEAD to HEAD\.ags-quarantined — executable config: core\.fsmonitor = touch \S*PWNED\.fsmonitor; false; hooks: post-checkout`,
      ),
    );
    has(
      /a git repository \(its \.git is a directory\) appeared at \S*\/empty: .*no executable config keys or hooks found/,
    );
    has(
      new RegExp(
        String.raw`moved \S*/vendor/bare\.git to \S*/vendor/bare\.git${q} .*core\.pager = touch \S*PWNED\.pager; cat`,
      ),
    );
    has(
      new RegExp(
        String.raw`moved \S*/gitfile/\.git to \S*/gitfile/\.git${q} — its \.git names /tmp/elsewhere`,
      ),
    );
    has(
      new RegExp(
        String.raw`moved \S*/linked/\.git to \S*/linked/\.git${q} — not read \(its \.git is a symbolic link\)`,
      ),
    );
    has(
      new RegExp(
        String.raw`moved \S*/big/\.git to \S*/big/\.git${q} .*its config is \d+ bytes, too large to read`,
      ),
    );
    for (const d of ['planted', 'gitfile', 'linked', 'big'])
      expect(existsSync(join(repo, d, '.git')), d).toBe(false);
    expect(existsSync(join(repo, 'empty', '.git'))).toBe(true);
    has(/appeared at "?\S*\/esc\\x1b\[2J"?:/);
    for (const name of ['.claude', '.gemini', '.codex', '.opencode', '.vscode', '.envrc', '.autoenv.zsh'])
      expect(err).toContain(`pkg/${name} appeared`);
    for (const name of [
      '.config/mise',
      '.dir-locals.el',
      '.lazy.lua',
      '.lvimrc',
      '.mvn/jvm.config',
      '.cargo/config.toml',
      '.pdbrc',
      '.Rprofile',
      'gradle.properties',
    ])
      expect(err).toContain(`${repo}/${name} appeared`);
    for (const name of ['.hg/hgrc', '.irbrc']) expect(err).toContain(`pkg/${name} appeared`);
    expect(err).not.toContain('\u001b');
    // reading them ran nothing
    for (const s of ['fsmonitor', 'hook', 'pager', 'envrc'])
      expect(existsSync(`${canary}.${s}`), s).toBe(false);
  });

  it('when the report is cut, what the host runs comes first and is never cut; plain repositories after, counted', async () => {
    const { repo, config } = await setup('flood', { 'README.md': 'hi\n' });
    const script = [
      'for i in $(seq -w 1 40); do git init -q plain$i; done',
      'mkdir -p zz/.claude && echo {} > zz/.claude/settings.json',
      'ln -s /tmp zz-link',
      'echo planted',
    ].join(' && ');
    const r = await run(config, repo, script);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const err = String(r.stderr).split('\n');
    const start = err.indexOf('ags: WARNING: this run left files that programs on your host run or load:');
    expect(start).toBeGreaterThanOrEqual(0);
    const block = err.slice(start + 1, start + 24);
    const leading = block.slice(0, 2).join('\n');
    expect(leading).toMatch(/\/zz\/\.claude appeared \(a directory; Claude Code/);
    expect(leading).toMatch(
      /a symbolic link to a directory appeared at \S*\/zz-link -> \/tmp \(outside the workspace\)/,
    );
    expect(block[2]).toMatch(/appeared at \S*\/plain01: .*no executable config keys or hooks found$/);
    expect(block[22]).toBe(
      'ags:   ... and 20 more (repositories with no hooks or executable keys, links inside the workspace)',
    );
  });

  it('a directory the run made unreadable is named after the run (what is inside goes unchecked)', async () => {
    const { repo, config } = await setup('unreadable', { 'README.md': 'hi\n' });
    const script =
      'mkdir -p hid/sub/.claude && echo {} > hid/sub/.claude/settings.json && chmod 0311 hid && echo done';
    const r = await run(config, repo, script);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toMatch(/could not read a directory the run made unreadable[^\n]*\/hid\b/);
    // the workspace's own unreadable directories, there before the run, are not said again
    const again = await run(config, repo, 'true');
    expect(String(again.stderr)).not.toContain('could not read');
  });

  it('an existing .opencode/ without .gitignore: the file opencode writes at start is held, .opencode/ stays read-only', async () => {
    const { repo, config } = await setup('opencode', { 'README.md': 'hi\n', '.opencode/agent/a.md': 'a\n' });
    const script = [
      attempt('gitignore-held', 'grep -qx node_modules .opencode/.gitignore'),
      attempt('gitignore-write', 'echo x > .opencode/.gitignore'),
      attempt('plugin-write', `mkdir -p .opencode/plugin && echo 'x' > .opencode/plugin/p.ts`),
    ].join('\n');
    const r = await run(config, repo, script);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(results(r.stdout)).toEqual({
      'gitignore-held': 'ok',
      'gitignore-write': 'refused',
      'plugin-write': 'refused',
    });
    expect(existsSync(join(repo, '.opencode', '.gitignore'))).toBe(false);
  });
});
