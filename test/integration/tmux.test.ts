import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// --tmux needs a terminal: ags runs inside a real tmux pane on the host (a pseudo-terminal), allocates a TTY for
// the container, and the agent runs inside tmux there.
describe('ags --tmux on a real terminal', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;
  const socket = `ags-it-${process.pid}`;
  let sessions = 0;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
    config = writeTestConfig(host, tmp.dir);
  });

  afterAll(async () => {
    await runAsTestUser(host, ['tmux', '-L', socket, 'kill-server']);
    tmp?.cleanup();
  });

  /** Runs `ags --agent shell --tmux -- -c INNER` in a host tmux pane; returns the exit code ags gave. */
  async function inPane(inner: string): Promise<number> {
    const done = join(repo, `done-${++sessions}.txt`);
    const cmd = `cd ${repo} && ${process.execPath} ${AGS_BIN} --config ${config} --agent shell --tmux -- -c '${inner}'; echo "$?" > ${done}; sleep 30`;
    const started = await runAsTestUser(host, [
      'tmux',
      '-L',
      socket,
      'new-session',
      '-d',
      '-x',
      '120',
      '-y',
      '40',
      cmd,
    ]);
    expect(started.exitCode, String(started.stderr)).toBe(0);
    const deadline = Date.now() + 60_000;
    while (!existsSync(done) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    return Number(readFileSync(done, 'utf8').trim());
  }

  it('runs the agent inside tmux in the sandbox, with a TTY', async () => {
    expect(await inPane('echo "tmux=${TMUX:+yes} tty=$(tty)" > marker.txt')).toBe(0);
    expect(readFileSync(join(repo, 'marker.txt'), 'utf8').trim()).toMatch(/^tmux=yes tty=\/dev\/pts\/\d+$/);
  });

  it("returns the agent's own exit code through tmux", async () => {
    expect(await inPane('exit 4')).toBe(4);
  });

  it('is refused up front without a terminal: one line, exit 2, no container', async () => {
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '--tmux', '--', '-c', 'true'], {
      cwd: repo,
    });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toBe(
      'ags: --tmux needs a terminal: stdin and stdout must both be one\n  run it from a terminal, or without --tmux',
    );
  });
});
