import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, giveToTestUser, runtimeToml } from '../support/ags.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';
import { fishQuote, shQuote } from '../../src/shell/quote.js';

type Shell = 'bash' | 'zsh' | 'fish';
const SHELLS: Shell[] = ['bash', 'zsh', 'fish'];

/** Arguments a user might give an alias: spaces, quotes, `$`, backquotes, `--`, globs, empty, a line break. */
const USER_ARGS = [
  'plain',
  'two words',
  "it's",
  '"dq"',
  '$HOME',
  '`id`',
  '$(id)',
  '--',
  '-c',
  'a;b|c&',
  '*',
  '',
  'back\\slash',
  'ends in a backslash\\',
  "\\'",
  'new\nline',
];

/** The hostile words of one alias's own args: quoted into every wrapper and alias, they must arrive whole. */
const ODD_ARGS = ["it's", '$HOME `id` "q" \\ ;|& *', '--', 'trailing\\'];

// create-aliases and remove-aliases for real: the built CLI as the test user, in temporary HOMEs, and every
// wrapper and alias then executed by real bash, zsh and fish, ending in a real ags run.
describe('ags create-aliases in real shells', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let runtime: string;

  /** A fresh HOME owned by the test user, with a user config holding `extra`. */
  const makeHome = (name: string, extra: string) => {
    const home = join(tmp.dir, name);
    const configDir = join(home, '.config', 'ags');
    mkdirSync(configDir, { recursive: true });
    const data = join(tmp.dir, `${name}-data`);
    mkdirSync(data, { recursive: true });
    writeFileSync(
      join(configDir, 'config.toml'),
      `[sandbox]\nimage = "${host.image}"\ndata_dir = "${data}"\ncache_dir = "${data}/cache"\n\n${runtimeToml(host)}\n${extra}\n`,
    );
    giveToTestUser(host, home, join(home, '.config'), configDir, join(configDir, 'config.toml'), data);
    return home;
  };

  const envFor = (home: string, shell: Shell, extra: Record<string, string> = {}) => ({
    HOME: home,
    PATH: `${join(home, '.local', 'bin')}:/usr/local/bin:/usr/bin:/bin`,
    SHELL: `/usr/bin/${shell}`,
    XDG_RUNTIME_DIR: runtime,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    ...extra,
  });

  /**
   * Runs `command` as the test user with exactly `env` (runuser itself would set HOME and SHELL to the
   * user's own, so the variables are given through env(1)).
   */
  const run = (command: string[], env: Record<string, string>) =>
    runAsTestUser(host, ['env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command], {
      cwd: repo,
      stdin: 'ignore',
    });

  const ags = (home: string, shell: Shell, args: string[], extra: Record<string, string> = {}) =>
    run([process.execPath, AGS_BIN, ...args], envFor(home, shell, extra));

  /**
   * Runs one command line in a real shell that reads its own start-up file (~/.bashrc for an interactive
   * bash, ~/.zshrc for an interactive zsh, config.fish for every fish).
   */
  const inShell = (home: string, shell: Shell, line: string, extra: Record<string, string> = {}) =>
    run(shell === 'fish' ? ['fish', '-c', line] : [shell, '-i', '-c', line], envFor(home, shell, extra));

  const commandLine = (shell: Shell, words: string[]) =>
    words.map(shell === 'fish' ? fishQuote : shQuote).join(' ');

  /** The agent's argv of a --dry-run's podman command: what follows the image. */
  const agentArgv = (stdout: string) => {
    const { podman } = JSON.parse(stdout) as { podman: string[] };
    return podman.slice(podman.indexOf(host.image) + 1);
  };

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir);
    runtime = join(tmp.dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    giveToTestUser(host, runtime);
  });

  afterAll(() => tmp?.cleanup());

  const ALIASES = `
[[alias]]
name = "t-dry"
args = ["--agent", "shell", "--dry-run"]

[[alias]]
name = "t-odd"
args = ${JSON.stringify(['--agent', 'shell', '--dry-run', '--', ...ODD_ARGS])}
`;

  for (const shell of SHELLS) {
    it(`${shell}: wrappers and aliases in the default places, idempotent, each run with the user's arguments intact`, async () => {
      const home = makeHome(`home-${shell}`, ALIASES);
      const bin = join(home, '.local', 'bin');
      const rc = {
        bash: join(home, '.bashrc'),
        zsh: join(home, '.zshrc'),
        fish: join(home, '.config', 'fish', 'config.fish'),
      }[shell];
      // the user's own rc file, without a final line break
      if (shell !== 'fish') {
        writeFileSync(rc, '# my own settings\nexport MINE=1');
        giveToTestUser(host, rc);
      }
      const before = shell === 'fish' ? null : readFileSync(rc);

      // the shell comes from $SHELL; ~/.local/bin is made, and it is not on this PATH
      const first = await ags(home, shell, ['create-aliases', '--mode', 'both'], { PATH: '/usr/bin:/bin' });
      expect(first.exitCode, String(first.stderr)).toBe(0);
      expect(String(first.stdout)).toContain(`created ${join(bin, 't-dry')}\n`);
      expect(String(first.stdout)).toContain('wrappers: 2 created, 0 updated, 0 unchanged, 0 skipped\n');
      expect(String(first.stdout)).toMatch(
        new RegExp(`^(created|updated) ${rc} \\(${shell} aliases: t-dry, t-odd\\)$`, 'm'),
      );
      expect(String(first.stderr)).toContain(`ags: warning: ${bin} is not on your PATH`);
      for (const name of ['t-dry', 't-odd']) {
        const st = statSync(join(bin, name));
        expect(st.mode & 0o777).toBe(0o755);
        expect(readFileSync(join(bin, name), 'utf8').split('\n')[1]).toMatch(/^# ags-managed-wrapper: /);
      }
      const rcMode = statSync(rc).mode & 0o777;
      const written = {
        rc: readFileSync(rc),
        dry: readFileSync(join(bin, 't-dry')),
        mtime: statSync(rc).mtimeMs,
      };

      // a second run changes nothing, byte for byte (the rc file is not even rewritten)
      const second = await ags(home, shell, ['create-aliases', '--mode', 'both']);
      expect(second.exitCode, String(second.stderr)).toBe(0);
      expect(String(second.stdout)).toContain('wrappers: 0 created, 0 updated, 2 unchanged, 0 skipped\n');
      expect(String(second.stdout)).toMatch(new RegExp(`^unchanged ${rc} `, 'm'));
      expect(String(second.stderr)).toBe('');
      expect(readFileSync(rc).equals(written.rc)).toBe(true);
      expect(statSync(rc).mtimeMs).toBe(written.mtime);
      expect(statSync(rc).mode & 0o777).toBe(rcMode);
      expect(readFileSync(join(bin, 't-dry')).equals(written.dry)).toBe(true);

      // every wrapper (`command` skips the alias or function) and every alias, in the real shell
      for (const form of ['wrapper', 'alias'] as const) {
        for (const [name, own] of [
          ['t-dry', []],
          ['t-odd', ODD_ARGS],
        ] as const) {
          const words = [...(form === 'wrapper' ? ['command', name] : [name]), ...USER_ARGS];
          // the alias form runs without the wrappers on PATH, so only the alias can answer
          const r = await inShell(
            home,
            shell,
            commandLine(shell, words),
            form === 'alias' ? { PATH: '/usr/bin:/bin' } : {},
          );
          expect(r.exitCode, `${form} ${name}: ${String(r.stderr)}`).toBe(0);
          expect(agentArgv(String(r.stdout)), `${form} ${name}`).toEqual(['/bin/bash', ...own, ...USER_ARGS]);
        }
      }

      // remove-aliases takes away exactly what ags made: the rc file is back byte for byte
      const removed = await ags(home, shell, ['remove-aliases']);
      expect(removed.exitCode, String(removed.stderr)).toBe(0);
      expect(String(removed.stdout)).toContain(`removed ${join(bin, 't-dry')}\n`);
      for (const name of ['t-dry', 't-odd']) expect(() => lstatSync(join(bin, name))).toThrow();
      if (before === null)
        expect(() => lstatSync(rc)).toThrow(); // ags had created config.fish
      else expect(readFileSync(rc).equals(before)).toBe(true);
    });
  }

  it('a wrapper ends in a real container run, from bash, zsh and fish, with every argument intact', async () => {
    const home = join(tmp.dir, 'home-real');
    mkdirSync(home, { recursive: true });
    giveToTestUser(host, home);
    // the test user's own HOME keeps its podman storage; the alias carries the config
    const config = makeHome('real-config', '');
    const bin = join(tmp.dir, 'real-bin');
    mkdirSync(bin);
    giveToTestUser(host, bin);
    const cfg = join(config, '.config', 'ags', 'config.toml');
    writeFileSync(
      cfg,
      `${readFileSync(cfg, 'utf8')}\n[[alias]]\nname = "t-real"\nargs = ${JSON.stringify(['--config', cfg, '--agent', 'shell'])}\n`,
    );
    const made = await ags(host.home, 'bash', ['--config', cfg, 'create-aliases', '--dir', bin]);
    expect(made.exitCode, String(made.stderr)).toBe(0);
    for (const shell of SHELLS) {
      const script = 'printf "[%s]" "$@"';
      const line = commandLine(shell, ['t-real', '-c', script, 'argv0', ...USER_ARGS]);
      const r = await run([shell, '-c', line], {
        ...envFor(host.home, shell),
        PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
      });
      expect(r.exitCode, `${shell}: ${String(r.stderr)}`).toBe(0);
      expect(String(r.stdout), shell).toBe(USER_ARGS.map((a) => `[${a}]`).join(''));
    }
  });

  it('never overwrites what ags did not write without --force, never follows a symlink, never replaces a directory', async () => {
    const home = makeHome('home-force', '');
    const bin = join(tmp.dir, 'force-bin');
    mkdirSync(join(bin, 'ags-codex'), { recursive: true });
    writeFileSync(join(bin, 'ags-shell'), '#!/bin/sh\necho mine\n', { mode: 0o700 });
    const target = join(tmp.dir, 'link-target');
    writeFileSync(target, 'precious\n');
    symlinkSync(target, join(bin, 'ags-pi'));
    writeFileSync(join(bin, 'unrelated'), 'not ags\n');
    for (const p of [bin, join(bin, 'ags-codex'), join(bin, 'ags-shell'), target, join(bin, 'unrelated')])
      giveToTestUser(host, p);

    const plain = await ags(home, 'bash', ['create-aliases', '--dir', bin]);
    expect(plain.exitCode, String(plain.stderr)).toBe(0);
    const out = String(plain.stdout);
    expect(out).toContain(
      `skipped ${join(bin, 'ags-shell')}: not made by ags; ags leaves it alone (--force replaces it)`,
    );
    expect(out).toContain(`skipped ${join(bin, 'ags-pi')}: a symbolic link;`);
    expect(out).toContain(
      `skipped ${join(bin, 'ags-codex')}: a directory; ags leaves it alone (--force replaces it, but never a directory)`,
    );
    // the default set: ags-<agent> and ags-<agent>-locked for six agents, three of them in the way
    expect(out).toContain('wrappers: 9 created, 0 updated, 0 unchanged, 3 skipped');
    expect(readFileSync(join(bin, 'ags-shell'), 'utf8')).toBe('#!/bin/sh\necho mine\n');
    expect(readlinkSync(join(bin, 'ags-pi'))).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');

    const dry = await ags(home, 'bash', ['create-aliases', '--dir', bin, '--force', '--dry-run']);
    expect(String(dry.stdout)).toContain(`would be replaced ${join(bin, 'ags-shell')}`);
    expect(String(dry.stdout)).toMatch(/^wrappers \(dry run, nothing written\): /m);
    expect(readFileSync(join(bin, 'ags-shell'), 'utf8')).toBe('#!/bin/sh\necho mine\n');

    const forced = await ags(home, 'bash', ['create-aliases', '--dir', bin, '--force']);
    expect(forced.exitCode, String(forced.stderr)).toBe(0);
    expect(readFileSync(join(bin, 'ags-shell'), 'utf8')).toMatch(/^#!\/bin\/sh\n# ags-managed-wrapper: /);
    expect(statSync(join(bin, 'ags-shell')).mode & 0o777).toBe(0o755);
    // the link itself was replaced by a wrapper; what it pointed at is untouched
    expect(lstatSync(join(bin, 'ags-pi')).isFile()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(statSync(join(bin, 'ags-codex')).isDirectory()).toBe(true);

    const removed = await ags(home, 'bash', ['remove-aliases', '--dir', bin]);
    expect(removed.exitCode, String(removed.stderr)).toBe(0);
    expect(readFileSync(join(bin, 'unrelated'), 'utf8')).toBe('not ags\n');
    expect(statSync(join(bin, 'ags-codex')).isDirectory()).toBe(true);
    expect(() => lstatSync(join(bin, 'ags-shell'))).toThrow();
  });

  it('refuses hostile alias names in the config with one line (exit 2), and writes nothing', async () => {
    for (const name of ['../evil', '-rf', 'a;b', '$(id)', 'x y']) {
      const home = makeHome(
        `home-bad-${Buffer.from(name).toString('hex')}`,
        `[[alias]]\nname = ${JSON.stringify(name)}\nargs = ["--agent", "shell"]\n`,
      );
      const r = await ags(home, 'bash', ['create-aliases', '--mode', 'both']);
      expect(r.exitCode, name).toBe(2);
      expect(String(r.stderr)).toMatch(
        /^ags: .*config\.toml:\d+:\d+: alias\[0\]\.name: must be a command name/,
      );
      expect(String(r.stderr).trimEnd().split('\n')).toHaveLength(2);
      expect(() => lstatSync(join(home, '.local'))).toThrow();
      expect(() => lstatSync(join(home, '.bashrc'))).toThrow();
    }
  });
});
