import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plantedLines, plantedReport } from '../../../src/host/planted-report.js';
import { MAX_ABSENT_REFS, protectionFacts } from '../../../src/host/protected-facts.js';
import { candidateWords, envrcLoads, scriptWords } from '../../../src/host/script-refs.js';
import { DEFAULT_PROTECTIONS, protectedMounts } from '../../../src/plan/protected-paths.js';
import { MAX_SCAN_DEPTH, scanWorkspace } from '../../../src/host/workspace-scan.js';

let tmp: string;
let repo: string;
beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-hostrun-')));
  repo = join(tmp, 'repo');
  execaSync('git', ['init', '-q', repo]);
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const put = (rel: string, text = '') => {
  mkdirSync(join(repo, rel, '..'), { recursive: true });
  writeFileSync(join(repo, rel), text);
};
const env = () => ({ GIT_CONFIG_SYSTEM: join(tmp, 'none'), GIT_CONFIG_GLOBAL: join(tmp, 'none') });
const facts = () => {
  const scans = [scanWorkspace(repo)];
  return protectionFacts({ repositoryRoots: [repo], agentConfigRoots: [repo], scans, home: tmp, env: env() });
};
const byPath = () =>
  Object.fromEntries(
    facts().map((f) => [f.path.slice(repo.length + 1), `${f.group}:${f.kind}:${f.placeholder}`]),
  );

describe('the words of hook scripts and hook manager configs that could be paths', () => {
  it('takes every word of a shell line, no options, no expansions (but a leading $(...)/ dropped), no comments', () => {
    expect(
      candidateWords('#!/bin/sh\n. "$(dirname "$0")/_/h"\n./scripts/check.sh --fix $X # later.sh\n', 'shell'),
    ).toEqual(['.', '_/h', './scripts/check.sh']);
  });
  it('takes a word after a leading $VAR/, ${VAR}/ or $(...)/ as relative to the top, and python -m modules', () => {
    const hook = [
      'TOP=$(git rev-parse --show-toplevel); "$TOP/tools/z.sh"',
      'exec "$(git rev-parse --show-toplevel)/tools/lint.sh"',
      '"${ROOT}/a/b.sh" x$Y/no',
      'python3 -m tools.check',
    ].join('\n');
    expect(candidateWords(hook, 'shell')).toEqual([
      'TOP',
      'rev-parse',
      'tools/z.sh',
      'exec',
      'tools/lint.sh',
      'a/b.sh',
      'python3',
      'tools.check',
      'tools/__init__.py',
      'tools/check.py',
      'tools/check/__init__.py',
      'tools/check/__main__.py',
    ]);
  });
  it('takes only the command keys of YAML (pre-commit entry/args, lefthook run)', () => {
    const yaml =
      'repos:\n- repo: local\n  hooks:\n  - id: x\n    entry: python tools/lint.py\n    args: [--x, tools/cfg.ini]\n    name: scripts/not-this.sh\npre-commit:\n  commands:\n    a:\n      run: ./bin/run-me {staged_files}\n';
    expect(candidateWords(yaml, 'yaml')).toEqual([
      'python',
      'tools/lint.py',
      'tools/cfg.ini',
      './bin/run-me',
    ]);
  });
});

describe('the words that name a script by their form (covered even when absent)', () => {
  it('./x, $TOP/x, a script extension, a path where a command goes; not bare words, modules or arguments', () => {
    const hook = [
      'npx lint-staged && go test ./...',
      '[ -x .husky/local ] && ./scripts/local-check --fix',
      'FOO=1 bin/lint src/a; sh tools/pre sub/dir',
      'exec "$(git rev-parse --show-toplevel)/hooks/extra"',
      'node build/verify.mjs origin/main # later.sh',
      'python3 -m tools.check',
    ].join('\n');
    expect(scriptWords(hook, 'shell')).toEqual([
      './scripts/local-check',
      'bin/lint',
      'tools/pre',
      './hooks/extra',
      'build/verify.mjs',
    ]);
    const yaml =
      'repos:\n- repo: local\n  hooks:\n  - id: x\n    entry: tools/gen-check\n    args: [a/b]\n    name: n.sh\n';
    expect(scriptWords(yaml, 'yaml')).toEqual(['tools/gen-check']);
  });
});

describe('what an .envrc loads', () => {
  it('source_env, dotenv (default .env), source and the nix files', () => {
    expect(
      envrcLoads(
        'source_env_if_exists .envrc.local\ndotenv\ndotenv_if_exists .env.dev\n. ./env.sh\nuse flake\n# source x\nsource_env sub\n',
      ),
    ).toEqual(['.envrc.local', '.env', '.env.dev', './env.sh', 'flake.nix', 'flake.lock', 'sub']);
  });
});

describe('the host-run files of a work tree', () => {
  it('protects husky, pre-commit and lefthook files and the repository scripts they name; .git/info/attributes', () => {
    put('.husky/pre-commit', 'npx lint-staged\n./scripts/check.sh\n');
    put('.husky/_/h', '#!/bin/sh\n');
    put('scripts/check.sh', 'exit 0\n');
    put('.pre-commit-config.yaml', 'repos:\n- repo: local\n  hooks:\n  - id: l\n    entry: tools/lint.sh\n');
    put('tools/lint.sh');
    put('lefthook.yml', 'pre-commit:\n  commands:\n    t:\n      run: bin/t.sh\n');
    put('bin/t.sh');
    put('node_modules/.bin/lint-staged');
    const p = byPath();
    expect(p).toMatchObject({
      '.husky': 'git:dir:dir',
      'scripts/check.sh': 'git:file:file',
      '.pre-commit-config.yaml': 'git:file:file',
      'tools/lint.sh': 'git:file:file',
      'lefthook.yml': 'git:file:file',
      // lefthook merges its local file: where lefthook is used, an absent one is covered by a placeholder
      'lefthook-local.yml': 'git:absent:file',
      'bin/t.sh': 'git:file:file',
      '.git/info/attributes': 'git:absent:file',
    });
    expect(p).not.toHaveProperty(['node_modules/.bin/lint-staged']);
    // without lefthook, its local file is not covered (nothing would read it)
    rmSync(join(repo, 'lefthook.yml'));
    expect(byPath()).not.toHaveProperty(['lefthook-local.yml']);
  });

  it('covers a script a hook or hook manager names that does not exist yet with a placeholder, bounded', () => {
    put('.husky/pre-commit', 'npx lint-staged\n[ -x scripts/local.sh ] && scripts/local.sh\n');
    put('.pre-commit-config.yaml', 'repos:\n- repo: local\n  hooks:\n  - id: l\n    entry: tools/gen/lint\n');
    put('lefthook.yml', 'pre-commit:\n  commands:\n    t:\n      run: ./bin/t\n');
    put('.overcommit.yml', 'PreCommit:\n  X:\n    script: hooks/x.py\n');
    put('.git/hooks/pre-push', '#!/bin/sh\n./ci/push-check\n');
    put('README', 'a file\n');
    put('.git/hooks/post-merge', '#!/bin/sh\nsh README/x.sh\n');
    writeFileSync(join(repo, '.git', 'config'), '[filter "x"]\n\tclean = sh tools/clean.sh\n', { flag: 'a' });
    const p = byPath();
    for (const f of [
      'scripts/local.sh',
      'tools/gen/lint',
      'bin/t',
      'hooks/x.py',
      'ci/push-check',
      'tools/clean.sh',
    ])
      expect(p[f], f).toBe('git:absent:file');
    // bare words are commands on PATH; below a file no placeholder can go
    for (const f of ['npx', 'lint-staged', 'README/x.sh']) expect(p, f).not.toHaveProperty([f]);
    // the placeholders' directories that do not exist are pinned: `mv scripts x` cannot take the mount along
    const mounts = protectedMounts(
      facts(),
      [{ source: repo, target: '/w', mode: 'rw', why: 'workspace', showInHint: true }],
      DEFAULT_PROTECTIONS,
      { dir: '/ph.d', file: '/ph', gitignore: '/ph.g', commondir: '/ph.c' },
    );
    const pinned = mounts.filter((m) => m.mode === 'rw').map((m) => m.target);
    for (const d of ['/w/scripts', '/w/tools', '/w/tools/gen', '/w/bin', '/w/ci'])
      expect(pinned, d).toContain(d);
    // a hook naming thousands: the first MAX_ABSENT_REFS held, the rest said at start
    const many = Array.from({ length: 100 }, (_, i) => `./gen/s${i}`).join('\n');
    put('.git/hooks/pre-commit', `#!/bin/sh\n${many}\n`);
    const notes: string[] = [];
    const all = protectionFacts(
      {
        repositoryRoots: [repo],
        agentConfigRoots: [repo],
        scans: [scanWorkspace(repo)],
        home: tmp,
        env: env(),
      },
      notes,
    );
    expect(all.filter((e) => e.ref && e.kind === 'absent')).toHaveLength(MAX_ABSENT_REFS);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^hooks name \d+ scripts that do not exist; only the first 32 are held/);
  });

  it('protects the scripts git hooks and filter drivers in the repository name', () => {
    put('.git/hooks/post-checkout', '#!/bin/sh\nsh tools/after.sh\n');
    put('tools/after.sh');
    writeFileSync(
      join(repo, '.git', 'config'),
      '[filter "x"]\n\tclean = ./tools/clean.sh %f\n\tsmudge = cat\n',
      { flag: 'a' },
    );
    put('tools/clean.sh');
    expect(byPath()).toMatchObject({ 'tools/after.sh': 'git:file:file', 'tools/clean.sh': 'git:file:file' });
  });

  it('protects what an .envrc loads, and report-only names only where they exist', () => {
    put('.envrc', 'source_env_if_exists .envrc.local\ndotenv\n');
    put('.env', 'X=1\n');
    put('mise.toml', '[hooks]\nenter = "x"\n');
    const p = byPath();
    expect(p).toMatchObject({
      '.envrc': 'agent-config:file:file',
      '.env': 'agent-config:file:file',
      'mise.toml': 'agent-config:file:file',
    });
    // a file it would load once it exists is covered by an empty placeholder
    expect(p['.envrc.local']).toBe('agent-config:absent:file');
    expect(p).not.toHaveProperty(['.kiro']);
  });

  it('holds .opencode/.gitignore when .opencode/ exists without it (opencode writes it at start)', () => {
    put('.opencode/agent/a.md');
    expect(byPath()).toMatchObject({
      '.opencode': 'agent-config:dir:dir',
      '.opencode/.gitignore': 'agent-config:absent:gitignore',
    });
    put('.opencode/.gitignore', 'x\n');
    expect(byPath()).not.toHaveProperty(['.opencode/.gitignore']);
  });

  it('protects settings and repositories in subdirectories that exist, and refuses nothing else', () => {
    put('sub/.claude/settings.json', '{}');
    put('sub/deeper/.envrc', 'dotenv\n');
    put('sub/deeper/.env');
    put('sub/.vscode/tasks.json');
    execaSync('git', ['init', '-q', join(repo, 'nested')]);
    execaSync('git', ['init', '-q', '--bare', join(repo, 'vendor', 'bare')]);
    const p = byPath();
    expect(p).toMatchObject({
      'sub/.claude': 'agent-config:dir:dir',
      'sub/.vscode': 'agent-config:dir:dir',
      'sub/deeper/.envrc': 'agent-config:file:file',
      'sub/deeper/.env': 'agent-config:file:file',
      'nested/.git': 'git:dir:dir',
      'nested/.git/config': 'git:file:file',
      'nested/.git/hooks': 'git:dir:dir',
      'vendor/bare/config': 'git:file:file',
      'vendor/bare/hooks': 'git:dir:dir',
    });
    // absent names in subdirectories get no placeholder (they are reported if they appear)
    expect(p).not.toHaveProperty(['sub/.gemini']);
  });
});

describe('a symbolic link in a subdirectory where a protected name goes', () => {
  it('is refused with the opt-out named, as at the top (the agent could replace a link)', () => {
    put('.vscode/tasks.json');
    mkdirSync(join(repo, 'pkg'));
    symlinkSync('../.vscode', join(repo, 'pkg', '.vscode'));
    const entries = facts();
    expect(entries.find((e) => e.path === join(repo, 'pkg', '.vscode'))?.kind).toBe('symlink');
    const mount = { source: repo, target: repo, mode: 'rw' as const, why: 'workspace', showInHint: true };
    expect(() =>
      protectedMounts(entries, [mount], DEFAULT_PROTECTIONS, {
        dir: '/d',
        file: '/f',
        gitignore: '/g',
        commondir: '/c',
      }),
    ).toThrow(/pkg\/\.vscode \(VS Code tasks, launch and settings, in a subdirectory\) is a symbolic link/);
  });
});

describe('the work tree scan and the report of what appeared', () => {
  it('finds nested .git of every kind, bare repositories and settings; never follows a symlink', () => {
    execaSync('git', ['init', '-q', join(repo, 'a')]);
    put('b/.git', 'gitdir: /elsewhere\n');
    mkdirSync(join(repo, 'c'));
    symlinkSync('/tmp', join(repo, 'c', '.git'));
    execaSync('git', ['init', '-q', '--bare', join(repo, 'd')]);
    put('e/.gemini/settings.json');
    // a symlinked directory holding settings is not entered
    mkdirSync(join(tmp, 'outside', '.claude'), { recursive: true });
    symlinkSync(join(tmp, 'outside'), join(repo, 'link'));
    // node_modules is not entered
    put('node_modules/x/.claude/settings.json');
    const s = scanWorkspace(repo);
    expect(
      Object.fromEntries(
        [...s.repos].map(([k, v]) => [k.slice(repo.length + 1), `${String(v.what)}:${v.kind}`]),
      ),
    ).toEqual({
      'a/.git': '.git:dir',
      'b/.git': '.git:file',
      'c/.git': '.git:symlink:/tmp',
      d: 'bare:dir',
    });
    expect([...s.hostRun.keys()].map((k) => k.slice(repo.length + 1))).toEqual(['e/.gemini']);
    expect(s.truncated).toBe(false);
  });

  it('is bounded in depth and says which bound cut it', () => {
    const before = [scanWorkspace(repo)];
    put(`${Array.from({ length: MAX_SCAN_DEPTH + 2 }, (_, i) => `d${i}`).join('/')}/f`);
    const s = scanWorkspace(repo);
    expect([s.truncated, s.cutBy]).toEqual([true, 'depth']);
    expect(plantedLines(before, [s], tmp, new Set()).map((l) => l.line)).toEqual([
      `${repo}: the check stopped at ${MAX_SCAN_DEPTH} directories deep; repositories or settings planted beyond it were not looked for`,
    ]);
  });

  it('reports new symbolic links to directories: outside the workspace, into node_modules, inside it; not to files', () => {
    mkdirSync(join(tmp, 'home', 'evil', '.git'), { recursive: true });
    symlinkSync('README', join(repo, 'old-link'));
    symlinkSync(join(tmp, 'home'), join(repo, 'was-there'));
    const before = [scanWorkspace(repo)];
    put('README', 'x');
    put('node_modules/.cache/src/f');
    put('deep/a/b/f');
    symlinkSync(join(tmp, 'home', 'evil'), join(repo, 'tools'));
    symlinkSync('node_modules/.cache/src', join(repo, 'src'));
    symlinkSync('deep/a/b', join(repo, 'docs'));
    symlinkSync('README', join(repo, 'file-link'));
    symlinkSync('nowhere', join(repo, 'dangling'));
    const lines = plantedLines(before, [scanWorkspace(repo)], tmp, new Set());
    // inside the work tree: not something that runs; out of it, into node_modules or to a repository: it is
    expect(lines.filter((l) => !l.runs).map((l) => l.line)).toEqual([
      expect.stringContaining('/docs -> deep/a/b'),
    ]);
    expect(lines.map((l) => l.line).sort()).toEqual(
      [
        `a symbolic link to a directory appeared at ${repo}/docs -> deep/a/b (inside the workspace): \`cd\` into it and git, direnv or an agent there run what lies behind it`,
        `a symbolic link to a directory appeared at ${repo}/src -> node_modules/.cache/src (into node_modules): \`cd\` into it and git, direnv or an agent there run what lies behind it`,
        `a symbolic link to a directory appeared at ${repo}/tools -> ${tmp}/home/evil (outside the workspace; a git repository is there): \`cd\` into it and git, direnv or an agent there run what lies behind it`,
      ].sort(),
    );
  });

  it('reports a repository and settings that appeared, with the executable keys and hooks, escaped', () => {
    const before = [scanWorkspace(repo)];
    const nested = join(repo, 'sub');
    execaSync('git', ['init', '-q', nested]);
    writeFileSync(join(nested, '.git', 'config'), '[core]\n\tfsmonitor = "touch /tmp/p\u001b[2J"\n', {
      flag: 'a',
    });
    writeFileSync(join(nested, '.git', 'hooks', 'post-checkout'), '#!/bin/sh\n');
    put('big/.git/HEAD', 'ref: refs/heads/main\n');
    mkdirSync(join(repo, 'big', '.git', 'objects'));
    mkdirSync(join(repo, 'big', '.git', 'refs'));
    writeFileSync(join(repo, 'big', '.git', 'config'), Buffer.alloc(2 * 1024 * 1024, 0x20));
    put('pkg/.claude/settings.json', '{}');
    put('pkg/.envrc', 'x');
    const lines = plantedLines(before, [scanWorkspace(repo)], tmp, new Set());
    expect(lines.map((l) => l.line)).toEqual([
      expect.stringMatching(
        /^a git repository \(its \.git is a directory\) appeared at .*\/repo\/big: .* its config is 2097152 bytes, too large to read: treat it as hostile$/,
      ),
      expect.stringMatching(
        /^a git repository \(its \.git is a directory\) appeared at .*\/repo\/sub: .* executable config: core\.fsmonitor = touch \/tmp\/p\\x1b\[2J; hooks: post-checkout$/,
      ),
      expect.stringMatching(
        /pkg\/\.claude appeared \(a directory; Claude Code .*\): a program on your host opened or run in .*\/pkg loads it/,
      ),
      expect.stringMatching(/pkg\/\.envrc appeared \(a file; direnv/),
    ]);
    const report = plantedReport(lines);
    expect(report).toMatch(/^ags: WARNING: this run left files that programs on your host run or load:\n/);
    expect(report).not.toContain('\u001b');
    // nothing new: nothing said
    expect(plantedLines([scanWorkspace(repo)], [scanWorkspace(repo)], tmp, new Set())).toEqual([]);
  });

  it('says what runs first and never cuts it for a flood of plain repositories; those come after, cut with a count', () => {
    const before = [scanWorkspace(repo)];
    for (let i = 0; i < 30; i++)
      execaSync('git', ['init', '-q', join(repo, `a${String(i).padStart(2, '0')}`)]);
    execaSync('git', ['init', '-q', join(repo, 'zz')]);
    writeFileSync(join(repo, 'zz', '.git', 'hooks', 'post-checkout'), '#!/bin/sh\n');
    put('zz2/.vscode/tasks.json', '{}');
    const lines = plantedLines(before, [scanWorkspace(repo)], tmp, new Set());
    expect(lines.filter((l) => l.runs)).toHaveLength(2);
    const report = plantedReport(lines).split('\n');
    expect(report[1]).toMatch(/appeared at \S*\/zz: .*hooks: post-checkout$/);
    expect(report[2]).toMatch(/zz2\/\.vscode appeared/);
    expect(report[3]).toMatch(/appeared at \S*\/a00: .*no executable config keys or hooks found$/);
    expect(report[23]).toBe(
      'ags:   ... and 10 more (repositories with no hooks or executable keys, links inside the workspace)',
    );
  });
});

describe('hooks that are symbolic links', () => {
  it('protects the file a hook links to, and what that file runs', () => {
    put('githooks/commit-msg', '#!/bin/sh\nsh tools/msg.sh\n');
    put('tools/msg.sh', 'exit 0\n');
    symlinkSync('../../githooks/commit-msg', join(repo, '.git', 'hooks', 'commit-msg'));
    // a dangling link and a link to a directory protect nothing more
    symlinkSync('../../nowhere', join(repo, '.git', 'hooks', 'pre-push'));
    symlinkSync('../../githooks', join(repo, '.git', 'hooks', 'post-merge'));
    const got = byPath();
    expect(got['githooks/commit-msg']).toBe('git:file:file');
    expect(got['tools/msg.sh']).toBe('git:file:file');
    expect(Object.keys(got).filter((k) => k.startsWith('githooks'))).toEqual(['githooks/commit-msg']);
  });
});
