import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, runAgs, writeTestConfig } from '../support/ags.js';
import { E2E_IMAGE, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, asTestUser, loadTestHost } from '../support/host.js';
import { MockOAuthMcp, makeTestCa } from '../support/mock-oauth-mcp.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// The terminal prompt while the sandbox holds the terminal: `ags --agent claude -- mcp login mock` in a tmux
// pane (no DISPLAY), approval = "prompt". Real Claude Code's login UI is on the screen and podman is attached to
// the pane when the question comes; the test reads it off the pane and answers with keys, as a user would. An
// answer reaches ags, not the agent; the agent's screen comes back; the terminal's mode is what it was.
describe('ags --agent claude: the approval prompt on the terminal podman holds', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let config: string;
  let mock: MockOAuthMcp;
  const socket = `ags-authtty-${process.pid}`;
  const tmux = (...args: string[]) => {
    const [file, ...pre] = asTestUser(host, ['tmux', '-L', socket, ...args]);
    return execFileSync(file!, pre, { encoding: 'utf8' });
  };
  const pane = (name: string) => tmux('capture-pane', '-p', '-J', '-t', name);

  async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 90_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = probe();
      if (v) return v;
      if (Date.now() > end) {
        const sessions = tmux('list-sessions', '-F', '#{session_name}').split('\n').filter(Boolean);
        const screens = sessions.map((n) => `--- ${n}:\n${pane(n)}`).join('\n');
        throw new Error(`timed out waiting for ${what}\n${screens}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** A new workspace with the mock server added (local scope), and `ags … mcp login mock` started in a pane. */
  async function loginInPane(name: string): Promise<{ dir: string; pid: () => number }> {
    const dir = join(tmp.dir, name);
    mkdirSync(dir);
    execFileSync('chown', [`${host.uid}:${host.uid}`, dir]);
    const repo = await makeTestRepo(host, dir, {}, { git: false });
    const add = await runAgs(
      host,
      ['--config', config, '--agent', 'claude', '--', 'mcp', 'add', '--transport', 'http', 'mock'].concat(
        `${mock.sandboxBase}/mcp`,
      ),
      { cwd: repo },
    );
    expect(add.exitCode, String(add.stderr)).toBe(0);
    // the pane's terminal mode is recorded before ags starts and after it ends
    tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      '200',
      '-y',
      '50',
      `cd '${repo}' && stty -g > '${dir}/mode-before' && sh -c 'echo $$ > "$0"; exec "$@"' '${dir}/ags-pid' env BROWSER='${join(tmp.dir, 'chromium.sh')}' '${process.execPath}' '${AGS_BIN}' --config '${config}' --agent claude -- mcp login mock; rc=$?; stty -g > '${dir}/mode-after'; echo $rc > '${dir}/exit'; echo "EXIT=$rc"; sleep 300`,
    );
    return { dir, pid: () => Number(readFileSync(join(dir, 'ags-pid'), 'utf8')) };
  }

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    const caDir = join(tmp.dir, 'ca');
    mkdirSync(caDir);
    const ca = makeTestCa(caDir);
    mock = new MockOAuthMcp(ca);
    await mock.start();
    writeFileSync(
      join(tmp.dir, 'chromium.sh'),
      `#!/bin/sh\ntimeout 120 /usr/bin/chromium --headless=new --no-sandbox --disable-gpu --ignore-certificate-errors --no-first-run --user-data-dir='${tmp.dir}/chrome' "$1" >/dev/null 2>&1 &\necho $! >> '${tmp.dir}/chrome.pids'\n`,
      { mode: 0o755 },
    );
    config = writeTestConfig(
      host,
      tmp.dir,
      [
        '[network]',
        'allow_host_loopback = true # test only: the mock listens on the host loopback',
        '[auth_proxy]',
        'approval = "prompt"',
        'timeout_seconds = 120',
        '[agents.claude]',
        'env = { NODE_EXTRA_CA_CERTS = "/usr/local/share/ags-test-ca/ca.pem", ANTHROPIC_API_KEY = "sk-ant-test-not-a-secret", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = "1" }',
        '[[mount]]',
        `host = "${caDir}"`,
        'container = "/usr/local/share/ags-test-ca"',
        'mode = "ro"',
      ].join('\n'),
      { image: E2E_IMAGE, dataDir: join(host.home, 'e2e-data') },
    );
    execFileSync('chown', ['-R', `${host.uid}:${host.uid}`, tmp.dir]);
    execFileSync('chmod', ['644', ca.caFile]);
    const repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
    await prepareE2eSandbox(host, config, repo, ['claude']);
  }, 900_000);

  afterEach(() => {
    try {
      tmux('kill-server');
    } catch {
      /* none */
    }
  });

  afterAll(async () => {
    await mock?.stop();
    // headless Chromium stays on the page it was sent to: end it (its `timeout` passes the signal on)
    const pids = join(tmp.dir, 'chrome.pids');
    if (existsSync(pids)) {
      for (const pid of readFileSync(pids, 'utf8').split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGTERM');
        } catch {
          /* ended already */
        }
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    tmp?.cleanup();
  });

  /** The question, once it is on the screen. */
  const question = (name: string) =>
    until('the question', () => {
      const s = pane(name);
      return s.includes('open it? [y/N]') && s;
    });

  it('Ctrl-C at the prompt refuses; the agent gets its screen and the keys back; the mode is restored', async () => {
    const { dir } = await loginInPane('refused');
    const asked = await question('refused');
    // scheme, full host, path and callback port; no query values; the agent's screen is not under it
    expect(asked).toContain('scheme: https');
    expect(asked).toMatch(/host: {3}localhost:\d+/);
    expect(asked).toContain('path:   /authorize');
    expect(asked).toMatch(/login callback: the host will listen on localhost:\d+ for \/callback/);
    expect(asked).toContain('(values not shown)');
    expect(asked).not.toMatch(/code_challenge=|state=|redirect_uri=http/);
    expect(asked).not.toContain('Paste');
    tmux('send-keys', '-t', 'refused', 'C-c');
    // the refusal is on the sandbox's terminal, over Claude's login screen, which is back
    const after = await until('the refusal', () => {
      const s = pane('refused');
      return s.includes('ags: the host did not open the URL: not opened: the user did not approve it') && s;
    });
    expect(after).not.toContain('open it? [y/N]');
    expect(mock.events).not.toContain('GET /authorize');
    // Claude still runs and takes keys again: its login ("^C to cancel") is cancelled, and the run ends
    expect(after).toContain('Waiting for authorization');
    tmux('send-keys', '-t', 'refused', 'C-c');
    const end = await until('the end of the run', () => {
      const s = pane('refused');
      return s.includes('EXIT=') && s;
    });
    expect(end).not.toContain('EXIT=0');
    expect(readFileSync(join(dir, 'mode-after'), 'utf8')).toBe(
      readFileSync(join(dir, 'mode-before'), 'utf8'),
    );
  });

  it('"y" at the prompt completes the login through the relay', async () => {
    const { dir } = await loginInPane('approved');
    await question('approved');
    tmux('send-keys', '-t', 'approved', 'y', 'Enter');
    const end = await until('the login to finish', () => {
      const s = pane('approved');
      return s.includes('EXIT=') && s;
    });
    expect(end).toContain('Authenticated with "mock"');
    expect(end).not.toContain('open it? [y/N]');
    expect(end).toContain('EXIT=0');
    expect(mock.events).toContain('token issued');
    const audit = readFileSync(join(host.home, '.local/state/ags/auth-proxy.log'), 'utf8');
    expect(audit).toContain('approved (ask)');
    expect(readFileSync(join(dir, 'mode-after'), 'utf8')).toBe(
      readFileSync(join(dir, 'mode-before'), 'utf8'),
    );
  });

  it('ags ended while it asks: podman is continued and stopped, the terminal restored', async () => {
    const { dir, pid } = await loginInPane('ended');
    await question('ended');
    execFileSync('kill', ['-TERM', String(pid())]);
    const end = await until('the end of the run', () => {
      const s = pane('ended');
      return s.includes('EXIT=') && s;
    });
    expect(end).toContain('EXIT=143');
    expect(existsSync(join(dir, 'mode-after'))).toBe(true);
    expect(readFileSync(join(dir, 'mode-after'), 'utf8')).toBe(
      readFileSync(join(dir, 'mode-before'), 'utf8'),
    );
  });
  it('ags killed outright while it asks: its watchdog continues podman and, after it, restores the terminal', async () => {
    const { dir, pid } = await loginInPane('killed');
    await question('killed');
    execFileSync('kill', ['-KILL', String(pid())]);
    // the stopped podman is in an orphaned process group now: SIGHUP and SIGCONT from the kernel end it. The
    // shell's status line may be drawn over by the agent's screen coming back, so it is read from its file.
    const exit = join(dir, 'exit');
    await until('the end of the run', () => existsSync(exit));
    expect(readFileSync(exit, 'utf8').trim()).toBe('137');
    // the watchdog ags left continues podman, so the question leaves the screen; ags's reaper removes the
    // container, the client ends, and then the watchdog puts the mode from before the run back (no key is
    // sent: the pane's shell is in its closing sleep, which ^C would end, and the pane with it)
    await until('the question gone', () => !pane('killed').includes('open it? [y/N]'));
    const tty = tmux('display', '-p', '-t', 'killed', '#{pane_tty}').trim();
    const before = readFileSync(join(dir, 'mode-before'), 'utf8');
    const modeNow = () => {
      const [file, ...args] = asTestUser(host, ['sh', '-c', 'stty -g < "$0"', tty]);
      return execFileSync(file!, args, { encoding: 'utf8' });
    };
    await until('the mode from before the run', () => modeNow() === before, 30_000);
  });
});
