import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// --tmux needs a terminal: ags runs inside a real tmux pane on the host (a pseudo-terminal), allocates a TTY for
// the container, and the agent runs inside tmux there.
describe('ags --tmux on a real terminal', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  const socket = `ags-it-${process.pid}`;

  beforeAll(() => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
  });

  afterAll(async () => {
    await runAsTestUser(host, ['tmux', '-L', socket, 'kill-server']);
    tmp?.cleanup();
  });

  it('runs the agent inside tmux in the sandbox, with a TTY', async () => {
    const repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
    const config = writeTestConfig(host, tmp.dir);
    const inner = 'echo "tmux=${TMUX:+yes} tty=$(tty)" > marker.txt';
    const cmd = `cd ${repo} && ${process.execPath} ${AGS_BIN} --config ${config} --agent shell --tmux -- -c '${inner}'; echo "exit=$?" > ${repo}/done.txt; sleep 30`;
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
    while (!existsSync(join(repo, 'done.txt')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    expect(readFileSync(join(repo, 'done.txt'), 'utf8').trim()).toBe('exit=0');
    expect(readFileSync(join(repo, 'marker.txt'), 'utf8').trim()).toMatch(/^tmux=yes tty=\/dev\/pts\/\d+$/);
  });
});
