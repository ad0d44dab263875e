import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chooseAsk } from '../../authproxy/approval.js';
import { hostBrowserOpener } from '../../authproxy/opener.js';
import { newToken, startAuthProxy } from '../../authproxy/server.js';
import { expansionEnv } from '../../config/expand.js';
import { SANDBOX_AUTH_DIR, SANDBOX_BIN_DIR } from '../../plan/reserved.js';
import type { HostService, ServiceRun } from '../host-service.js';

/** The browser commands (dist/sandbox/browser, in the read-only ags bin mount): first on the sandbox's PATH. */
const BROWSER_DIR = `${SANDBOX_BIN_DIR}/browser`;

const socketOf = (run: ServiceRun) => join(run.session.root, 'auth-proxy.sock');
const tokenOf = (run: ServiceRun) => join(run.session.root, 'auth-proxy.token');

/** The audit log: every request, decision and callback, kept after the run (`$XDG_STATE_HOME/ags/auth-proxy.log`). */
export function authProxyLogPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(expansionEnv(env).XDG_STATE_HOME!, 'ags', 'auth-proxy.log');
}

/**
 * The auth proxy: the sandbox's browser. Its socket and token are mounted at SANDBOX_AUTH_DIR (the token only
 * as a file, never in argv, env or the plan); $BROWSER and the browser commands on PATH are the shim.
 */
export const authProxyService: HostService = {
  name: 'auth-proxy',
  plan(run) {
    const cfg = run.config.auth_proxy;
    if (!cfg.enabled || (run.lockdown && !run.config.lockdown.auth_proxy)) return null;
    return {
      service: 'auth-proxy',
      mounts: [
        { source: socketOf(run), target: `${SANDBOX_AUTH_DIR}/sock`, mode: 'rw' },
        { source: tokenOf(run), target: `${SANDBOX_AUTH_DIR}/token`, mode: 'ro' },
      ],
      env: { AGS_AUTH_PROXY_DIR: SANDBOX_AUTH_DIR, BROWSER: `${BROWSER_DIR}/ags-browser` },
      pathDirs: [BROWSER_DIR],
      files: [],
    };
  },
  async start(run, hold) {
    const cfg = run.config.auth_proxy;
    const token = newToken();
    writeFileSync(tokenOf(run), token, { mode: 0o600 });
    const logFile = authProxyLogPath();
    mkdirSync(dirname(logFile), { recursive: true, mode: 0o700 });
    const session = run.session.root.split('/').pop();
    const proxy = await startAuthProxy({
      socketPath: socketOf(run),
      token,
      policy: { autoAllowDomains: cfg.auto_allow_domains, approval: cfg.approval },
      ask: await chooseAsk(run.terminal),
      openBrowser: hostBrowserOpener(),
      timeoutMs: cfg.timeout_seconds * 1000,
      log: (line) => {
        try {
          appendFileSync(logFile, `${new Date().toISOString()} ${session} ${line}\n`, { mode: 0o600 });
        } catch {
          /* an unwritable log must not stop a login */
        }
      },
    });
    // a question still on the terminal ends first, so the sandbox's client is running again before it is stopped
    hold.stop(() => {
      run.terminal.abort();
      void proxy.close();
    });
  },
};
