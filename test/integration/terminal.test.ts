import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// A terminal run inside a real pseudo-terminal made by script(1), whose own stdin is at its end (as in CI or a
// recorded transcript): script then sends the terminal an end-of-file, which podman's switch to raw mode turned
// into a NUL byte, the agent's first keystroke, echoed as "^@".
describe('a terminal run under script(1)', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
    config = writeTestConfig(host, tmp.dir);
  });

  afterAll(() => tmp?.cleanup());

  it('starts without a stray NUL byte, and returns the exit code', async () => {
    const transcript = join(tmp.dir, 'transcript');
    const cmd = `${process.execPath} ${AGS_BIN} --config ${config} --agent shell -- -c 'test -t 0 && echo on-a-tty; exit 5'`;
    const r = await runAsTestUser(host, ['script', '-qfec', cmd, transcript], { cwd: repo, stdin: 'ignore' });
    expect(r.exitCode, String(r.stdout)).toBe(5);
    const text = readFileSync(transcript, 'latin1');
    expect(text).toContain('on-a-tty');
    expect(text).not.toContain('\0');
    // the pseudo-terminal echoes a NUL it receives as ^@
    expect(text).not.toContain('^@');
  });

  it("an agent's last escape sequence cannot hide the report ags writes after the run", async () => {
    const work = await makeTestRepo(host, join(tmp.dir, 'conceal'), {});
    const transcript = join(tmp.dir, 'conceal-transcript');
    // conceal every later character, switch to the line-drawing set, and plant a file the host's vim may run
    const inside = `printf 'set exrc\\n' > .vimrc; printf '\\033[8m\\033(0'`;
    const cmd = `${process.execPath} ${AGS_BIN} --config ${config} --agent shell -- -c "${inside}"`;
    const r = await runAsTestUser(host, ['script', '-qfec', cmd, transcript], { cwd: work, stdin: 'ignore' });
    expect(r.exitCode, String(r.stdout)).toBe(0);
    const text = readFileSync(transcript, 'latin1');
    const concealed = text.lastIndexOf('\x1b[8m');
    const report = text.indexOf('.vimrc', concealed);
    expect(concealed).toBeGreaterThan(-1);
    expect(report, text).toBeGreaterThan(concealed);
    // between the agent's last bytes and ags's report: attributes off and the ASCII set back
    const between = text.slice(concealed, report);
    expect(between).toContain('\x1b[0m');
    expect(between).toContain('\x1b(B');
  });
});
