import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, giveToTestUser, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';

// A [[secret]] from a real Secret Service: gnome-keyring in a private D-Bus session, unlocked, holding an item
// stored with secret-tool; ags looks it up with @napi-rs/keyring and the value arrives inside the sandbox.
describe('secrets from the OS keyring', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;

  beforeAll(() => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = join(tmp.dir, 'repo');
    mkdirSync(join(tmp.dir, 'run'), { recursive: true });
    mkdirSync(repo, { recursive: true });
    giveToTestUser(host, repo, join(tmp.dir, 'run'));
    config = writeTestConfig(
      host,
      tmp.dir,
      '[[secret]]\nenv = "FROM_KEYRING"\nkeyring = { service = "ags-it", account = "api-token" }\n',
    );
  });

  afterAll(() => tmp?.cleanup());

  it('arrives inside the container, and the env file is gone afterwards', async () => {
    const script = [
      'set -e',
      'eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null',
      'printf keyring-value-9876 | secret-tool store --label="ags it" service ags-it username api-token',
      `exec "$NODE" "$AGS" --config "$CONFIG" --agent shell -- -c 'echo "got=$FROM_KEYRING"'`,
    ].join('\n');
    const r = await runAsTestUser(host, ['dbus-run-session', '--', 'sh', '-c', script], {
      cwd: repo,
      stdin: 'ignore',
      env: { NODE: process.execPath, AGS: AGS_BIN, CONFIG: config, XDG_RUNTIME_DIR: join(tmp.dir, 'run') },
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain('got=keyring-value-9876');
    const runtime = join(tmp.dir, 'run', 'ags');
    const left = existsSync(runtime) ? readdirSync(runtime) : [];
    expect(left.filter((d) => d.startsWith('session-'))).toEqual([]);
  });

  it('a missing keyring item is a one-line runtime error naming the secret, exit 1', async () => {
    // the test user's login keyring persists on disk: name an item that was never stored
    const missing = writeTestConfig(
      host,
      join(tmp.dir, 'missing'),
      '[[secret]]\nenv = "FROM_KEYRING"\nkeyring = { service = "ags-it", account = "never-stored" }\n',
    );
    const script = [
      'eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null',
      `exec "$NODE" "$AGS" --config "$CONFIG" --agent shell -- -c true`,
    ].join('\n');
    const r = await runAsTestUser(host, ['dbus-run-session', '--', 'sh', '-c', script], {
      cwd: repo,
      stdin: 'ignore',
      env: { NODE: process.execPath, AGS: AGS_BIN, CONFIG: missing, XDG_RUNTIME_DIR: join(tmp.dir, 'run') },
    });
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(
      /^ags: secret FROM_KEYRING: keyring item ags-it\/never-stored is empty or missing/m,
    );
  });

  it('with no D-Bus session bus, says the Secret Service is not running (not "empty or missing")', async () => {
    const r = await runAsTestUser(
      host,
      [
        'env',
        '-u',
        'DBUS_SESSION_BUS_ADDRESS',
        process.execPath,
        AGS_BIN,
        '--config',
        config,
        '--agent',
        'shell',
        '--',
        '-c',
        'true',
      ],
      { cwd: repo, stdin: 'ignore', env: { XDG_RUNTIME_DIR: join(tmp.dir, 'run') } },
    );
    expect(r.exitCode).toBe(1);
    const [line, hint] = String(r.stderr).split('\n');
    expect(line).toBe(
      'ags: secret FROM_KEYRING: the Secret Service is not running: there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so keyring item ags-it/api-token cannot be read',
    );
    expect(hint).toMatch(
      /run ags from your desktop session, or start one in your session \(gnome-keyring-daemon/,
    );
  });

  it('on a session bus where nothing provides org.freedesktop.secrets, says so', async () => {
    // a private bus that can activate no services at all (the system's session config would start gnome-keyring)
    const busConfig = join(tmp.dir, 'bare-bus.conf');
    writeFileSync(
      busConfig,
      [
        '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"',
        ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">',
        '<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen><auth>EXTERNAL</auth>',
        '<policy context="default"><allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/>',
        '</policy></busconfig>',
      ].join('\n'),
    );
    giveToTestUser(host, busConfig);
    const r = await runAsTestUser(
      host,
      [
        'dbus-run-session',
        `--config-file=${busConfig}`,
        '--',
        process.execPath,
        AGS_BIN,
        '--config',
        config,
        '--agent',
        'shell',
        '--',
        '-c',
        'true',
      ],
      { cwd: repo, stdin: 'ignore', env: { XDG_RUNTIME_DIR: join(tmp.dir, 'run') } },
    );
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toContain(
      'ags: secret FROM_KEYRING: the Secret Service is not running: nothing on the D-Bus session bus provides org.freedesktop.secrets, so keyring item ags-it/api-token cannot be read\n',
    );
  });
});
