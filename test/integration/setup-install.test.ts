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
    it('makes both ed25519 keys (0600 in a 0700 ~/.ssh), a starter config with the auth key, then runs doctor', async () => {
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
        /^\[sandbox\]\nssh_keys = \["~\/\.ssh\/ags-agent-auth"\]$/m,
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
        ['ags', 'ags-claude', 'ags-codex', 'ags-gemini', 'ags-opencode', 'ags-pi', 'ags-shell'].sort(),
      );
      // install again: nothing changes
      const twice = await ags(home, ['install', '--link-self']);
      expect(String(twice.stdout)).toContain(`unchanged ${join(bin, 'ags')}`);
      expect(String(twice.stdout)).toContain('wrappers: 0 created, 0 updated, 6 unchanged, 0 skipped');

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
