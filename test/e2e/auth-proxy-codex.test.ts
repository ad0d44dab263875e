import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgs, writeTestConfig } from '../support/ags.js';
import { E2E_IMAGE, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { MOCK_HOST_NAME, MockOAuthMcp, makeTestCa } from '../support/mock-oauth-mcp.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// A second agent through the same relay: real Codex CLI in a container started by ags runs `codex mcp login`
// against the mock OAuth 2.1 server + MCP server; it opens the browser through $BROWSER (the shim), the host
// opens real headless Chromium, and the browser's redirect to http://127.0.0.1:<port>/callback/<id> comes back
// into the sandbox to Codex's listener. Codex's MCP client refuses an authorization server at a private address
// (10.0.2.2) and one whose /authorize is on another origin, so the mock is reached by a name: podman maps it to
// the host's loopback inside, Chromium maps it to 127.0.0.1 on the host.
describe('ags --agent codex: MCP OAuth login through the auth proxy', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;
  let mock: MockOAuthMcp;
  const dataDir = () => join(host.home, 'e2e-auth-data');

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
    const caIn = '/usr/local/share/ags-test-ca/ca.pem';
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
        '[agents.codex]',
        `env = { SSL_CERT_FILE = "${caIn}", CODEX_CA_CERTIFICATE = "${caIn}" }`,
        '[[mount]]',
        `host = "${caDir}"`,
        'container = "/usr/local/share/ags-test-ca"',
        'mode = "ro"',
      ].join('\n'),
      {
        image: E2E_IMAGE,
        dataDir: dataDir(),
      },
    );
    execFileSync('chown', ['-R', `${host.uid}:${host.uid}`, tmp.dir]);
    execFileSync('chmod', ['644', ca.caFile]);
    await prepareE2eSandbox(host, config, repo, ['codex']);
  }, 900_000);

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

  const codex = (args: string[]) =>
    runAgs(host, ['--config', config, '--agent', 'codex', '--', ...args], {
      cwd: repo,
      env: { BROWSER: join(tmp.dir, 'chromium.sh') },
      timeout: 170_000,
    });

  it('adding the server logs in: the host browser opens through the shim, the callback is relayed, the token is kept', async () => {
    await codex(['mcp', 'remove', 'mock']);
    // Codex starts the OAuth login itself when the server it adds asks for it (as `codex mcp login` does)
    const add = await codex(['mcp', 'add', 'mock', '--url', `${mock.sandboxBase}/mcp`]);
    const out = `${String(add.stdout)}${String(add.stderr)}`;
    const chrome = () => readFileSync(join(tmp.dir, 'chrome.log'), 'utf8').slice(-2000);
    expect(out, `${out}\n${chrome()}\n${mock.events.join(' ')}`).toContain('Successfully logged in');
    expect(add.exitCode).toBe(0);
    expect(mock.events).toContain('GET /authorize');
    expect(mock.events).toContain('token issued');
    const audit = readFileSync(join(host.home, '.local/state/ags/auth-proxy.log'), 'utf8');
    // Codex's redirect is 127.0.0.1 with a per-server id in the path: the host listened for exactly that path
    expect(audit).toMatch(/callback=localhost:\d+\/callback\/[A-Za-z0-9_-]+\n/);
    expect(audit).toContain('approved (auto_allow_domains)');
    expect(audit).toMatch(/callback on port \d+ answered 200/);
    const creds = readFileSync(join(dataDir(), 'homes/codex/.codex/.credentials.json'), 'utf8');
    expect(creds).toContain('mock');

    // a later run sees the stored login
    const list = await codex(['mcp', 'list']);
    expect(String(list.stdout)).toMatch(/mock\s+\S+\/mcp\s+-\s+enabled\s+OAuth/);
  });
});
