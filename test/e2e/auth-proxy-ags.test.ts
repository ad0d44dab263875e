import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, runAgs, writeTestConfig } from '../support/ags.js';
import { E2E_IMAGE, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, asTestUser, loadTestHost } from '../support/host.js';
import { MockOAuthMcp, makeTestCa } from '../support/mock-oauth-mcp.js';
import { killRecordedPids } from '../support/recorded-pids.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// The auth proxy as ags runs it: `ags --agent claude -- mcp login mock` on a real terminal (tmux), the host
// service started by ags, real headless Chromium as the host's $BROWSER, the mock OAuth 2.1 server + MCP server
// over HTTPS. The login completes through the relay, the token lands in the sandbox home, and the next ags run
// is connected without logging in again.
describe('ags --agent claude: MCP OAuth login through the auth proxy', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;
  let mock: MockOAuthMcp;
  const socket = `ags-authags-${process.pid}`;
  const tmux = (...args: string[]) => {
    const [file, ...pre] = asTestUser(host, ['tmux', '-L', socket, ...args]);
    return execFileSync(file!, pre, { encoding: 'utf8' });
  };

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    const caDir = join(tmp.dir, 'ca');
    mkdirSync(caDir);
    const ca = makeTestCa(caDir);
    mock = new MockOAuthMcp(ca);
    await mock.start();
    repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
    writeFileSync(
      join(tmp.dir, 'chromium.sh'),
      `#!/bin/sh\n/usr/bin/chromium --headless=new --no-sandbox --disable-gpu --ignore-certificate-errors --no-first-run --user-data-dir='${tmp.dir}/chrome' "$1" >/dev/null 2>&1 &\necho $! >> '${tmp.dir}/chromium.pids'\n`,
      { mode: 0o755 },
    );
    config = writeTestConfig(
      host,
      tmp.dir,
      [
        '[network]',
        'allow_host_loopback = true # test only: the mock listens on the host loopback',
        '[auth_proxy]',
        'auto_allow_domains = ["localhost"]',
        'approval = "deny"',
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
    await prepareE2eSandbox(host, config, repo, ['claude']);
  }, 900_000);

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      /* none */
    }
    if (tmp) await killRecordedPids(join(tmp.dir, 'chromium.pids'));
    await mock?.stop();
    tmp?.cleanup();
  });

  it('logs in from inside, stores the token in the sandbox home, and the next run is connected', async () => {
    // local scope: the server is registered for this workspace only, in the e2e sandbox home
    const add = await runAgs(
      host,
      [
        '--config',
        config,
        '--agent',
        'claude',
        '--',
        'mcp',
        'add',
        '--transport',
        'http',
        'mock',
        `${mock.sandboxBase}/mcp`,
      ],
      { cwd: repo },
    );
    expect(add.exitCode, String(add.stderr)).toBe(0);

    const done = join(tmp.dir, 'login-exit');
    tmux(
      'new-session',
      '-d',
      '-x',
      '220',
      '-y',
      '50',
      `cd '${repo}' && BROWSER='${join(tmp.dir, 'chromium.sh')}' '${process.execPath}' '${AGS_BIN}' --config '${config}' --agent claude -- mcp login mock; echo "$?" > '${done}'; sleep 120`,
    );
    const deadline = Date.now() + 120_000;
    while (!existsSync(done) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const screen = tmux('capture-pane', '-p', '-J');
    expect(screen).toContain('Authenticated with "mock"');
    expect(readFileSync(done, 'utf8').trim()).toBe('0');
    expect(mock.events).toContain('GET /authorize');
    expect(mock.events).toContain('token issued');
    const audit = readFileSync(join(host.home, '.local/state/ags/auth-proxy.log'), 'utf8');
    expect(audit).toMatch(/callback on port \d+ answered 200/);
    expect(audit).not.toMatch(/code_challenge=[^…]/);

    const seen = mock.events.length;
    const list = await runAgs(host, ['--config', config, '--agent', 'claude', '--', 'mcp', 'list'], {
      cwd: repo,
    });
    expect(`${String(list.stdout)}${String(list.stderr)}`, `exit ${list.exitCode}`).toContain('Connected');
    expect(mock.events.slice(seen)).toContain('mcp tools/list');
    expect(mock.events.slice(seen)).not.toContain('GET /authorize');
  });
});
