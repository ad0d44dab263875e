import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgs, signalAgs, writeTestConfig } from '../support/ags.js';
import { E2E_IMAGE, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo, writeSandboxHomeFile } from '../support/workspace.js';

// Gemini CLI takes its browser login only with a display variable; the adapter sets MIR_SOCKET while the auth
// proxy runs. Real Gemini CLI, asked to log in with Google (oauth-personal) in `-p` mode, opens its login page
// with xdg-open — the shim — and the request reaches the host service with the callback port it listens on.
// The host refuses it (approval = "deny", accounts.google.com not allowed): nothing is opened, and the machine
// is offline anyway; what is proved is that the browser path is taken and lands on the host.
describe('ags --agent gemini: the login takes the browser path into the auth proxy', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;
  const dataDir = () => join(host.home, 'e2e-auth-data');
  // on a new machine the log appears with the first request
  const auditLog = () => join(host.home, '.local/state/ags/auth-proxy.log');
  const audit = () => (existsSync(auditLog()) ? readFileSync(auditLog(), 'utf8') : '');

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
    config = writeTestConfig(host, tmp.dir, ['[auth_proxy]', 'approval = "deny"'].join('\n'), {
      image: E2E_IMAGE,
      dataDir: dataDir(),
    });
    await prepareE2eSandbox(host, config, repo, ['gemini']);
    writeSandboxHomeFile(
      host,
      dataDir(),
      'gemini',
      '.gemini/settings.json',
      JSON.stringify({ security: { auth: { selectedType: 'oauth-personal' } } }),
    );
  }, 900_000);

  afterAll(() => tmp?.cleanup());

  it("Gemini CLI's own login calls the shim, and the host sees the URL and its callback", async () => {
    const before = audit().length;
    const run = runAgs(host, ['--config', config, '--agent', 'gemini', '--', '-p', 'hello'], {
      cwd: repo,
      input: 'Y\n',
      stdin: undefined,
    });
    const deadline = Date.now() + 240_000;
    let seen = '';
    while (Date.now() < deadline) {
      seen = audit().slice(before);
      if (seen.includes('accounts.google.com is not in [auth_proxy] auto_allow_domains')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // ended as a user would: SIGTERM to ags, which stops the container and exits 143
    signalAgs(run, 'SIGTERM');
    expect((await run).exitCode).toBe(143);
    // the log is the test user's, shared with every other ags run: keep this run's session only
    const session = /(session-\d+) auth-proxy: request \S+ url=https:\/\/accounts\.google\.com/.exec(
      seen,
    )?.[1];
    expect(session, seen).toBeDefined();
    seen = seen
      .split('\n')
      .filter((l) => l.includes(` ${session} `))
      .join('\n');
    expect(seen).toMatch(
      /url=https:\/\/accounts\.google\.com\/o\/oauth2\/v2\/auth\?.*callback=localhost:\d+\/oauth2callback/,
    );
    expect(seen).toContain('denied (deny)');
    expect(seen).not.toContain('opened in the host browser');
  }, 300_000);
});
