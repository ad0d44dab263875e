import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, writeTestConfig } from '../support/ags.js';
import { E2E_AGENT_VERSIONS, E2E_IMAGE, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, asTestUser, loadTestHost } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// pi's own login takes the browser path: real pi 0.87.1 (its MCP login came later, in 1.x) in its TUI, in a
// tmux pane, `/login` → account → Anthropic. pi spawns xdg-open — the shim — and the request reaches the host
// service with pi's fixed callback port. The host refuses it (approval = "deny", claude.ai not allowed): the
// machine is offline, so a full login with the real provider cannot be made; what is proved is that the
// browser path is taken without any env from ags and lands on the host with its callback.
describe('ags --agent pi: the login takes the browser path into the auth proxy', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;
  const socket = `ags-authpi-${process.pid}`;
  const tmux = (...args: string[]) => {
    const [file, ...pre] = asTestUser(host, ['tmux', '-L', socket, ...args]);
    return execFileSync(file!, pre, { encoding: 'utf8' });
  };
  const pane = () => tmux('capture-pane', '-p', '-J', '-t', 'pi');
  const auditLog = () => join(host.home, '.local/state/ags/auth-proxy.log');
  const audit = () => (existsSync(auditLog()) ? readFileSync(auditLog(), 'utf8') : '');

  async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 90_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = probe();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${pane()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
    config = writeTestConfig(host, tmp.dir, ['[auth_proxy]', 'approval = "deny"'].join('\n'), {
      image: E2E_IMAGE,
      dataDir: join(host.home, 'e2e-pi-auth-data'),
    });
    await prepareE2eSandbox(host, config, repo, [`pi@${E2E_AGENT_VERSIONS.pi}`]);
  }, 900_000);

  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      /* none left */
    }
    tmp?.cleanup();
  });

  it("pi's /login calls the shim, and the host sees the URL and its callback", async () => {
    const before = audit().length;
    tmux(
      'new-session',
      '-d',
      '-s',
      'pi',
      '-x',
      '200',
      '-y',
      '50',
      `cd '${repo}' && '${process.execPath}' '${AGS_BIN}' --config '${config}' --agent pi; echo "EXIT=$?"; sleep 300`,
    );
    await until('the prompt', () => pane().includes('/ commands'));
    tmux('send-keys', '-t', 'pi', '/login');
    await until('the command typed', () => pane().includes('/login'));
    tmux('send-keys', '-t', 'pi', 'Enter');
    await until('the method menu', () => pane().includes('Sign in with an account'));
    tmux('send-keys', '-t', 'pi', 'Enter');
    await until('the provider menu', () => /→ Anthropic/.test(pane()));
    tmux('send-keys', '-t', 'pi', 'Enter');
    const seen = await until('the request on the host', () => {
      const s = audit().slice(before);
      return s.includes('claude.ai is not in [auth_proxy] auto_allow_domains') && s;
    });
    // this run's lines only: the log is shared by every run of the test user
    const session = /(session-\d+) auth-proxy: request \S+ url=https:\/\/claude\.ai\/oauth\/authorize/.exec(
      seen,
    )?.[1];
    expect(session, seen).toBeDefined();
    const mine = seen
      .split('\n')
      .filter((l) => l.includes(` ${session} `))
      .join('\n');
    expect(mine).toMatch(/url=https:\/\/claude\.ai\/oauth\/authorize\?.*callback=localhost:53692\/callback/);
    expect(mine).toContain('denied (deny)');
    expect(mine).not.toContain('opened in the host browser');
    // the refusal leaves pi at its paste prompt; leave it and pi, as a user would
    tmux('send-keys', '-t', 'pi', 'Escape');
    await until('the prompt back', () => !pane().includes('paste the authorization code'));
    tmux('send-keys', '-t', 'pi', 'C-d');
    const end = await until('the end of the run', () => {
      const s = pane();
      return s.includes('EXIT=') && s;
    });
    expect(end).toContain('EXIT=0');
  }, 300_000);
});
