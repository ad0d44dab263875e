import { describe, expect, it } from 'vitest';
import { resolveSecrets } from '../../../src/session/secrets.js';

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
});
