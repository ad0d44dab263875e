import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmuxCommand, tmuxRunner } from '../../../src/plan/tmux.js';

// The --tmux runner script with a stand-in `tmux` on PATH: it runs the pane command after `--` and exits 0,
// as tmux does, or fails, or returns without running it (a detach). test/integration/tmux.test.ts runs the
// real tmux on a real terminal.
describe('the --tmux runner', () => {
  let dir: string;
  let runner: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ags-tmux-'));
    runner = join(dir, tmuxRunner().name);
    writeFileSync(runner, tmuxRunner().content);
    const stub = join(dir, 'tmux');
    writeFileSync(
      stub,
      '#!/bin/sh\ncase $STUB in fail) echo "open terminal failed" >&2; exit 1 ;; detach) exit 0 ;; esac\n' +
        'while [ "$1" != -- ]; do shift; done; shift\n"$@"\nexit 0\n',
    );
    chmodSync(stub, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (argv: string[], stub = 'run') =>
    execa('sh', [runner, ...argv], {
      reject: false,
      env: { PATH: `${dir}:/usr/bin:/bin`, STUB: stub, TMPDIR: dir },
    });

  it("exits with the agent's own status, which tmux does not pass on", async () => {
    expect((await run(['sh', '-c', 'exit 4'])).exitCode).toBe(4);
    expect((await run(['sh', '-c', 'exit 0'])).exitCode).toBe(0);
    expect((await run(['sh', '-c', 'kill -TERM $$'])).exitCode).toBe(143);
  });

  it('passes the agent its arguments unchanged', async () => {
    const r = await run(['sh', '-c', 'printf "%s|" "$@"', 'x', 'a b', '$HOME', "'q'"]);
    expect(r.stdout).toBe("a b|$HOME|'q'|");
  });

  it('without a status: tmux’s own failure code, or 1 with one line (a detach is not a success)', async () => {
    expect((await run(['true'], 'fail')).exitCode).toBe(1);
    const detached = await run(['true'], 'detach');
    expect(detached.exitCode).toBe(1);
    expect(detached.stderr).toBe(
      'ags: the tmux session ended before the agent did (detached?); its exit status is unknown',
    );
  });

  it('runs from the read-only session dir', () => {
    expect(tmuxCommand(['claude', '-p', 'x'], '/run/ags')).toEqual([
      '/bin/sh',
      '/run/ags/tmux-run.sh',
      'claude',
      '-p',
      'x',
    ]);
  });
});
