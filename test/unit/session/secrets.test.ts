import { describe, expect, it } from 'vitest';
import { keyringFailure, resolveSecrets } from '../../../src/session/secrets.js';

const keyring = async (service: string, account: string) =>
  service === 'svc' && account === 'acct' ? 'from-keyring' : null;

describe('resolveSecrets', () => {
  it('reads each source: host env, keyring, a command (trailing newline dropped)', async () => {
    const values = await resolveSecrets(
      [
        { env: 'A', from_env: 'HOST_A' },
        { env: 'B', keyring: { service: 'svc', account: 'acct' } },
        { env: 'C', command: ['/bin/echo', 'from-command'] },
      ],
      { HOST_A: 'from-env' },
      keyring,
    );
    expect(values).toEqual({ A: 'from-env', B: 'from-keyring', C: 'from-command' });
  });

  it('a missing source is a runtime error naming the secret and the source, never the value', async () => {
    await expect(resolveSecrets([{ env: 'A', from_env: 'UNSET_VAR' }], {}, keyring)).rejects.toThrow(
      'secret A: host variable UNSET_VAR is empty or missing',
    );
    await expect(
      resolveSecrets([{ env: 'B', keyring: { service: 'svc', account: 'other' } }], {}, keyring),
    ).rejects.toThrow('secret B: keyring item svc/other is empty or missing');
  });

  it('a failing command is a runtime error with its exit code and the end of its stderr', async () => {
    const err = await resolveSecrets(
      [{ env: 'C', command: ['/bin/sh', '-c', 'echo oops >&2; exit 7'] }],
      {},
      keyring,
    ).catch((e: Error & { exitCode?: number }) => e);
    expect((err as Error).message).toBe('secret C: /bin/sh failed (exit 7); it said: oops');
    expect((err as { exitCode: number }).exitCode).toBe(1);
  });

  it('passes the command timeout on, and says so when a command prints nothing', async () => {
    await expect(
      resolveSecrets([{ env: 'C', command: ['/bin/sleep', '20'] }], {}, keyring, { commandTimeoutMs: 200 }),
    ).rejects.toThrow('secret C: /bin/sleep did not finish within 0.2 s');
    await expect(resolveSecrets([{ env: 'C', command: ['/bin/true'] }], {}, keyring)).rejects.toThrow(
      'secret C: command /bin/true printed nothing',
    );
  });

  it('names the secret when the keyring cannot be asked, and tells a missing Secret Service apart', async () => {
    const failing = async () => {
      throw keyringFailure(
        'svc',
        'acct',
        'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files',
        {},
      );
    };
    await expect(
      resolveSecrets([{ env: 'B', keyring: { service: 'svc', account: 'acct' } }], {}, failing),
    ).rejects.toThrow(
      'secret B: the Secret Service is not running: nothing on the D-Bus session bus provides org.freedesktop.secrets, so keyring item svc/acct cannot be read',
    );
  });
});

describe('keyringFailure', () => {
  it('says there is no session bus, naming DBUS_SESSION_BUS_ADDRESS, and what to do', () => {
    const unset = keyringFailure(
      'svc',
      'acct',
      'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
      {},
    );
    expect(unset.message).toBe(
      'the Secret Service is not running: there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so keyring item svc/acct cannot be read',
    );
    expect(unset.hint).toMatch(/^run ags from your desktop session, or start one in your session/);
    const gone = keyringFailure(
      'svc',
      'acct',
      'Platform failure: DBus error: Failed to connect to socket /run/user/1000/bus: No such file or directory',
      { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' },
    );
    expect(gone.message).toMatch(
      /^the Secret Service is not running: the D-Bus session bus at unix:path=\/run\/user\/1000\/bus cannot be reached/,
    );
  });

  it('passes any other failure on, escaped', () => {
    const other = keyringFailure('svc', 'acct', 'Locked\u001b[2J', {});
    expect(other.message).toBe('keyring item svc/acct could not be read: Locked\\x1b[2J');
    expect(other.hint).toMatch(/unlocked/);
  });
});
