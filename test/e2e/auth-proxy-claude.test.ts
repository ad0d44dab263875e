import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentInstallDir } from '../support/agents.js';
import { REPO_ROOT, type TestHost, asTestUser, loadTestHost, podman } from '../support/host.js';
import { MockOAuthMcp, makeTestCa } from '../support/mock-oauth-mcp.js';
import { killRecordedPids } from '../support/recorded-pids.js';
import { testUserTempDir } from '../support/tmp.js';

// An MCP server's OAuth login from inside a real rootless container, end to end: real Claude Code 2.x runs
// `claude mcp login` in the container; the auth proxy's host side (its own process, as the test user) opens the
// authorize URL in real headless Chromium via $BROWSER; the mock authorization server redirects the browser to
// http://localhost:PORT/callback on the host, the relay carries it into the container to Claude Code's listener,
// Claude Code exchanges the code (PKCE-checked) and stores the token in its sandbox home; a second container
// run uses that token without a new login.
//
// The container is started by hand here with exactly what the auth-proxy host service contributes (the socket
// and token at /run/ags-auth, BROWSER, the browser commands first on PATH); ags's own wiring of the service
// lands with the run-lifecycle work.

const SHIM_DIR = join(REPO_ROOT, 'dist/sandbox');
const tmuxSocket = `ags-authe2e-${process.pid}`;

describe('auth proxy: real Claude Code MCP OAuth login from a container, real headless Chromium', () => {
  let host: TestHost;
  let work: ReturnType<typeof testUserTempDir>;
  let mock: MockOAuthMcp;
  let ca: ReturnType<typeof makeTestCa>;
  let hostMain: string;
  const procs: ChildProcess[] = [];
  let panes = 0;

  const tmux = (...args: string[]) =>
    execFileSync(
      asTestUser(host, ['tmux'])[0]!,
      [...asTestUser(host, ['tmux']).slice(1), '-L', tmuxSocket, ...args],
      {
        encoding: 'utf8',
      },
    );

  async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 90_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = probe();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** A session dir with the host side of the proxy serving it, as the test user. */
  async function startProxy(name: string, allow: string, approval: 'prompt' | 'deny'): Promise<string> {
    const dir = join(work.dir, name);
    mkdirSync(dir, { mode: 0o700 });
    execFileSync('chown', [`${host.uid}:${host.uid}`, dir]);
    const child = spawn(
      asTestUser(host, ['env'])[0]!,
      [
        ...asTestUser(host, ['env']).slice(1),
        `BROWSER=${join(work.dir, 'chromium.sh')}`,
        process.execPath,
        hostMain,
        dir,
        allow,
        approval,
        '120000',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    procs.push(child);
    await until('the proxy', () => existsSync(join(dir, 'sock')));
    return dir;
  }

  /** The container as the auth-proxy service sets it up, running `claude ARGS`, as a podman argv. */
  function containerArgv(session: string | null, tty: boolean, args: string[], home = 'home'): string[] {
    return [
      'run',
      '--rm',
      ...(tty ? ['-it'] : []),
      '--pull=never',
      '--userns=keep-id',
      '--cap-drop=all',
      '--security-opt=no-new-privileges',
      // test-only: reach the mock on the host's loopback (the product's default keeps this off)
      '--network=slirp4netns:allow_host_loopback=true',
      ...host.engineArgs,
      '-v',
      `${agentInstallDir(host, 'claude')}:/opt/claude:ro`,
      '-v',
      `${SHIM_DIR}:/opt/ags/sandbox:ro`,
      ...(session
        ? ['-v', `${session}/sock:/run/ags-auth/sock`, '-v', `${session}/token:/run/ags-auth/token:ro`]
        : []),
      '-v',
      `${ca.caFile}:/run/test-ca.pem:ro`,
      '-v',
      `${work.dir}/${home}:${work.dir}/${home}`,
      '-w',
      `${work.dir}/${home}`,
      '-e',
      `HOME=${work.dir}/${home}`,
      '-e',
      'AGS_AUTH_PROXY_DIR=/run/ags-auth',
      '-e',
      'BROWSER=/opt/ags/sandbox/browser/ags-browser',
      '-e',
      'PATH=/opt/ags/sandbox/browser:/opt/claude/node_modules/.bin:/usr/local/bin:/usr/bin:/bin',
      '-e',
      'NODE_EXTRA_CA_CERTS=/run/test-ca.pem',
      '-e',
      'ANTHROPIC_API_KEY=sk-ant-test-not-a-secret',
      '-e',
      'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1',
      host.image,
      'claude',
      ...args,
    ];
  }

  /** `claude mcp login mock` on a terminal (it needs one), in a tmux pane; the pane's name. */
  function loginInPane(session: string, home = 'home'): string {
    const name = `login${++panes}`;
    const argv = containerArgv(session, true, ['mcp', 'login', 'mock'], home)
      .map((a) => `'${a}'`)
      .join(' ');
    tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      '220',
      '-y',
      '50',
      `podman ${argv}; echo "EXIT=$?"; sleep 300`,
    );
    return name;
  }
  const pane = (name: string) => tmux('capture-pane', '-p', '-J', '-t', name);

  beforeAll(async () => {
    host = loadTestHost();
    if (!existsSync(join(SHIM_DIR, 'auth-browser.mjs')))
      throw new Error('run `node scripts/build.mjs` first');
    if (!existsSync('/usr/bin/chromium'))
      throw new Error('chromium is missing: run scripts/provision-test-host.sh');
    work = testUserTempDir(host);
    ca = makeTestCa(work.dir);
    execFileSync('chmod', ['644', ca.caFile]);
    mock = new MockOAuthMcp(ca);
    await mock.start();
    mkdirSync(join(work.dir, 'home'));
    mkdirSync(join(work.dir, 'home2'));
    execFileSync('chown', ['-R', `${host.uid}:${host.uid}`, work.dir]);
    execFileSync('chmod', ['600', ca.keyFile]);
    // the host's browser: real headless Chromium, which follows the authorize redirect to the callback. A
    // profile per launch: the host's "login finished" page stays open, and a second headless launch on the same
    // profile would hand its URL to that instance, which does not open it
    writeFileSync(
      join(work.dir, 'chromium.sh'),
      `#!/bin/sh\n/usr/bin/chromium --headless=new --no-sandbox --disable-gpu --ignore-certificate-errors --no-first-run --user-data-dir="$(mktemp -d '${work.dir}/chrome-XXXXXX')" "$1" >/dev/null 2>&1 &\necho $! >> '${work.dir}/chromium.pids'\n`,
      { mode: 0o755 },
    );
    hostMain = join(work.dir, 'host-main.mjs');
    await build({
      entryPoints: [join(REPO_ROOT, 'test/fixtures/authproxy/host-main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: hostMain,
      logLevel: 'error',
      external: ['bufferutil', 'utf-8-validate'],
      banner: {
        js: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
      },
    });
    execFileSync('chmod', ['644', hostMain]);
    const add = await podman(
      host,
      containerArgv(null, false, ['mcp', 'add', '--transport', 'http', 'mock', `${mock.sandboxBase}/mcp`]),
    );
    expect(add.exitCode, String(add.stderr)).toBe(0);
    const add2 = await podman(
      host,
      containerArgv(
        null,
        false,
        ['mcp', 'add', '--transport', 'http', 'mock', `${mock.sandboxBase}/mcp`],
        'home2',
      ),
    );
    expect(add2.exitCode, String(add2.stderr)).toBe(0);
  }, 600_000);

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      /* none started */
    }
    for (const p of procs) p.kill();
    if (work) await killRecordedPids(join(work.dir, 'chromium.pids'));
    await mock?.stop();
    work?.cleanup();
  });

  it('a denied URL opens nothing and the login does not happen', async () => {
    const session = await startProxy('denied', 'auth.example.test', 'deny');
    const name = loginInPane(session);
    await until(
      'the denial in the audit log',
      () =>
        existsSync(join(session, 'audit.log')) &&
        readFileSync(join(session, 'audit.log'), 'utf8').includes('refused'),
    );
    const audit = readFileSync(join(session, 'audit.log'), 'utf8');
    expect(audit).toContain('denied (deny)');
    expect(audit).not.toContain('opened in the host browser');
    expect(mock.events).not.toContain('GET /authorize');
    // Claude Code discards the browser's output: the refusal is written to the sandbox's terminal
    const screen = await until('the refusal on the terminal', () => {
      const text = pane(name);
      return text.includes('ags: the host did not open the URL') && text;
    });
    expect(screen).toContain('localhost is not in [auth_proxy] auto_allow_domains');
    expect(screen).not.toContain('Authenticated with');
    tmux('kill-session', '-t', name);
  });

  it('auto_allow_domains: logs in through the relay, stores the token, and a second run uses it', async () => {
    const session = await startProxy('allowed', 'localhost', 'deny');
    const name = loginInPane(session);
    await until('the login to finish', () => pane(name).includes('EXIT='));
    expect(pane(name)).toContain('Authenticated with "mock"');
    expect(pane(name)).toContain('EXIT=0');
    expect(mock.events).toContain('GET /authorize');
    expect(mock.events).toContain('token issued');
    const audit = readFileSync(join(session, 'audit.log'), 'utf8');
    expect(audit).toMatch(/callback=localhost:\d+\/callback/);
    expect(audit).toContain('approved (auto_allow_domains)');
    expect(audit).toMatch(/callback on port \d+ answered 200/);
    const creds = readFileSync(join(work.dir, 'home/.claude/.credentials.json'), 'utf8');
    expect(creds).toContain('mcpOAuth');

    // a new container without the proxy: the stored token is accepted by the protected /mcp
    const seen = mock.events.length;
    const list = await podman(host, containerArgv(null, false, ['mcp', 'list']));
    expect(String(list.stdout)).toContain('Connected');
    expect(mock.events.slice(seen)).toContain('mcp tools/list');
  });

  it('the terminal prompt: the question names the host and callback port; a "y" typed there completes the login', async () => {
    // the host side in a pane of its own (a real terminal, no DISPLAY), as on the terminal ags runs in
    const session = join(work.dir, 'prompted');
    mkdirSync(session, { mode: 0o700 });
    execFileSync('chown', [`${host.uid}:${host.uid}`, session]);
    tmux(
      'new-session',
      '-d',
      '-s',
      'proxy',
      '-x',
      '200',
      '-y',
      '50',
      `env -u DISPLAY -u WAYLAND_DISPLAY BROWSER='${join(work.dir, 'chromium.sh')}' '${process.execPath}' '${hostMain}' '${session}' '' prompt 120000; sleep 300`,
    );
    await until('the proxy', () => existsSync(join(session, 'sock')));
    const name = loginInPane(session, 'home2');
    const question = await until('the question', () => {
      const text = pane('proxy');
      return text.includes('open it? [y/N]') && text;
    });
    expect(question).toContain('host:   localhost:');
    expect(question).toContain('path:   /authorize');
    expect(question).toMatch(/login callback: the host will listen on localhost:\d+ for \/callback/);
    expect(question).toContain('(values not shown)');
    expect(question).not.toContain('code_challenge=');
    tmux('send-keys', '-t', 'proxy', 'y', 'Enter');
    await until('the login to finish', () => pane(name).includes('EXIT='));
    expect(pane(name)).toContain('Authenticated with "mock"');
    expect(readFileSync(join(work.dir, 'home2/.claude/.credentials.json'), 'utf8')).toContain('mcpOAuth');
    expect(readFileSync(join(session, 'audit.log'), 'utf8')).toContain('approved (ask)');
  });
});
