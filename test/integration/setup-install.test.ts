import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, giveToTestUser } from '../support/ags.js';
import { REPO_ROOT, type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';

// `ags setup`, `ags install` and `ags uninstall` for real, as the test user in temporary HOMEs.
describe('ags setup, install and uninstall', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let runtime: string;

  /**
   * A fresh HOME for the test user. Its podman config and storage are the test user's own (symlinks), so
   * the doctor that setup ends with checks the real rootless podman instead of starting an empty store.
   */
  const makeHome = (name: string) => {
    const home = join(tmp.dir, name);
    for (const d of [home, join(home, '.config'), join(home, '.local'), join(home, '.local', 'share')]) {
      mkdirSync(d, { recursive: true });
      giveToTestUser(host, d);
    }
    symlinkSync(join(host.home, '.config', 'containers'), join(home, '.config', 'containers'));
    symlinkSync(
      join(host.home, '.local', 'share', 'containers'),
      join(home, '.local', 'share', 'containers'),
    );
    return home;
  };

  /** `ags ARGS` as the test user with exactly this HOME (runuser would set its own), no terminal. */
  const ags = (home: string, args: string[], extra: string[] = []) =>
    runAsTestUser(
      host,
      [
        'env',
        '-i',
        `HOME=${home}`,
        `XDG_RUNTIME_DIR=${runtime}`,
        'PATH=/usr/local/bin:/usr/bin:/bin',
        'SHELL=/bin/bash',
        ...extra,
        process.execPath,
        AGS_BIN,
        ...args,
      ],
      { cwd: tmp.dir, stdin: 'ignore' },
    );

  /** Every file under `dir` with its mode and content (links as their target), for byte-for-byte comparison. */
  const snapshot = (dir: string): Record<string, string> => {
    const out: Record<string, string> = {};
    if (!existsSync(dir)) return out;
    for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
      const p = join(dir, entry);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out[entry] = `link ${readlinkSync(p)}`;
      else if (st.isFile()) out[entry] = `${(st.mode & 0o7777).toString(8)} ${readFileSync(p, 'base64')}`;
      else if (st.isDirectory()) out[entry] = `dir ${(st.mode & 0o7777).toString(8)}`;
    }
    return out;
  };

  beforeAll(() => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    runtime = join(tmp.dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    giveToTestUser(host, runtime);
  });

  afterAll(() => tmp?.cleanup());

  describe('setup', () => {
    it('makes both ed25519 keys (0600 in a 0700 ~/.ssh), a starter config with the auth and signing keys, then runs doctor', async () => {
      const home = makeHome('setup-home');
      const r = await ags(home, ['setup', '--yes']);
      const out = String(r.stdout);
      const ssh = join(home, '.ssh');
      expect(statSync(ssh).mode & 0o777).toBe(0o700);
      for (const key of ['ags-agent-auth', 'ags-agent-signing']) {
        expect(statSync(join(ssh, key)).mode & 0o777).toBe(0o600);
        expect(readFileSync(join(ssh, key), 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
        const pub = readFileSync(join(ssh, `${key}.pub`), 'utf8').trim();
        expect(pub).toMatch(/^ssh-ed25519 \S+ ags-agent-/);
        expect(out).toContain(`created ${join(ssh, key)}\n  public key: ${pub}\n`);
      }
      const config = join(home, '.config', 'ags', 'config.toml');
      expect(readFileSync(config, 'utf8')).toMatch(
        /^\[sandbox\]\nsigning_key = "~\/\.ssh\/ags-agent-signing"\nssh_keys = \["~\/\.ssh\/ags-agent-auth"\]$/m,
      );
      // doctor ran last, and its verdict is setup's exit code
      expect(out).toMatch(/\nags doctor:\nOK {3}config: .*config\.toml\n/);
      expect(out).toMatch(/^OK {3}podman: version /m);
      expect(r.exitCode, String(r.stderr)).toBe(/^FAIL /m.test(out) ? 1 : 0);

      // a second run changes nothing at all
      const before = { ssh: snapshot(ssh), config: snapshot(join(home, '.config', 'ags')) };
      const again = await ags(home, ['setup', '--yes']);
      expect(String(again.stdout)).toContain(
        `kept ${join(ssh, 'ags-agent-auth')} (it exists; ags never replaces a key)`,
      );
      expect(String(again.stdout)).toContain(
        `kept [sandbox] ssh_keys: it has ${join(ssh, 'ags-agent-auth')}`,
      );
      expect(String(again.stdout)).toContain(
        `kept [sandbox] signing_key = ${join(ssh, 'ags-agent-signing')}`,
      );
      expect(snapshot(ssh)).toEqual(before.ssh);
      expect(snapshot(join(home, '.config', 'ags'))).toEqual(before.config);
    });

    it('keeps an existing key, whatever it is', async () => {
      const home = makeHome('setup-kept');
      const ssh = join(home, '.ssh');
      mkdirSync(ssh, { mode: 0o700 });
      writeFileSync(join(ssh, 'ags-agent-signing'), 'my own key\n', { mode: 0o600 });
      giveToTestUser(host, ssh, join(ssh, 'ags-agent-signing'));
      const r = await ags(home, ['setup', '--yes']);
      expect(String(r.stdout)).toContain(`kept ${join(ssh, 'ags-agent-signing')}`);
      expect(readFileSync(join(ssh, 'ags-agent-signing'), 'utf8')).toBe('my own key\n');
      expect(existsSync(join(ssh, 'ags-agent-signing.pub'))).toBe(false);
      expect(statSync(join(ssh, 'ags-agent-auth')).mode & 0o777).toBe(0o600);
    });

    it('without a terminal and without --yes: says what it would ask, makes nothing, and does not wait', async () => {
      const home = makeHome('setup-no-tty');
      const r = await ags(home, ['setup']);
      const out = String(r.stdout);
      expect(out).toContain(
        `skipped: Create the auth SSH key ${join(home, '.ssh', 'ags-agent-auth')} (ed25519)? (no terminal to ask; run \`ags setup --yes\` to agree to everything)`,
      );
      expect(out).toContain(
        `skipped: Write a starter config to ${join(home, '.config', 'ags', 'config.toml')}?`,
      );
      expect(out).toContain('\nags doctor:\n');
      expect(existsSync(join(home, '.ssh'))).toBe(false);
      expect(existsSync(join(home, '.config', 'ags'))).toBe(false);
    });
  });

  describe('setup in a terminal', () => {
    /** Polls the tmux pane until `re` matches its text (a bounded number of times); returns the text. */
    const waitFor = async (tmux: (...a: string[]) => Promise<{ stdout: unknown }>, re: RegExp) => {
      let screen = '';
      for (let i = 0; i < 150 && !re.test(screen); i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        screen = String((await tmux('capture-pane', '-p', '-S', '-200', '-t', '0')).stdout);
      }
      return screen;
    };

    it('asks before each step, and reads a keyring secret without echo into a real Secret Service', async () => {
      const home = makeHome('setup-tty');
      const configDir = join(home, '.config', 'ags');
      mkdirSync(configDir, { recursive: true });
      const config = join(configDir, 'config.toml');
      writeFileSync(
        config,
        `[sandbox]\nimage = "${host.image}"\ndata_dir = "${join(home, 'data')}"\n\n[[secret]]\nenv = "TOK"\nkeyring = { service = "ags-setup-it", account = "tok" }\n`,
      );
      giveToTestUser(host, configDir, config);
      const value = 'typed-secret-value-4711';
      const script = [
        'eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null',
        `"$NODE" "$AGS" setup`,
        'echo "SETUP-EXIT=$?"',
        'secret-tool lookup service ags-setup-it username tok > "$HOME/lookup.txt"',
        'echo LOOKUP-DONE',
      ].join('; ');
      const socket = `ags-setup-test-${process.pid}`;
      const tmux = (...args: string[]) => execa('tmux', ['-L', socket, ...args], { reject: false });
      const command = [
        'runuser',
        '-u',
        host.user,
        '--',
        'env',
        '-i',
        `HOME=${home}`,
        `XDG_RUNTIME_DIR=${runtime}`,
        'PATH=/usr/local/bin:/usr/bin:/bin',
        'TERM=xterm',
        `NODE=${process.execPath}`,
        `AGS=${AGS_BIN}`,
        'dbus-run-session',
        '--',
        'sh',
        '-c',
        script,
      ];
      try {
        await tmux(
          'new-session',
          '-d',
          '-x',
          '200',
          '-y',
          '50',
          '-c',
          tmp.dir,
          command.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(' '),
        );
        // the pane stays readable after the script ends (it waits for input before that), so no process has
        // to be kept alive for the test to read the screen
        await tmux('set-option', '-t', '0', 'remain-on-exit', 'on');
        await waitFor(tmux, /Create the auth SSH key .*\? \[Y\/n\]$/m);
        await tmux('send-keys', '-t', '0', 'y', 'Enter');
        await waitFor(tmux, /Create the signing SSH key .*\? \[Y\/n\]$/m);
        await tmux('send-keys', '-t', '0', 'n', 'Enter');
        await waitFor(tmux, /Offer ~\/\.ssh\/ags-agent-auth to the sandbox .*\? \[Y\/n\]$/m);
        await tmux('send-keys', '-t', '0', 'Enter'); // the default is yes
        await waitFor(tmux, /Value for keyring item ags-setup-it\/tok \(secret TOK\) \(not shown\):$/m);
        await tmux('send-keys', '-t', '0', '-l', value);
        await tmux('send-keys', '-t', '0', 'Enter');
        const screen = await waitFor(tmux, /LOOKUP-DONE/);
        expect(screen).toContain('stored keyring item ags-setup-it/tok (secret TOK)');
        expect(screen).toMatch(/SETUP-EXIT=0/);
        expect(screen).not.toContain(value); // never echoed
        expect(readFileSync(join(home, 'lookup.txt'), 'utf8').trim()).toBe(value);
        expect(existsSync(join(home, '.ssh', 'ags-agent-auth'))).toBe(true);
        expect(existsSync(join(home, '.ssh', 'ags-agent-signing'))).toBe(false); // declined
        expect(readFileSync(config, 'utf8')).toMatch(
          /^\[sandbox\]\nssh_keys = \["~\/\.ssh\/ags-agent-auth"\]\nimage = /,
        );
      } finally {
        await tmux('kill-server');
      }
    });
  });

  describe('install and uninstall', () => {
    it('install --link-self puts ags and its wrappers on ~/.local/bin; uninstall leaves the rc files as they were, byte for byte', async () => {
      const home = makeHome('install-home');
      const rc = { bash: join(home, '.bashrc'), zsh: join(home, '.zshrc') };
      writeFileSync(rc.bash, '# mine\nalias ll="ls -l"'); // no final line break
      writeFileSync(rc.zsh, 'setopt no_beep\n');
      giveToTestUser(host, rc.bash, rc.zsh);
      const rcBefore = { bash: readFileSync(rc.bash), zsh: readFileSync(rc.zsh) };
      const fish = join(home, '.config', 'fish', 'config.fish');
      const bin = join(home, '.local', 'bin');
      // a killed run's leftovers in the runtime dir
      const agsRuntime = join(runtime, 'ags');
      mkdirSync(join(agsRuntime, 'session-4000000'), { recursive: true, mode: 0o700 });
      giveToTestUser(host, agsRuntime, join(agsRuntime, 'session-4000000'));

      const installed = await ags(home, ['install', '--link-self']);
      expect(installed.exitCode, String(installed.stderr)).toBe(0);
      const launcher = join(REPO_ROOT, 'bin', 'ags.js');
      expect(String(installed.stdout)).toContain(`created ${join(bin, 'ags')} -> ${launcher}`);
      expect(readlinkSync(join(bin, 'ags'))).toBe(launcher);
      const version = await runAsTestUser(host, [join(bin, 'ags'), '--version'], { stdin: 'ignore' });
      expect(String(version.stdout).trim()).toMatch(/^\d+\.\d+\.\d+/);
      expect(readdirSync(bin).sort()).toEqual(
        [
          'ags',
          ...['claude', 'codex', 'gemini', 'opencode', 'pi', 'shell'].flatMap((a) => [
            `ags-${a}`,
            `ags-${a}-locked`,
          ]),
        ].sort(),
      );
      // install again: nothing changes
      const twice = await ags(home, ['install', '--link-self']);
      expect(String(twice.stdout)).toContain(`unchanged ${join(bin, 'ags')}`);
      expect(String(twice.stdout)).toContain('wrappers: 0 created, 0 updated, 12 unchanged, 0 skipped');

      for (const shell of ['bash', 'zsh', 'fish']) {
        const r = await ags(home, ['create-aliases', '--mode', 'both', '--shell', shell]);
        expect(r.exitCode, String(r.stderr)).toBe(0);
      }
      expect(readFileSync(rc.bash, 'utf8')).toContain('# >>> ags aliases >>>');
      expect(readFileSync(fish, 'utf8')).toContain('function ags-claude;');
      writeFileSync(join(bin, 'not-ags'), 'mine\n');
      giveToTestUser(host, join(bin, 'not-ags'));

      const gone = await ags(home, ['uninstall']);
      expect(gone.exitCode, String(gone.stderr)).toBe(0);
      const out = String(gone.stdout);
      expect(readFileSync(rc.bash).equals(rcBefore.bash)).toBe(true);
      expect(readFileSync(rc.zsh).equals(rcBefore.zsh)).toBe(true);
      expect(existsSync(fish)).toBe(false); // ags had created it
      expect(readdirSync(bin)).toEqual(['not-ags']);
      expect(existsSync(agsRuntime)).toBe(false);
      expect(out).toContain(`removed ${join(bin, 'ags')}\n`);
      expect(out).toContain('left in place (remove them yourself if you want):');
      expect(out).toMatch(/^ {2}agent homes and tools in .*: rm -rf /m);
      expect(out).toMatch(/^ {2}the image localhost\/ags:latest: podman image rm localhost\/ags:latest$/m);
    });
  });
});
