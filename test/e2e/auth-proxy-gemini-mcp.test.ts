import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, runAgs, writeTestConfig } from '../support/ags.js';
import { E2E_AGENT_VERSIONS, E2E_IMAGE, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, asTestUser, loadTestHost, podman } from '../support/host.js';
import { MockGeminiApi } from '../support/mock-gemini.js';
import { MockOAuthMcp, makeTestCa } from '../support/mock-oauth-mcp.js';
import { killRecordedPids } from '../support/recorded-pids.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo, writeSandboxHomeFile } from '../support/workspace.js';

// Gemini CLI logs in to an MCP server only from its TUI (`/mcp auth NAME`), so the run is in a tmux pane: real
// Gemini CLI, started by ags, pointed at the mock Gemini API by an API key, with the mock OAuth + MCP server added
// through ags. The test reads the pane and answers as a user would; Gemini's MCP OAuth opens the authorization
// page with xdg-open (the shim, taken because ags sets MIR_SOCKET), the host opens it in headless Chromium
// (approved by auto_allow_domains), and the browser's redirect to http://localhost:<port>/oauth/callback is
// relayed into the sandbox to Gemini's listener, which trades the code for a token and keeps it.
describe('ags --agent gemini: MCP OAuth login in the TUI through the auth proxy', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;
  let mock: MockOAuthMcp;
  let model: MockGeminiApi;
  // its own sandbox homes: another run's Gemini settings (the other Gemini test's login type) are not in the way
  const dataDir = () => join(host.home, 'e2e-gemini-mcp-data');
  const tokens = () => join(dataDir(), 'homes/gemini/.gemini/mcp-oauth-tokens.json');
  // shared by every ags run of the test user; on a new machine it appears with the first request
  const auditLog = () => join(host.home, '.local/state/ags/auth-proxy.log');
  const audit = () => (existsSync(auditLog()) ? readFileSync(auditLog(), 'utf8') : '');
  const socket = `ags-gemmcp-${process.pid}`;
  const tmux = (...args: string[]) => {
    const [file, ...pre] = asTestUser(host, ['tmux', '-L', socket, ...args]);
    return execFileSync(file!, pre, { encoding: 'utf8' });
  };
  const pane = () => tmux('capture-pane', '-p', '-J', '-t', 'gemini');
  const keys = (...k: string[]) => tmux('send-keys', '-t', 'gemini', ...k);

  async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 120_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = probe();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n--- pane:\n${pane()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * Gemini's MCP OAuth refuses endpoints at private addresses (10.0.2.2, and any name resolving to one) unless the
   * MCP server is on loopback; a forwarder in the sandbox (as the test user, by podman exec) puts the host's mock
   * on the sandbox's 127.0.0.1 under its own port, so both sides call it https://localhost:PORT.
   */
  async function forwardSandboxLoopback(): Promise<void> {
    const pid = readFileSync(join(tmp.dir, 'ags-pid'), 'utf8').trim();
    const ps = await podman(host, ['ps', '-q', '--filter', `label=ags.session=session-${pid}`]);
    const id = String(ps.stdout).trim();
    expect(id, String(ps.stderr)).toMatch(/^[0-9a-f]+$/);
    const forward = `const net = require('net'); net.createServer((c) => { const u = net.connect(${mock.port}, '10.0.2.2'); c.pipe(u).pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); }).listen(${mock.port}, '127.0.0.1');`;
    const exec = await podman(host, ['exec', '-d', id, 'node', '-e', forward]);
    expect(exec.exitCode, String(exec.stderr)).toBe(0);
  }

  /**
   * Types a slash command and runs it. Enter takes the highlighted completion (`completion`, the last word) when
   * the list is open, so it is sent once the list has caught up with the text, and again while the text is still
   * in the input box with its completion under it.
   */
  async function command(text: string, completion: string): Promise<void> {
    const typed = new RegExp(`> ${text.replace(/\//g, '\\/')}\\s*\\n\\s*${completion}\\s`);
    // keys sent while the TUI redraws (an MCP server restarting) can be lost: typed again, a few times
    for (let i = 0; i < 5 && !typed.test(pane()); i++) {
      keys('C-u');
      keys('-l', text);
      await until(`${text} typed`, () => typed.test(pane()), 10_000).catch(() => undefined);
    }
    await until(`${text} typed`, () => typed.test(pane()), 1000);
    for (let i = 0; i < 5 && typed.test(pane()); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      keys('Enter');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    const caDir = join(tmp.dir, 'ca');
    mkdirSync(caDir);
    const ca = makeTestCa(caDir);
    mock = new MockOAuthMcp(ca, 'localhost');
    await mock.start();
    model = new MockGeminiApi(() => 'hello from the mock');
    const modelPort = await model.start('127.0.0.1');
    repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
    writeFileSync(
      join(tmp.dir, 'chromium.sh'),
      `#!/bin/sh\ntimeout 120 /usr/bin/chromium --headless=new --no-sandbox --disable-gpu --ignore-certificate-errors --no-first-run --user-data-dir='${tmp.dir}/chrome' "$1" >'${tmp.dir}/chrome.log' 2>&1 &\necho $! >> '${tmp.dir}/chrome.pids'\n`,
      { mode: 0o755 },
    );
    config = writeTestConfig(
      host,
      tmp.dir,
      [
        '[network]',
        'allow_host_loopback = true # test only: the mocks listen on the host loopback',
        '[auth_proxy]',
        // the mock's authorization page is https://localhost:PORT/authorize (the host's own loopback)
        'auto_allow_domains = ["localhost"]',
        'approval = "deny"',
        '[agents.gemini]',
        `env = { NODE_EXTRA_CA_CERTS = "/usr/local/share/ags-test-ca/ca.pem", GOOGLE_GEMINI_BASE_URL = "http://10.0.2.2:${modelPort}", GEMINI_API_KEY = "test-not-a-secret" }`,
        '[[mount]]',
        `host = "${caDir}"`,
        'container = "/usr/local/share/ags-test-ca"',
        'mode = "ro"',
      ].join('\n'),
      { image: E2E_IMAGE, dataDir: dataDir() },
    );
    execFileSync('chown', ['-R', `${host.uid}:${host.uid}`, tmp.dir]);
    execFileSync('chmod', ['644', ca.caFile]);
    await prepareE2eSandbox(host, config, repo, [`gemini@${E2E_AGENT_VERSIONS.gemini}`]);
    // an API key is a login Gemini's TUI starts with; the token file of an earlier run is not this run's proof
    writeSandboxHomeFile(
      host,
      dataDir(),
      'gemini',
      '.gemini/settings.json',
      JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }),
    );
    rmSync(tokens(), { force: true });
  }, 900_000);

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      /* none */
    }
    await mock?.stop();
    await model?.stop();
    // headless Chromium stays on the page it was sent to
    if (tmp) await killRecordedPids(join(tmp.dir, 'chrome.pids'));
    tmp?.cleanup();
  });

  it('/mcp auth in the TUI: the host browser opens through the shim, the callback is relayed, the token is kept', async () => {
    // the user's settings (the sandbox home): the workspace's .gemini/ is read-only in the sandbox
    const add = await runAgs(
      host,
      [
        '--config',
        config,
        '--agent',
        'gemini',
        '--',
        'mcp',
        'add',
        '--scope',
        'user',
        '--transport',
        'http',
      ].concat('mock', `${mock.sandboxBase}/mcp`),
      { cwd: repo, timeout: 170_000 },
    );
    expect(add.exitCode, `${String(add.stdout)}${String(add.stderr)}`).toBe(0);

    const before = audit().length;
    tmux(
      'new-session',
      '-d',
      '-s',
      'gemini',
      '-x',
      '200',
      '-y',
      '50',
      `cd '${repo}' && sh -c 'echo $$ > "$0"; exec "$@"' '${tmp.dir}/ags-pid' env BROWSER='${join(tmp.dir, 'chromium.sh')}' '${process.execPath}' '${AGS_BIN}' --config '${config}' --agent gemini -- --skip-trust; echo "EXIT=$?"; sleep 300`,
    );
    // the TUI is ready when its input box has been on the screen a while; the workspace is trusted for the run
    // (--skip-trust): Gemini starts no MCP server in an untrusted folder, whatever settings layer names it
    let quietSince = 0;
    await until('the input box', () => {
      if (!pane().includes('Type your message')) return false;
      quietSince ||= Date.now();
      return Date.now() - quietSince > 3000;
    });
    await forwardSandboxLoopback();
    await command('/mcp auth mock', 'mock');
    await until('the consent question', () => pane().includes('Do you want to continue?'));
    keys('Enter');

    await until('the token', () => mock.events.includes('token issued'), 180_000);
    await until('the token file', () => existsSync(tokens()));
    expect(readFileSync(tokens(), 'utf8')).toContain('mock');
    const screen = await until('the login reported', () => {
      const s = pane();
      return /Successfully authenticated/i.test(s) && s;
    });
    expect(screen).not.toContain('EXIT=');

    await command('/quit', 'quit');
    const end = await until('the end of the run', () => {
      const s = pane();
      return s.includes('EXIT=') && s;
    });
    expect(end).toContain('EXIT=0');

    // the audit lines of this run's session only (other runs share the log; a session is named by ags's pid)
    let seen = audit().slice(before);
    const session = `session-${readFileSync(join(tmp.dir, 'ags-pid'), 'utf8').trim()}`;
    expect(seen, seen).toContain(` ${session} auth-proxy: request `);
    seen = seen
      .split('\n')
      .filter((l) => l.includes(` ${session} `))
      .join('\n');
    expect(seen).toMatch(
      /url=https:\/\/localhost:\d+\/authorize\?.* callback=localhost:\d+\/oauth\/callback\n/,
    );
    expect(seen).toContain('approved (auto_allow_domains)');
    expect(seen).toContain('opened in the host browser');
    expect(seen).toMatch(/callback GET on port \d+ relayed into the sandbox/);
    expect(seen).toMatch(/callback on port \d+ answered 200/);
  }, 600_000);
});
