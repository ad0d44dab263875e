import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSecretCommand, stderrExcerpt } from '../../../src/session/secret-command.js';

/** Live (not zombie) processes whose command line is exactly `argv`. */
function alive(argv: string[]): number[] {
  const want = `${argv.join('\0')}\0`;
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === want && !/\) Z /.test(stat);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected the command to fail');
    },
    (e: Error) => e,
  );
}

describe('runSecretCommand', () => {
  it('the timeout holds for a wrapper: the whole process group is killed, at once', async () => {
    // a unique duration, so the check below finds only this test's sleep
    const sleep = ['sleep', '51.731'];
    const started = Date.now();
    const err = await failure(
      runSecretCommand('TOKEN', ['/bin/sh', '-c', `${sleep.join(' ')}; echo x`], { timeoutMs: 300 }),
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err.message).toBe(
      'secret TOKEN: /bin/sh did not finish within 0.3 s and was killed, with what it started',
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(sleep)).toEqual([]);
  });

  it('a command that ignores SIGTERM is killed after a short grace', async () => {
    const started = Date.now();
    const err = await failure(
      runSecretCommand('TOKEN', ['/bin/sh', '-c', 'trap "" TERM; sleep 30; echo x'], { timeoutMs: 200 }),
    );
    expect(err.message).toMatch(/did not finish within 0.2 s/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('returns once the command exits, even when a background child keeps its stdout open', async () => {
    const started = Date.now();
    const value = await runSecretCommand('TOKEN', ['/bin/sh', '-c', 'echo the-value; sleep 5 &']);
    expect(value).toBe('the-value');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('says a missing program is not found (not "exit undefined")', async () => {
    const err = await failure(runSecretCommand('TOKEN', ['/nonexistent/secret-helper']));
    expect(err.message).toBe('secret TOKEN: program not found: /nonexistent/secret-helper');
    expect((err as { exitCode?: number }).exitCode).toBe(1);
    const dir = await failure(runSecretCommand('TOKEN', ['/tmp']));
    expect(dir.message).toBe('secret TOKEN: /tmp is not an executable program');
  });

  it("shows the end of the helper's stderr, escaped and bounded, and never its stdout", async () => {
    const err = await failure(
      runSecretCommand('TOKEN', [
        '/bin/sh',
        '-c',
        'echo the-secret-value; printf "vault: \\033[31msealed\\033[0m\\ntry again\\n" >&2; exit 7',
      ]),
    );
    expect(err.message).toBe(
      'secret TOKEN: /bin/sh failed (exit 7); it said: vault: \\x1b[31msealed\\x1b[0m\\ntry again',
    );
    expect(err.message).not.toContain('the-secret-value');
    const long = await failure(
      runSecretCommand('TOKEN', [
        '/bin/sh',
        '-c',
        'head -c 20000 /dev/zero | tr "\\0" a >&2; echo END >&2; exit 1',
      ]),
    );
    expect(long.message.length).toBeLessThan(400);
    expect(long.message).toMatch(/it said: \.\.\.a+END$/);
  });

  it('refuses a flood on stdout and a command killed by a signal', async () => {
    const flood = await failure(
      runSecretCommand('TOKEN', ['/bin/sh', '-c', 'exec head -c 3000000 /dev/zero']),
    );
    expect(flood.message).toBe('secret TOKEN: /bin/sh printed more than 1 MiB; a secret is expected');
    const killed = await failure(runSecretCommand('TOKEN', ['/bin/sh', '-c', 'kill -9 $$']));
    expect(killed.message).toBe('secret TOKEN: /bin/sh failed (killed by SIGKILL)');
  });
});

describe('stderrExcerpt', () => {
  it('keeps the end, escaped, and says where it was cut', () => {
    expect(stderrExcerpt('a\u001b]0;title\u0007b\tc\\d\n')).toBe('a\\x1b]0;title\\x07b\\tc\\\\d');
    expect(stderrExcerpt(`${'x'.repeat(50)}tail`, 10)).toBe('...xxxxxxtail');
  });
});
