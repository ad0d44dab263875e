import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

/** Live (not zombie) processes of the test user whose command line is exactly `argv`. */
function alive(host: TestHost, argv: string[]): number[] {
  const want = `${argv.join('\0')}\0`;
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((pid) => {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        return (
          readFileSync(`/proc/${pid}/cmdline`, 'utf8') === want &&
          new RegExp(`^Uid:\\s+${host.uid}\\s`, 'm').test(status) &&
          !/^State:\s+Z/m.test(status)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

// [[secret]] commands through the CLI: their failures are one line with the helper's own words, and a helper
// that hangs dies with ags.
describe('secret commands', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir);
    mkdirSync(join(tmp.dir, 'run'), { mode: 0o700 });
    giveToTestUser(host, join(tmp.dir, 'run'));
  });

  afterAll(() => tmp?.cleanup());

  const configWith = (name: string, command: string[]) =>
    writeTestConfig(
      host,
      join(tmp.dir, name),
      `[[secret]]\nenv = "TOKEN"\ncommand = ${JSON.stringify(command)}\n`,
    );
  const ags = (config: string) =>
    runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', 'true'], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: join(tmp.dir, 'run') },
    });

  it('a missing program is named as such, in one line, exit 1', async () => {
    const r = await ags(configWith('missing', ['/nonexistent/secret-helper']));
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr).split('\n')[0]).toBe(
      'ags: secret TOKEN: program not found: /nonexistent/secret-helper',
    );
  });

  it("a failing helper's stderr is shown (escaped), its stdout never", async () => {
    const r = await ags(
      configWith('failing', [
        '/bin/sh',
        '-c',
        'echo s3cr3t-out; printf "\\033[2Jvault is sealed\\n" >&2; exit 4',
      ]),
    );
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr).split('\n')[0]).toBe(
      'ags: secret TOKEN: /bin/sh failed (exit 4); it said: \\x1b[2Jvault is sealed',
    );
    expect(String(r.stderr)).not.toContain('s3cr3t-out');
  });

  it('SIGTERM to ags while a helper runs kills the helper and what it started', async () => {
    const sleep = ['sleep', '52.417'];
    const config = configWith('hanging', ['/bin/sh', '-c', `${sleep.join(' ')}; echo late`]);
    const run = ags(config);
    const deadline = Date.now() + 30_000;
    while (alive(host, sleep).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(alive(host, sleep).length).toBe(1);
    const pids = await execa('pgrep', ['-u', String(host.uid), '-f', `bin/ags.js --config ${config}`]);
    for (const pid of String(pids.stdout).trim().split('\n')) process.kill(Number(pid), 'SIGTERM');
    const started = Date.now();
    const r = await run;
    expect(Date.now() - started).toBeLessThan(5000);
    // ags dies of the signal (or, where the run handles signals itself, exits 143)
    expect(r.signal === 'SIGTERM' || r.exitCode === 143, `exit ${r.exitCode} signal ${r.signal}`).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(host, sleep)).toEqual([]);
  });
});
