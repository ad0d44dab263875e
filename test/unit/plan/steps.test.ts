import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../agents/index.js';
import {
  MountList,
  type PlanInput,
  agentWiringStep,
  commandStep,
  envStep,
  guardLoadStep,
  guardStep,
  networkStep,
  secretsStep,
  securityStep,
  serviceMountsStep,
  sessionMountsStep,
  workspaceMountsStep,
} from '../../../src/plan/steps.js';
import { host, request, settings } from './fixtures.js';

// Each step of buildLaunchPlan on its own, by value; build.test.ts checks the whole plan they compose.
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  req: request,
  settings,
  host,
  adapter: ADAPTERS.shell,
  ...over,
});

describe('guardStep', () => {
  it('runs the guard for a guarded agent, and says why when it is off', () => {
    expect(guardStep(input({ adapter: ADAPTERS.claude }))).toEqual({ guard: true, warnings: [] });
    expect(guardStep(input({ adapter: ADAPTERS.claude, req: { ...request, yolo: true } }))).toEqual({
      guard: false,
      warnings: ['--yolo: the guard is OFF; destructive commands and secret reads will not be vetoed'],
    });
    expect(guardStep(input()).guard).toBe(false);
  });
});

describe('securityStep', () => {
  it('drops every capability for the invoker; root keeps the defaults, with a warning', () => {
    const invoker = securityStep(input());
    expect(invoker.user).toBe('invoker');
    expect(invoker.security).toEqual({
      capDropAll: true,
      noNewPrivileges: true,
      seccompProfile: host.seccompProfile,
      pidsLimit: 4096,
      unenforcedLimits: [],
    });
    const root = securityStep(input({ req: { ...request, root: true } }));
    expect(root.user).toBe('root');
    expect(root.security.capDropAll).toBe(false);
    expect(root.warnings).toEqual([
      '--root: the agent runs as root inside the container with default capabilities',
    ]);
  });
});

describe('workspaceMountsStep', () => {
  it('mounts home, workdir, -d, config mounts, tools and bundle, then the services, in that order', () => {
    const list = new MountList();
    const services = [
      {
        service: 'ssh-agent',
        mounts: [{ source: '/run/s.sock', target: '/run/ags-ssh/agent.sock', mode: 'rw' as const }],
        env: {},
        files: [],
      },
    ];
    const withServices = input({
      req: { ...request, addDirs: ['/data'] },
      settings: { ...settings, services },
    });
    const { warnings, covers } = workspaceMountsStep(withServices, list);
    expect(covers).toEqual([]);
    serviceMountsStep(withServices, list);
    expect(warnings).toEqual([]);
    expect(list.mounts.map((m) => `${m.target} ${m.mode} ${m.why}`)).toEqual([
      '/home/u rw sandbox home of shell',
      '/home/u/src/app rw workdir',
      '/data rw --add-dir',
      '/home/u/.ssh/known_hosts ro config [[mount]]',
      '/opt/ags/tools ro agent CLIs',
      '/opt/ags/sandbox ro guards and shims',
      '/run/ags-ssh/agent.sock rw ags ssh-agent',
    ]);
    expect([...list.fromOutside].map((m) => m.why)).toEqual(['workdir', '--add-dir', 'config [[mount]]']);
  });

  it('a later mount of the same target replaces the earlier one', () => {
    const list = new MountList();
    workspaceMountsStep(input({ req: { ...request, addDirs: [host.workdir] } }), list);
    expect(list.mounts.filter((m) => m.target === host.workdir).map((m) => m.why)).toEqual(['--add-dir']);
  });
});

describe('agentWiringStep, secretsStep and sessionMountsStep', () => {
  it('write the guard policy when the guard is on, mount the secrets dir, then the session dir last', () => {
    const list = new MountList();
    const claude = input({ adapter: ADAPTERS.claude });
    workspaceMountsStep(claude, list);
    const { wiring, sessionFiles } = agentWiringStep(claude, true, list);
    expect(sessionFiles.map((f) => f.name)).toContain('guard-policy.json');
    expect(secretsStep(claude, list)).toEqual(['GITHUB_TOKEN', 'ANTHROPIC_API_KEY']);
    sessionMountsStep(claude, wiring, list);
    const targets = list.mounts.map((m) => m.target);
    expect(targets.indexOf('/run/ags-secrets')).toBeLessThan(targets.indexOf('/run/ags'));
  });

  it('refuses a config mount over a reserved path', () => {
    const list = new MountList();
    const bad = input({
      settings: { ...settings, mounts: [{ host: '/srv', container: '/run/ags', mode: 'ro' }] },
    });
    workspaceMountsStep(bad, list);
    const { wiring } = agentWiringStep(bad, false, list);
    expect(() => sessionMountsStep(bad, wiring, list)).toThrow(/refusing to mount \/srv/);
  });
});

describe('envStep', () => {
  it("puts ags's own variables over [agents.<name>.env], and says which it ignored", () => {
    const over = input({
      settings: { ...settings, agent: { ...settings.agent, env: { AGS_AGENT: 'x', FOO: '1' } } },
    });
    const { env, warnings } = envStep(over, false, { args: [], env: {}, files: [] });
    expect(env.AGS_AGENT).toBe('shell');
    expect(env.FOO).toBe('1');
    expect(env.AGS_HOST_SERVICES_HOST).toBe('host.containers.internal');
    expect(warnings).toEqual([]);
    const wired = envStep(over, false, { args: [], env: { FOO: 'wired' }, files: [] });
    expect(wired.env.FOO).toBe('wired');
    expect(wired.warnings).toEqual([
      '[agents.shell.env] sets FOO, which ags sets itself to wire shell; that value is ignored',
    ]);
  });
});

describe('envStep: the browser env of an agent', () => {
  const authProxy = {
    service: 'auth-proxy',
    mounts: [],
    env: { BROWSER: '/opt/ags/sandbox/browser/ags-browser' },
    pathDirs: ['/opt/ags/sandbox/browser'],
    files: [],
  };
  const none = { args: [], env: {}, files: [] };

  it('gives Gemini CLI a display variable only while the auth proxy runs', () => {
    const gemini = { adapter: ADAPTERS.gemini };
    const withProxy = envStep(
      input({ ...gemini, settings: { ...settings, services: [authProxy] } }),
      false,
      none,
    );
    expect(withProxy.env.MIR_SOCKET).toBe('/run/ags-auth/no-display');
    expect(withProxy.env.BROWSER).toBe('/opt/ags/sandbox/browser/ags-browser');
    expect(withProxy.env.DISPLAY).toBeUndefined();
    const without = envStep(input({ ...gemini, settings: { ...settings, services: [] } }), false, none);
    expect(without.env.MIR_SOCKET).toBeUndefined();
    expect(without.env.BROWSER).toBeUndefined();
  });

  it('needs nothing beyond BROWSER and the PATH commands for the others', () => {
    for (const name of ['claude', 'codex', 'opencode', 'pi', 'shell'] as const) {
      const { env } = envStep(
        input({ adapter: ADAPTERS[name], settings: { ...settings, services: [authProxy] } }),
        false,
        none,
      );
      expect(env.MIR_SOCKET, name).toBeUndefined();
      expect(env.PATH!.split(':')[0], name).toBe('/opt/ags/sandbox/browser');
    }
  });
});

describe('networkStep and commandStep', () => {
  it('copy the configured network, and start the agent behind the entry when there are secrets', () => {
    expect(networkStep(input())).toEqual({ mode: 'open', hostLoopback: false });
    const wiring = { args: [], env: {}, files: [] };
    expect(commandStep(input(), wiring, [])).toEqual(['/bin/bash', '-c', 'exit 3']);
    expect(commandStep(input(), wiring, ['TOKEN'])).toEqual([
      '/bin/sh',
      '/opt/ags/sandbox/ags-entry.sh',
      '/run/ags-secrets/env',
      '/bin/bash',
      '-c',
      'exit 3',
    ]);
  });
});

describe('guardLoadStep', () => {
  it('mounts the marker dir read-write only for a guarded in-process agent, and plans the check', () => {
    const guardLoad = { dir: '/run/user/1000/ags/session-4242/guard', token: 't0ken' };
    const list = new MountList();
    const pi = input({ adapter: ADAPTERS.pi, host: { ...host, guardLoad } });
    expect(guardLoadStep(pi, true, list)).toEqual({
      guardLoad,
      check: { markerFile: `${guardLoad.dir}/loaded`, token: 't0ken', failClosed: false },
    });
    expect(list.mounts.map((m) => `${m.source} ${m.target} ${m.mode}`)).toEqual([
      `${guardLoad.dir} /run/ags-guard rw`,
    ]);
    expect(guardLoadStep(pi, false, new MountList())).toEqual({ guardLoad: null });
    expect(guardLoadStep(input({ host: { ...host, guardLoad } }), true, new MountList())).toEqual({
      guardLoad: null,
    });
  });
});
