import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgs, writeTestConfig } from '../support/ags.js';
import { E2E_AGENT_VERSIONS, E2E_IMAGE, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { MOCK_HOST_NAME, MockOAuthMcp, makeTestCa } from '../support/mock-oauth-mcp.js';
import { killRecordedPids } from '../support/recorded-pids.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo, writeSandboxHomeFile } from '../support/workspace.js';

// opencode through the same relay: real opencode in a container started by ags runs `opencode mcp auth mock`
// against the mock OAuth 2.1 server + MCP server named in its user config; it opens the authorize URL with
// xdg-open (the shim), the host opens real headless Chromium, and the redirect to opencode's fixed callback
// http://127.0.0.1:19876/mcp/oauth/callback comes back into the sandbox. No env is needed for opencode to take
// the browser path. The mock is reached by a name (podman maps it to the host inside, Chromium on the host).
describe('ags --agent opencode: MCP OAuth login through the auth proxy', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;
  let mock: MockOAuthMcp;
  // its own data dir: the shared e2e ones are written by other tests running at the same time
  const dataDir = () => join(host.home, 'e2e-opencode-auth-data');
  const auditLog = () => join(host.home, '.local/state/ags/auth-proxy.log');
  const audit = () => (existsSync(auditLog()) ? readFileSync(auditLog(), 'utf8') : '');

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    const caDir = join(tmp.dir, 'ca');
    mkdirSync(caDir);
    const ca = makeTestCa(caDir);
    mock = new MockOAuthMcp(ca, MOCK_HOST_NAME);
    await mock.start();
    repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
    writeFileSync(
      join(tmp.dir, 'chromium.sh'),
      `#!/bin/sh\ntimeout 120 /usr/bin/chromium --headless=new --no-sandbox --disable-gpu --ignore-certificate-errors --no-first-run --host-resolver-rules='MAP ${MOCK_HOST_NAME} 127.0.0.1' --user-data-dir='${tmp.dir}/chrome' "$1" >'${tmp.dir}/chrome.log' 2>&1 &\necho $! >> '${tmp.dir}/chrome.pids'\n`,
      { mode: 0o755 },
    );
    config = writeTestConfig(
      host,
      tmp.dir,
      [
        // [runtime.podman] (the table this text starts in)
        `extra_args = ["--add-host=${MOCK_HOST_NAME}:10.0.2.2"]`,
        '[network]',
        'allow_host_loopback = true # test only: the mock listens on the host loopback',
        '[auth_proxy]',
        `auto_allow_domains = ["${MOCK_HOST_NAME}"]`,
        'approval = "deny"',
        '[agents.opencode]',
        'env = { NODE_EXTRA_CA_CERTS = "/usr/local/share/ags-test-ca/ca.pem" }',
        '[[mount]]',
        `host = "${caDir}"`,
        'container = "/usr/local/share/ags-test-ca"',
        'mode = "ro"',
      ].join('\n'),
      { image: E2E_IMAGE, dataDir: dataDir() },
    );
    execFileSync('chown', ['-R', `${host.uid}:${host.uid}`, tmp.dir]);
    execFileSync('chmod', ['644', ca.caFile]);
    await prepareE2eSandbox(host, config, repo, [`opencode@${E2E_AGENT_VERSIONS.opencode}`]);
    writeSandboxHomeFile(
      host,
      dataDir(),
      'opencode',
      '.config/opencode/opencode.json',
      JSON.stringify({ mcp: { mock: { type: 'remote', url: `${mock.sandboxBase}/mcp` } } }),
    );
  }, 900_000);

  afterAll(async () => {
    await mock?.stop();
    await killRecordedPids(join(tmp.dir, 'chrome.pids'));
    tmp?.cleanup();
  });

  it('mcp auth: the host browser opens through the shim, the callback is relayed, the token is kept', async () => {
    const before = audit().length;
    const r = await runAgs(host, ['--config', config, '--agent', 'opencode', '--', 'mcp', 'auth', 'mock'], {
      cwd: repo,
      env: { BROWSER: join(tmp.dir, 'chromium.sh') },
      timeout: 170_000,
    });
    const out = `${String(r.stdout)}${String(r.stderr)}`;
    const chrome = () =>
      existsSync(join(tmp.dir, 'chrome.log')) ? readFileSync(join(tmp.dir, 'chrome.log'), 'utf8') : '';
    expect(r.exitCode, `${out}\n${chrome().slice(-2000)}\n${mock.events.join(' ')}`).toBe(0);
    expect(mock.events).toContain('GET /authorize');
    expect(mock.events).toContain('token issued');
    // this run's lines only: the log is shared by every run of the test user
    const seen = audit().slice(before);
    const session = /(session-\d+) auth-proxy: request \S+ url=https:\/\/\S*/.exec(seen)?.[1];
    expect(session, seen).toBeDefined();
    const mine = seen
      .split('\n')
      .filter((l) => l.includes(` ${session} `))
      .join('\n');
    expect(mine).toMatch(/callback=localhost:19876\/mcp\/oauth\/callback/);
    expect(mine).toContain('approved (auto_allow_domains)');
    expect(mine).toMatch(/callback on port 19876 answered 200/);
    const tokens = readFileSync(
      join(dataDir(), 'homes/opencode/.local/share/opencode/mcp-auth.json'),
      'utf8',
    );
    expect(tokens).toContain('mock');
  });
});
