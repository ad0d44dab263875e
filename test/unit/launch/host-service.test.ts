import { TerminalHandoff } from '../../../src/session/terminal-handoff.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/index.js';
import {
  type HostService,
  type ServiceRun,
  planServices,
  startServices,
} from '../../../src/launch/host-service.js';
import { HOST_SERVICES } from '../../../src/launch/services/index.js';
import { helperFile, sessionPaths } from '../../../src/session/session-dir.js';
import { Teardown } from '../../../src/session/signals.js';

/** A service that logs its start and stop; `fail` makes its start throw after it made something to stop. */
function service(
  name: string,
  log: string[],
  opts: { fail?: boolean; skip?: boolean; during?: () => void } = {},
) {
  const s: HostService = {
    name,
    plan: () =>
      opts.skip ? null : { service: name, mounts: [], env: { [name.toUpperCase()]: '1' }, files: [] },
    async start(_run, hold) {
      log.push(`start ${name}`);
      hold.stop(() => log.push(`stop ${name}`));
      opts.during?.();
      if (opts.fail) throw new Error(`${name} could not start`);
    },
  };
  return s;
}

describe('host services', () => {
  let dir: string;
  let run: ServiceRun;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ags-services-'));
    const session = sessionPaths(dir, 4242);
    mkdirSync(session.root, { recursive: true });
    run = {
      session,
      config: { sandbox: { ssh_keys: [] }, auth_proxy: { enabled: false } } as unknown as Config,
      egress: null,
      lockdown: false,
      terminal: new TerminalHandoff(),
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('plans only the services the run uses, in list order', () => {
    const log: string[] = [];
    const planned = planServices(
      [service('a', log), service('b', log, { skip: true }), service('c', log)],
      run,
    );
    expect(planned.map((p) => p.contribution.service)).toEqual(['a', 'c']);
    expect(log).toEqual([]);
  });

  it('start in order and stop in reverse when the run ends', async () => {
    const log: string[] = [];
    const teardown = new Teardown();
    await startServices(
      planServices([service('a', log), service('b', log), service('c', log)], run),
      run,
      teardown,
    );
    log.push('sandbox');
    teardown.finish();
    expect(log).toEqual(['start a', 'start b', 'start c', 'sandbox', 'stop c', 'stop b', 'stop a']);
  });

  it('a failing start stops what started (itself included) and starts nothing after it', async () => {
    const log: string[] = [];
    const teardown = new Teardown();
    const planned = planServices(
      [service('a', log), service('b', log, { fail: true }), service('c', log)],
      run,
    );
    await expect(startServices(planned, run, teardown)).rejects.toThrow('b could not start');
    teardown.finish();
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('a signal during the starts stops every started service, in reverse, and exits 128+n', async () => {
    const log: string[] = [];
    const exits: number[] = [];
    const teardown = new Teardown((code) => exits.push(code));
    const planned = planServices(
      [service('a', log), service('b', log, { during: () => process.emit('SIGTERM', 'SIGTERM') })],
      run,
    );
    await startServices(planned, run, teardown);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
    expect(exits).toEqual([143]);
    teardown.finish();
    expect(log).toHaveLength(4);
  });

  it("record a helper's identity in the session dir, for the next start to stop", async () => {
    const helper: HostService = {
      name: 'helper',
      plan: () => ({ service: 'helper', mounts: [], env: {}, files: [] }),
      start: async (_run, hold) => hold.helper(process.pid),
    };
    const teardown = new Teardown();
    await startServices(planServices([helper], run), run, teardown);
    teardown.finish();
    const file = helperFile(run.session, 'helper');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`^${process.pid}:`));
  });

  it('the ssh-agent is the first service, used only when the config names ssh keys', () => {
    expect(HOST_SERVICES.map((s) => s.name)).toEqual(['ssh-agent', 'auth-proxy', 'egress-proxy']);
    expect(planServices(HOST_SERVICES, run)).toEqual([]);
    const withKeys = {
      ...run,
      config: {
        sandbox: { ssh_keys: ['/home/u/.ssh/ags'] },
        auth_proxy: { enabled: false },
      } as unknown as Config,
    };
    expect(planServices(HOST_SERVICES, withKeys).map((p) => p.contribution)).toEqual([
      {
        service: 'ssh-agent',
        mounts: [
          { source: join(run.session.root, 'ssh-agent.sock'), target: '/run/ags-ssh/agent.sock', mode: 'rw' },
        ],
        env: { SSH_AUTH_SOCK: '/run/ags-ssh/agent.sock' },
        files: [],
      },
    ]);
  });

  it('the auth proxy mounts its socket and token file, sets BROWSER and puts the browser commands first on PATH', async () => {
    const on = {
      ...run,
      config: {
        sandbox: { ssh_keys: [] },
        auth_proxy: { enabled: true, auto_allow_domains: [], approval: 'deny', timeout_seconds: 5 },
      } as unknown as Config,
    };
    const [planned] = planServices(HOST_SERVICES, on);
    expect(planned!.contribution).toEqual({
      service: 'auth-proxy',
      mounts: [
        { source: join(run.session.root, 'auth-proxy.sock'), target: '/run/ags-auth/sock', mode: 'rw' },
        { source: join(run.session.root, 'auth-proxy.token'), target: '/run/ags-auth/token', mode: 'ro' },
      ],
      env: { AGS_AUTH_PROXY_DIR: '/run/ags-auth', BROWSER: '/opt/ags/sandbox/browser/ags-browser' },
      pathDirs: ['/opt/ags/sandbox/browser'],
      files: [],
    });
    // started: the token exists only in its 0600 file, never in what the plan shows
    mkdirSync(run.session.root, { recursive: true });
    const teardown = new Teardown();
    process.env.XDG_STATE_HOME = join(dir, 'state');
    await startServices([planned!], on, teardown);
    const token = readFileSync(join(run.session.root, 'auth-proxy.token'), 'utf8');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(run.session.root, 'auth-proxy.token')).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(planned!.contribution)).not.toContain(token);
    expect(existsSync(join(run.session.root, 'auth-proxy.sock'))).toBe(true);
    teardown.finish();
    delete process.env.XDG_STATE_HOME;
  });
});
