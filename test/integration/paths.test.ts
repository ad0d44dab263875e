import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// The paths a run hands to the sandbox, for real: what a hostile repository (or an agent that wrote into one
// during an earlier run) can do with git's config, with names, with overlays; and what a slip of the user's
// (`-d ~`) would hand over. Every refusal must come before anything is created.
describe('the host paths a run mounts', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let config: string;
  let runtime: string;
  let repo: string;

  const env = (extra: Record<string, string> = {}) => ({ XDG_RUNTIME_DIR: runtime, ...extra });
  const ags = (args: string[], cwd = repo, extra: Record<string, string> = {}) =>
    runAgs(host, ['--config', config, ...args], { cwd, env: env(extra) });
  /** Every path under `dir`, to tell that a refused run created nothing. */
  const tree = (dir: string) =>
    existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]).sort() : [];
  const stack = /^\s+at /m;

  /** A directory (and its parents up to tmp) owned by the test user, with `files` in it. */
  const testDir = (path: string, files: Record<string, string> = {}) => {
    mkdirSync(path, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(path, name), content);
    for (let p = path; p.startsWith(tmp.dir) && p !== tmp.dir; p = join(p, '..')) giveToTestUser(host, p);
    giveToTestUser(host, ...Object.keys(files).map((f) => join(path, f)));
    return path;
  };

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    runtime = testDir(join(tmp.dir, 'run'));
    config = writeTestConfig(host, join(tmp.dir, 'cfg'));
    giveToTestUser(host, join(tmp.dir, 'cfg'));
    repo = await makeTestRepo(host, join(tmp.dir, 'plain'), { 'README.md': 'hello\n' });
  });

  afterAll(() => tmp?.cleanup());

  it('refuses a repository whose .git/config moves the work tree (core.worktree); the planted key stays out', async () => {
    const secret = testDir(join(tmp.dir, 'dot-ssh'), { id_ed25519: 'PLANTED-PRIVATE-KEY\n' });
    const hostile = await makeTestRepo(host, join(tmp.dir, 'hostile'), { 'README.md': 'x\n' });
    // what an agent did in an earlier run: the repository's .git/config is writable from inside
    await runAsTestUser(host, ['git', '-C', hostile, 'config', 'core.worktree', secret]);
    const r = await ags(['--agent', 'shell', '--', '-c', `cat ${secret}/id_ed25519; ls ${secret}`], hostile);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(String(r.stderr)).toMatch(
      /^ags: .*\/hostile\/repo\/\.git\/config sets core\.worktree = .*dot-ssh/,
    );
    expect(String(r.stdout)).not.toContain('PLANTED-PRIVATE-KEY');
    expect(String(r.stderr)).not.toMatch(stack);
    // not even planned: the plan would name the key's directory as the workspace
    const dry = await ags(['--agent', 'shell', '--dry-run'], hostile);
    expect(dry.exitCode).toBe(2);
    expect(String(dry.stdout)).not.toContain(secret);
  });

  it('refuses a work tree moved to the parent of all projects (a relative core.worktree)', async () => {
    const hostile = await makeTestRepo(host, join(tmp.dir, 'projects', 'one'));
    testDir(join(tmp.dir, 'projects', 'two'), { 'private.txt': 'OTHER-PROJECT\n' });
    await runAsTestUser(host, ['git', '-C', hostile, 'config', 'core.worktree', '../../..']);
    const r = await ags(['--agent', 'shell', '--', '-c', `cat ${tmp.dir}/projects/two/private.txt`], hostile);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(String(r.stderr)).toMatch(/core\.worktree = \.\.\/\.\.\/\.\./);
    expect(String(r.stdout)).not.toContain('OTHER-PROJECT');
  });

  it.each([
    ['the home directory', () => host.home],
    ['the file system root', () => '/'],
    ['the directory holding the runtime dir (every session)', () => runtime],
    ['the data dir (agent homes)', () => join(tmp.dir, 'cfg', 'data')],
  ])('refuses -d of %s with exit 2, before creating anything', async (_what, dir) => {
    const home = join(tmp.dir, 'cfg', 'data', 'homes', 'shell');
    const before = { home: tree(home), runtime: tree(runtime) };
    const r = await ags(['--agent', 'shell', '-d', dir(), '--', '-c', 'ls -a ~ /run/ags; echo RAN']);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(String(r.stderr)).toMatch(/^ags: refusing -d \S+: it (is|contains) /);
    expect(String(r.stderr)).not.toMatch(stack);
    expect(String(r.stdout)).not.toContain('RAN');
    expect({ home: tree(home), runtime: tree(runtime) }).toEqual(before);
    expect(existsSync('/opt/ags')).toBe(false);
  });

  it('refuses a workspace that contains the ags config dir (~/.config as a dotfiles repository)', async () => {
    const dotfiles = await makeTestRepo(host, join(tmp.dir, 'dotfiles'), {
      'ags/config.toml': readFileSync(config, 'utf8'),
    });
    const file = join(dotfiles, 'ags', 'config.toml');
    const original = readFileSync(file, 'utf8');
    // the default config (no --config): $XDG_CONFIG_HOME/ags/config.toml, inside the workspace
    const r = await runAgs(
      host,
      [
        '--agent',
        'shell',
        '--',
        '-c',
        `printf '[[secret]]\\nenv = "X"\\ncommand = ["/bin/sh"]\\n' >> ${file}`,
      ],
      { cwd: dotfiles, env: env({ XDG_CONFIG_HOME: dotfiles }) },
    );
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(String(r.stderr)).toMatch(
      /^ags: refusing to mount .*\/dotfiles\/repo as the workspace: it contains the ags config directory/,
    );
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('refuses a workspace that holds the --config file in use', async () => {
    const inside = await makeTestRepo(host, join(tmp.dir, 'holds-config'), {
      'ags.toml': readFileSync(config, 'utf8'),
    });
    const r = await runAgs(
      host,
      ['--config', join(inside, 'ags.toml'), '--agent', 'shell', '--', '-c', 'echo RAN'],
      { cwd: inside, env: env() },
    );
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(String(r.stderr)).toMatch(/it contains the config file in use .*\/ags\.toml/);
    expect(String(r.stdout)).not.toContain('RAN');
  });

  it("a trusted overlay cannot mount over ags's guard bundle (exit 2, located)", async () => {
    const evil = testDir(join(tmp.dir, 'evil'), { 'hook.mjs': 'EVIL-HOOK\n' });
    const overlay = `[[mount]]\nhost = "${evil}/hook.mjs"\ncontainer = "/opt/ags/sandbox/claude-hook.cjs"\nkind = "file"\nmode = "ro"\n`;
    const withOverlay = await makeTestRepo(host, join(tmp.dir, 'overlaid'), { '.ags/config.toml': overlay });
    // trusted exactly as `ags config show` would have recorded it
    const state = testDir(join(tmp.dir, 'state', 'ags'));
    const sha256 = createHash('sha256').update(overlay).digest('hex');
    const overlayFile = join(withOverlay, '.ags', 'config.toml');
    writeFileSync(
      join(state, 'trust.json'),
      JSON.stringify({
        version: 1,
        entries: [
          {
            repo: realpathSync(withOverlay),
            sha256,
            overlay: overlayFile,
            trusted_at: new Date().toISOString(),
          },
        ],
      }),
    );
    giveToTestUser(host, join(state, 'trust.json'));
    const r = await ags(
      ['--agent', 'shell', '--', '-c', 'cat /opt/ags/sandbox/claude-hook.cjs'],
      withOverlay,
      {
        XDG_STATE_HOME: join(tmp.dir, 'state'),
      },
    );
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(String(r.stderr)).toMatch(
      /^ags: .*\/\.ags\/config\.toml:3:1: mount\[0\]\.container: container path \/opt\/ags\/sandbox\/claude-hook\.cjs is inside \/opt\/ags/,
    );
    expect(String(r.stdout)).not.toContain('EVIL-HOOK');
  });

  it('mounts a workspace and a -d dir whose names hold ":" and "," whole, with no option slipped in', async () => {
    const odd = await makeTestRepo(host, join(tmp.dir, 'sp:ace,ro'), { 'in-ws.txt': 'IN-WORKSPACE\n' });
    const extra = testDir(join(tmp.dir, 'x:', 'etc:rw,relabel=shared'), { 'data.txt': 'IN-EXTRA\n' });
    const r = await ags(
      [
        '--agent',
        'shell',
        '-d',
        extra,
        '--',
        '-c',
        `cat in-ws.txt "$0/data.txt" && touch made-here "$0/made-there" && echo WROTE`,
        extra,
      ],
      odd,
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain('IN-WORKSPACE\nIN-EXTRA\nWROTE');
    // read-write as asked, not read-only from a name that says ",ro"
    expect(existsSync(join(odd, 'made-here'))).toBe(true);
    expect(existsSync(join(extra, 'made-there'))).toBe(true);
  });

  it.each([
    ['a symlink to it', (link: string) => link],
    ['a double slash', () => `/${host.home}`],
  ])('refuses the home as the workspace with $HOME written as %s', async (_what, homeVar) => {
    const link = join(tmp.dir, `home-link-${Math.random().toString(36).slice(2)}`);
    symlinkSync(host.home, link);
    const r = await runAsTestUser(
      host,
      [
        'env',
        `HOME=${homeVar(link)}`,
        process.execPath,
        AGS_BIN,
        '--config',
        config,
        '--agent',
        'shell',
        '--',
        '-c',
        'echo RAN',
      ],
      { cwd: host.home, env: env(), stdin: 'ignore' },
    );
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(String(r.stderr)).toMatch(
      /^ags: refusing to mount \/home\/\S+ as the workspace: it is your home directory/,
    );
    expect(String(r.stdout)).not.toContain('RAN');
  });

  it('host_home = true without the host directory names the path (exit 2), not a podman statfs error', async () => {
    const hh = writeTestConfig(host, join(tmp.dir, 'cfg-hh'), '[agents.claude]\nhost_home = true\n');
    const fakeHome = testDir(join(tmp.dir, 'fresh-home'));
    const r = await runAsTestUser(
      host,
      [
        'env',
        `HOME=${fakeHome}`,
        process.execPath,
        AGS_BIN,
        '--config',
        hh,
        '--agent',
        'claude',
        '--',
        '-p',
        'hi',
      ],
      { cwd: repo, env: env(), stdin: 'ignore' },
    );
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(String(r.stderr)).toMatch(
      /^ags: \[agents\.claude\] host_home = true, but .*\/fresh-home\/\.claude does not exist on the host\n {2}run claude on the host once/,
    );
    expect(String(r.stderr)).not.toContain('statfs');
  });

  it('a workspace whose name is not UTF-8 gets one line, exit 2', async () => {
    const r = await runAsTestUser(
      host,
      [
        'sh',
        '-c',
        'd="$(printf "$1/bad-\\377-name")"; mkdir "$d" && cd "$d" && exec "$2" "$3" --config "$4" --agent shell -- -c true',
        'sh',
        tmp.dir,
        process.execPath,
        AGS_BIN,
        config,
      ],
      { env: env(), stdin: 'ignore' },
    );
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(String(r.stderr)).toMatch(
      /^ags: the path of the current directory is not valid UTF-8 \(.*bad-\\xff-name\)/,
    );
    expect(String(r.stderr)).not.toMatch(stack);
  });
  it('a swapped or removed .git does not make the next run mount the repository above', async () => {
    const parent = await makeTestRepo(host, join(tmp.dir, 'projects-above'), {
      'other/private.txt': 'OTHER-PROJECT\n',
    });
    const app = testDir(join(parent, 'app'), { 'main.c': 'int main;\n' });
    await runAsTestUser(host, ['git', '-C', app, 'init', '-q']);
    const state = testDir(join(tmp.dir, 'state-above'));
    const run = (args: string[]) => ags(args, app, { XDG_STATE_HOME: state });
    const first = await run(['--agent', 'shell', '--', '-c', 'true']);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(readFileSync(join(state, 'ags', 'workspaces'), 'utf8')).toBe(`${app}\n`);
    const peek = ['--agent', 'shell', '--', '-c', `cat ${parent}/other/private.txt`];
    // what the agent did inside: mv .git .git-old && mkdir .git
    await runAsTestUser(host, ['sh', '-c', 'mv .git .git-old && mkdir .git'], { cwd: app });
    const swapped = await run(peek);
    expect(swapped.exitCode, String(swapped.stderr)).toBe(2);
    expect(String(swapped.stderr)).toMatch(/^ags: .*\/app\/\.git is not a git repository/);
    expect(String(swapped.stdout)).not.toContain('OTHER-PROJECT');
    // ... or rm -rf .git: the walk finds the repository above, which ags remembers was not the workspace
    await runAsTestUser(host, ['rm', '-rf', join(app, '.git')]);
    const removed = await run(peek);
    expect(removed.exitCode, String(removed.stderr)).toBe(2);
    expect(String(removed.stderr)).toMatch(
      /^ags: refusing to mount .*\/repo: .*\/app was a repository's top level when ags last ran there; its \.git is gone or moved/,
    );
    expect(String(removed.stderr)).toContain(join(state, 'ags', 'workspaces'));
    expect(String(removed.stdout)).not.toContain('OTHER-PROJECT');
    expect(String(removed.stderr)).not.toMatch(stack);
  });

  it('refuses a current directory reached through a symlink the agent planted in the repository', async () => {
    const secret = testDir(join(tmp.dir, 'secret-dir'), { 'key.txt': 'SECRET-KEY\n' });
    const project = await makeTestRepo(host, join(tmp.dir, 'linked'), { 'README.md': 'x\n' });
    // what the agent did inside: rm -rf src && ln -s ~/secret src
    await runAsTestUser(host, ['ln', '-s', secret, join(project, 'src')]);
    const src = join(project, 'src');
    const r = await ags(['--agent', 'shell', '--', '-c', 'cat key.txt'], src, { PWD: src });
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(String(r.stderr)).toMatch(
      /^ags: refusing to run: you reached .*\/secret-dir through a symlink inside repository .*\/linked\/repo that leads out of it/,
    );
    expect(String(r.stdout)).not.toContain('SECRET-KEY');
  });

  it('refuses /proc, /dev and /sys as -d', async () => {
    for (const dir of ['/proc', '/dev', '/sys/fs']) {
      const r = await ags(['--agent', 'shell', '-d', dir, '--', '-c', 'true']);
      expect(r.exitCode, String(r.stderr)).toBe(2);
      expect(String(r.stderr)).toMatch(/^ags: refusing -d \/\w+.*: it is (inside )?\/(proc|dev|sys)/);
    }
  });
});
