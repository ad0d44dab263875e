import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../agents/index.js';
import { buildLaunchPlan, containerNameFor } from '../../../src/plan/build.js';
import { buildHint } from '../../../src/plan/hint.js';
import { RuntimeError } from '../../../src/errors.js';
import { host, request, settings } from './fixtures.js';
import type { HostFacts } from '../../../src/plan/inputs.js';
import type { LaunchPlan } from '../../../src/plan/types.js';
import { podmanRunArgv } from '../../../src/runtime/podman/argv.js';

/** The agent's own argv: the plan's command without the sandbox entry in front (these plans have secrets). */
/** The command behind the preludes' shell (`/bin/sh -c '…; exec "$@"' ags-prelude …`), when there is one. */
function behindPreludes(command: string[]): string[] {
  return command[0] === '/bin/sh' && command[3] === 'ags-prelude' ? command.slice(4) : command;
}

function agentArgv(plan: LaunchPlan): string[] {
  const command = behindPreludes(plan.command);
  expect(command.slice(0, 3)).toEqual(['/bin/sh', '/opt/ags/sandbox/ags-entry.sh', '/run/ags-secrets/env']);
  return command.slice(3);
}

describe('buildLaunchPlan', () => {
  it('plans a shell run, whole', () => {
    const plan = buildLaunchPlan(request, settings, host, ADAPTERS.shell);
    expect(plan).toEqual({
      agent: 'shell',
      image: 'localhost/ags:latest',
      containerName: containerNameFor('/home/u/src/app', 4242),
      workdir: '/home/u/src/app',
      cwd: '/home/u/src/app/lib',
      user: 'invoker',
      tty: false,
      network: { mode: 'open', hostLoopback: false },
      init: true,
      security: {
        capDropAll: true,
        noNewPrivileges: true,
        seccompProfile: '/run/user/1000/ags/seccomp-1-2049-77-16401-1668211200000.json',
        pidsLimit: 4096,
        unenforcedLimits: [],
      },
      mounts: [
        {
          source: '/home/u/.local/share/ags/homes/shell',
          target: '/home/u',
          mode: 'rw',
          why: 'sandbox home of shell',
          showInHint: false,
        },
        {
          source: '/home/u/src/app',
          target: '/home/u/src/app',
          mode: 'rw',
          why: 'workdir',
          showInHint: false,
        },
        {
          source: '/home/u/.ssh/known_hosts',
          target: '/home/u/.ssh/known_hosts',
          mode: 'ro',
          why: 'config [[mount]]',
          showInHint: true,
        },
        {
          source: '/home/u/.local/share/ags/tools',
          target: '/opt/ags/tools',
          mode: 'ro',
          why: 'agent CLIs',
          showInHint: false,
        },
        {
          source: '/opt/ags-pkg/dist/sandbox',
          target: '/opt/ags/sandbox',
          mode: 'ro',
          why: 'guards and shims',
          showInHint: false,
        },
        {
          source: '/run/user/1000/ags/session-4242/secrets',
          target: '/run/ags-secrets',
          mode: 'ro',
          why: 'secret values, for the sandbox entry',
          showInHint: false,
        },
        {
          source: '/run/user/1000/ags/session-4242/public',
          target: '/run/ags',
          mode: 'ro',
          why: 'session files',
          showInHint: false,
        },
      ],
      env: {
        TERM: 'xterm-256color',
        HOME: '/home/u',
        PATH: '/opt/ags/tools/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/home/u/.local/bin',
        AGS_SANDBOX: '1',
        AGS_AGENT: 'shell',
        AGS_HOST_SERVICES_HOST: 'host.containers.internal',
        AGS_HOST_SERVICES_HINT:
          '[ags] Host services: use host.containers.internal (localhost is this container)',
        GIT_CONFIG_GLOBAL: '/run/ags/gitconfig',
      },
      secretEnv: ['GITHUB_TOKEN', 'ANTHROPIC_API_KEY'],
      sessionFiles: [],
      command: [
        '/bin/sh',
        '/opt/ags/sandbox/ags-entry.sh',
        '/run/ags-secrets/env',
        '/bin/bash',
        '-c',
        'exit 3',
      ],
      warnings: [],
    });
  });

  it('never puts a secret value in the plan or the argv, and gives podman no env file', () => {
    const plan = buildLaunchPlan(request, settings, host, ADAPTERS.claude);
    const argv = podmanRunArgv(plan, { cidFile: '/run/user/1000/ags/session-4242/container-id' });
    expect(JSON.stringify(plan)).not.toContain('sk-secret-value');
    expect(argv.join(' ')).not.toContain('sk-secret-value');
    expect(argv.some((a) => a.startsWith('--env-file'))).toBe(false);
    expect(argv.some((a) => a.includes('ANTHROPIC_API_KEY'))).toBe(false);
    expect(argv).toContain(
      '--mount=type=bind,"source=/run/user/1000/ags/session-4242/secrets","target=/run/ags-secrets",ro',
    );
  });

  it('says loudly when ags itself lies inside a read-write mount (ags run on its own checkout)', () => {
    const inWorkspace = { ...host, sandboxBundleDir: '/home/u/src/app/dist/sandbox' };
    const plan = buildLaunchPlan(request, settings, inWorkspace, ADAPTERS.shell);
    expect(plan.warnings).toContain(
      'ags itself (/home/u/src/app) lies inside the read-write workdir: the agent can rewrite the guard and the ags your host runs next',
    );
    const elsewhere = buildLaunchPlan(request, settings, host, ADAPTERS.shell);
    expect(elsewhere.warnings.filter((w) => w.startsWith('ags itself'))).toEqual([]);
  });

  describe("which agent binary starts (the sandbox home is the agent's, and persists)", () => {
    it('starts an agent of the tools volume by absolute path, past anything in ~/.local/bin', () => {
      const plan = buildLaunchPlan(request, settings, { ...host, agentCommandAt: 'tools' }, ADAPTERS.claude);
      expect(agentArgv(plan)[0]).toBe('/opt/ags/tools/bin/claude');
      expect(agentArgv(plan)).toContain('--settings');
      expect(plan.warnings.filter((w) => w.includes('.local/bin'))).toEqual([]);
    });

    it("starts one only in the sandbox home from PATH, and says the agent's home decides what runs", () => {
      const plan = buildLaunchPlan(request, settings, { ...host, agentCommandAt: 'home' }, ADAPTERS.claude);
      expect(agentArgv(plan)[0]).toBe('claude');
      expect(plan.warnings).toContain(
        'claude starts from its sandbox home (~/.local/bin/claude, not from `ags update-agents`): whatever the agent last wrote there is what runs',
      );
    });

    it('leaves the command to PATH when the host cannot tell, and starts the shell as /bin/bash', () => {
      expect(agentArgv(buildLaunchPlan(request, settings, host, ADAPTERS.codex))[0]).toBe('codex');
      expect(agentArgv(buildLaunchPlan(request, settings, host, ADAPTERS.shell))[0]).toBe('/bin/bash');
    });

    it('puts the agent-writable ~/.local/bin last on PATH, so it shadows no image or tools binary (node)', () => {
      const dirs = buildLaunchPlan(request, settings, host, ADAPTERS.codex).env.PATH!.split(':');
      expect(dirs[0]).toBe('/opt/ags/tools/bin');
      expect(dirs.at(-1)).toBe('/home/u/.local/bin');
      expect(dirs.filter((d) => d.startsWith('/home/'))).toEqual(['/home/u/.local/bin']);
    });

    it('keeps the absolute path behind the secrets entry and inside --tmux', () => {
      const plan = buildLaunchPlan(
        { ...request, tmux: true },
        settings,
        { ...host, agentCommandAt: 'tools', stdinTTY: true, stdoutTTY: true },
        ADAPTERS.claude,
      );
      expect(behindPreludes(plan.command).slice(0, 3)).toEqual([
        '/bin/sh',
        '/opt/ags/sandbox/ags-entry.sh',
        '/run/ags-secrets/env',
      ]);
      expect(plan.command).toContain('/opt/ags/tools/bin/claude');
      expect(plan.command).not.toContain('claude');
    });
  });

  it('keeps no log of what the agent prints: podman gets --log-driver=none', () => {
    const argv = podmanRunArgv(buildLaunchPlan(request, settings, host, ADAPTERS.shell));
    expect(argv.slice(0, 3)).toEqual(['run', '--rm', '--log-driver=none']);
  });

  it('starts the agent directly, with no secrets mount, when there are no secrets', () => {
    const plan = buildLaunchPlan(
      request,
      { ...settings, secretNames: [], passthroughEnv: ['NOT_SET_ON_HOST'] },
      host,
      ADAPTERS.shell,
    );
    expect(plan.secretEnv).toEqual([]);
    expect(plan.command).toEqual(['/bin/bash', '-c', 'exit 3']);
    expect(plan.mounts.map((m) => m.target)).not.toContain('/run/ags-secrets');
  });

  it('refuses a run with secrets when the sandbox entry is not built (fail closed)', () => {
    expect(() =>
      buildLaunchPlan(request, settings, { ...host, sandboxBundleDir: null }, ADAPTERS.shell),
    ).toThrow(/sandbox entry that delivers secrets is not built/);
  });

  it('wires claude: hint by --append-system-prompt, guard hook by --settings, user args last', () => {
    const plan = buildLaunchPlan(
      { ...request, agent: 'claude', defaults: true, agentArgs: ['-p', 'hi'] },
      { ...settings, agent: { args: ['--verbose'], env: { FOO: 'bar' }, hostHome: false } },
      host,
      ADAPTERS.claude,
    );
    const hint = agentArgv(plan)[2]!;
    expect(agentArgv(plan)).toEqual([
      'claude',
      '--append-system-prompt',
      hint,
      '--settings',
      '/run/ags/claude-settings.json',
      '--dangerously-skip-permissions',
      '--verbose',
      '-p',
      'hi',
    ]);
    expect(hint).toContain('host.containers.internal');
    expect(hint).toContain('/home/u/.ssh/known_hosts (read-only)');
    expect(plan.env.FOO).toBe('bar');
    expect(plan.env.AGS_GUARD_POLICY).toBe('/run/ags/guard-policy.json');
    const hook = JSON.parse(plan.sessionFiles.find((f) => f.name === 'claude-settings.json')!.content);
    expect(hook.hooks.PreToolUse[0].hooks).toEqual([
      {
        type: 'http',
        url: 'http://127.0.0.1:947/claude/pre-tool-use',
        timeout: 10,
        onFailure: 'block',
      },
    ]);
    expect(hook.allowedHttpHookUrls).toEqual(['http://127.0.0.1:947/*']);
    expect(hook.disableAllHooks).toBe(false);
    // the server that answers it: the command hook's env exactly, started as the sandbox's root
    expect(plan.daemons).toEqual([
      {
        name: 'guard server',
        argv: [
          '/usr/bin/env',
          '-i',
          'PATH=/usr/local/bin:/usr/bin:/bin',
          'HOME=/home/u',
          'AGS_GUARD_POLICY=/run/ags/guard-policy.json',
          'AGS_WORKSPACE=/home/u/src/app',
          'node',
          '/opt/ags/sandbox/guard-server.mjs',
          '--daemon',
          '947',
        ],
      },
    ]);
    // and the agent starts only once it answers
    expect(plan.command.slice(0, 4)).toEqual([
      '/bin/sh',
      '-c',
      "'/usr/bin/env' '-i' 'PATH=/usr/local/bin:/usr/bin:/bin' 'node' '/opt/ags/sandbox/guard-server.mjs' '--wait' '947' || exit 126; exec \"$@\"",
      'ags-prelude',
    ]);
  });

  it('says when the Claude Code in the tools volume predates onFailure, whose guard would fail open', () => {
    const at = (agentVersion: string) =>
      buildLaunchPlan(request, settings, { ...host, agentCommandAt: 'tools', agentVersion }, ADAPTERS.claude)
        .warnings;
    expect(at('2.1.197')).toContain(
      "Claude Code 2.1.197 is older than 2.1.295: it ignores the hook's onFailure, so tool calls go through unchecked if the guard server stops answering; run `ags update-agents claude`",
    );
    expect(at('2.1.295').filter((w) => w.includes('older than'))).toEqual([]);
    expect(at('2.2.0').filter((w) => w.includes('older than'))).toEqual([]);
  });

  it('wires no guard server when the guard is off', () => {
    const plan = buildLaunchPlan(
      { ...request, agent: 'claude', yolo: true },
      settings,
      host,
      ADAPTERS.claude,
    );
    expect(plan.daemons).toBeUndefined();
    expect(plan.command.join(' ')).not.toContain('guard-server');
  });

  it("[agents.<name>.env] cannot override ags's own AGS_* values or the wiring env, and says it is ignored", () => {
    const hostile = {
      AGS_GUARD_POLICY: '/home/u/src/app/p.json',
      AGS_WORKSPACE: '/nowhere',
      OPENCODE_CONFIG_CONTENT: '{}',
      PATH: '/mine/bin',
      HOME: '/home/other',
      DISABLE_AUTOUPDATER: '0',
    };
    const agent = { args: [], env: hostile, hostHome: false };
    const claude = buildLaunchPlan(request, { ...settings, agent }, host, ADAPTERS.claude);
    expect(claude.env.AGS_GUARD_POLICY).toBe('/run/ags/guard-policy.json');
    expect(claude.env.AGS_WORKSPACE).toBe('/home/u/src/app');
    // the user may still override PATH, HOME and the adapter's static env from their own config
    expect(claude.env.PATH).toBe('/mine/bin');
    expect(claude.env.HOME).toBe('/home/other');
    expect(claude.env.DISABLE_AUTOUPDATER).toBe('0');
    expect(claude.warnings).toContain(
      '[agents.claude.env] sets AGS_GUARD_POLICY, which ags sets itself to wire claude; that value is ignored',
    );
    const opencode = buildLaunchPlan(
      { ...request, agent: 'opencode' },
      { ...settings, agent },
      host,
      ADAPTERS.opencode,
    );
    expect(JSON.parse(opencode.env.OPENCODE_CONFIG_CONTENT!)).toHaveProperty('plugin');
    expect(opencode.warnings).toContain(
      '[agents.opencode.env] sets OPENCODE_CONFIG_CONTENT, which ags sets itself to wire opencode; that value is ignored',
    );
  });

  it('--yolo drops the guard and says so', () => {
    const plan = buildLaunchPlan(
      { ...request, agent: 'claude', yolo: true },
      settings,
      host,
      ADAPTERS.claude,
    );
    expect(plan.command).not.toContain('--settings');
    expect(plan.env.AGS_GUARD_YOLO).toBe('1');
    expect(plan.warnings[0]).toMatch(/guard is OFF/);
  });

  it('--yolo also drops the pi extension, the opencode plugin and the codex hook', () => {
    for (const agent of ['pi', 'opencode', 'codex'] as const) {
      const plan = buildLaunchPlan(
        { ...request, agent, yolo: true, agentArgs: [] },
        settings,
        host,
        ADAPTERS[agent],
      );
      expect(plan.command.join(' ')).not.toMatch(/pi-guard|codex-hook|bypass-hook-trust/);
      expect(plan.sessionFiles.map((f) => f.name)).not.toContain('codex-requirements.toml');
      expect(plan.env.OPENCODE_CONFIG_CONTENT ?? '').not.toContain('opencode-guard');
      expect(plan.env.AGS_GUARD_POLICY).toBeUndefined();
      expect(plan.warnings[0]).toMatch(/guard is OFF/);
    }
  });

  it('a missing guard bundle is a loud warning, not a silent downgrade', () => {
    const plan = buildLaunchPlan(
      { ...request, agent: 'claude' },
      { ...settings, secretNames: [], passthroughEnv: [] },
      { ...host, sandboxBundleDir: null },
      ADAPTERS.claude,
    );
    expect(plan.command).not.toContain('--settings');
    expect(plan.warnings.join('\n')).toMatch(/guard bundle is not built/);
  });

  it("host_home mounts only the selected agent's own home paths from the host", () => {
    const plan = buildLaunchPlan(
      { ...request, agent: 'claude' },
      { ...settings, agent: { args: [], env: {}, hostHome: true } },
      host,
      ADAPTERS.claude,
    );
    const fromHost = plan.mounts.filter((m) => m.why.startsWith("host's own"));
    expect(fromHost.map((m) => [m.source, m.target, m.mode])).toEqual([
      ['/home/u/.claude', '/home/u/.claude', 'rw'],
      ['/home/u/.claude.json', '/home/u/.claude.json', 'rw'],
    ]);
    expect(plan.mounts.some((m) => m.source.includes('.codex'))).toBe(false);
  });

  it('gives each agent its hint through its own mechanism', () => {
    const codex = buildLaunchPlan(
      { ...request, agent: 'codex', agentArgs: [] },
      settings,
      host,
      ADAPTERS.codex,
    );
    expect(agentArgv(codex)[1]).toBe('-c');
    expect(agentArgv(codex)[2]).toMatch(/^developer_instructions="# ags sandbox\\n/);
    const pi = buildLaunchPlan({ ...request, agent: 'pi', agentArgs: [] }, settings, host, ADAPTERS.pi);
    expect(agentArgv(pi).slice(0, 2)).toEqual(['pi', '--append-system-prompt']);
    // the guard: codex as a managed PreToolUse hook in root-owned requirements; no hook review is skipped
    expect(agentArgv(codex)).toHaveLength(3);
    expect(codex.command).not.toContain('--dangerously-bypass-hook-trust');
    const requirements = codex.sessionFiles.find((f) => f.name === 'codex-requirements.toml')!;
    expect(requirements.ownedByRoot).toBe(true);
    expect(requirements.content).toContain('[features]\nhooks = true\n');
    expect(requirements.content).toContain(
      `command = "/usr/bin/env -i 'PATH=/usr/local/bin:/usr/bin:/bin' 'HOME=/home/u' 'AGS_GUARD_POLICY=/run/ags/guard-policy.json' 'AGS_WORKSPACE=/home/u/src/app' node '/opt/ags/sandbox/codex-hook.cjs' '--server' '947'"`,
    );
    // its guard server, which the thin hook asks first: started as the sandbox's root on a port kept from the agent
    expect(codex.daemons?.map((d) => d.argv.slice(-3))).toEqual([
      ['/opt/ags/sandbox/guard-server.mjs', '--daemon', '947'],
    ]);
    // and no prelude waits for it: until it answers, the hook decides itself
    expect(codex.command.join(' ')).not.toContain('--wait');
    // under --root the agent could kill the server and answer on its port: the hook decides itself, no server
    for (const agent of ['codex', 'gemini'] as const) {
      const asRoot = buildLaunchPlan(
        { ...request, agent, root: true, agentArgs: [] },
        settings,
        host,
        ADAPTERS[agent],
      );
      expect(asRoot.daemons).toBeUndefined();
      const hookFile = asRoot.sessionFiles.find((f) => /codex-requirements|gemini-hooks/.test(f.name))!;
      expect(hookFile.content).toContain(`${agent}-hook.cjs`);
      expect(hookFile.content).not.toContain('--server');
    }
    expect(codex.mounts.find((m) => m.target === '/etc/codex/requirements.toml')).toEqual({
      source: '/run/user/1000/ags/session-4242/public/codex-requirements.toml',
      target: '/etc/codex/requirements.toml',
      mode: 'ro',
      why: 'codex wiring',
      showInHint: false,
    });
    expect(codex.env.AGS_GUARD_POLICY).toBe('/run/ags/guard-policy.json');
    // pi: the extension from the read-only bundle directory
    expect(agentArgv(pi).slice(3)).toEqual(['--extension', '/opt/ags/sandbox/pi-guard.mjs']);
    expect(pi.env.AGS_GUARD_POLICY).toBe('/run/ags/guard-policy.json');
    const gemini = buildLaunchPlan(
      { ...request, agent: 'gemini', agentArgs: [] },
      settings,
      host,
      ADAPTERS.gemini,
    );
    // gemini: hint and guard both live in the read-only ags-sandbox extension
    expect(gemini.mounts.slice(-4)).toMatchObject([
      {
        source: '/run/user/1000/ags/session-4242/public/gemini-extension.json',
        target: '/home/u/.gemini/extensions/ags-sandbox/gemini-extension.json',
        mode: 'ro',
      },
      {
        source: '/run/user/1000/ags/session-4242/public/AGS_SANDBOX.md',
        target: '/home/u/.gemini/extensions/ags-sandbox/AGS_SANDBOX.md',
        mode: 'ro',
      },
      {
        source: '/run/user/1000/ags/session-4242/public/gemini-hooks.json',
        target: '/home/u/.gemini/extensions/ags-sandbox/hooks/hooks.json',
        mode: 'ro',
      },
      {
        source: '/run/user/1000/ags/session-4242/public/gemini-system-settings.json',
        target: '/etc/gemini-cli/settings.json',
        mode: 'ro',
      },
    ]);
    const system = gemini.sessionFiles.find((f) => f.name === 'gemini-system-settings.json')!;
    expect(system.ownedByRoot).toBe(true);
    expect(JSON.parse(system.content)).toEqual({ hooksConfig: { enabled: true } });
    expect(JSON.parse(gemini.sessionFiles.find((f) => f.name === 'gemini-hooks.json')!.content)).toEqual({
      hooks: {
        BeforeTool: [
          {
            matcher: '*',
            hooks: [
              {
                type: 'command',
                name: 'ags-guard-n0nce',
                command:
                  "/usr/bin/env -i 'PATH=/usr/local/bin:/usr/bin:/bin' 'HOME=/home/u' 'AGS_GUARD_POLICY=/run/ags/guard-policy.json' 'AGS_WORKSPACE=/home/u/src/app' node '/opt/ags/sandbox/gemini-hook.cjs' '--server' '947'",
                timeout: 10_000,
              },
            ],
          },
        ],
      },
    });
    expect(JSON.parse(gemini.sessionFiles.find((f) => f.name === 'gemini-extension.json')!.content)).toEqual({
      name: 'ags-sandbox',
      version: '1.0.0',
      contextFileName: 'AGS_SANDBOX.md',
    });
    const opencode = buildLaunchPlan(
      { ...request, agent: 'opencode', agentArgs: [] },
      settings,
      host,
      ADAPTERS.opencode,
    );
    // opencode: the plugin by file URL, merged into the same config JSON as the instructions
    expect(JSON.parse(opencode.env.OPENCODE_CONFIG_CONTENT!)).toEqual({
      instructions: ['/run/ags/AGS_SANDBOX.md'],
      plugin: ['file:///opt/ags/sandbox/opencode-guard.mjs'],
    });
    expect(opencode.env.AGS_GUARD_POLICY).toBe('/run/ags/guard-policy.json');
    for (const p of [codex, pi, opencode, gemini]) {
      expect(p.warnings).toEqual([]);
      expect(p.sessionFiles.map((f) => f.name)).toContain('guard-policy.json');
      expect(p.env.AGS_WORKSPACE).toBeDefined();
    }
  });

  it('pi and opencode: the in-process guard reports its load to a fresh writable dir; fail-closed follows lockdown', () => {
    const guardLoad = { dir: '/run/user/1000/ags/session-4242/guard', token: 'f00d' };
    for (const agent of ['pi', 'opencode'] as const) {
      const plan = buildLaunchPlan(
        { ...request, agent, agentArgs: [] },
        settings,
        { ...host, guardLoad },
        ADAPTERS[agent],
      );
      expect(plan.mounts.find((m) => m.target === '/run/ags-guard')).toEqual({
        source: guardLoad.dir,
        target: '/run/ags-guard',
        mode: 'rw',
        why: 'guard load marker',
        showInHint: false,
      });
      expect(plan.env.AGS_GUARD_LOAD_MARKER).toBe('/run/ags-guard/loaded');
      expect(plan.env.AGS_GUARD_LOAD_TOKEN).toBe('f00d');
      expect(plan.guardLoadCheck).toEqual({
        markerFile: '/run/user/1000/ags/session-4242/guard/loaded',
        token: 'f00d',
        failClosed: false,
      });
      const locked = buildLaunchPlan(
        { ...request, agent, agentArgs: [] },
        { ...settings, guardPolicy: { ...settings.guardPolicy, lockdown: true } },
        { ...host, guardLoad },
        ADAPTERS[agent],
      );
      expect(locked.guardLoadCheck?.failClosed).toBe(true);
      // no guard, nothing to check; agents whose hook runs as its own process are not checked this way
      const yolo = buildLaunchPlan(
        { ...request, agent, yolo: true, agentArgs: [] },
        settings,
        { ...host, guardLoad },
        ADAPTERS[agent],
      );
      expect(yolo.guardLoadCheck).toBeUndefined();
      expect(yolo.mounts.some((m) => m.target === '/run/ags-guard')).toBe(false);
      expect(yolo.env.AGS_GUARD_LOAD_TOKEN).toBeUndefined();
    }
    for (const agent of ['claude', 'codex', 'gemini', 'shell'] as const) {
      const plan = buildLaunchPlan(
        { ...request, agent, agentArgs: [] },
        settings,
        { ...host, guardLoad },
        ADAPTERS[agent],
      );
      expect(plan.guardLoadCheck).toBeUndefined();
      expect(plan.mounts.some((m) => m.target === '/run/ags-guard')).toBe(false);
    }
  });

  it('--tmux wraps the agent, -d dirs mount read-write at the same path, --root drops keep-id', () => {
    const plan = buildLaunchPlan(
      { ...request, tmux: true, root: true, addDirs: ['/data/shared'], agentArgs: [] },
      settings,
      { ...host, stdinTTY: true, stdoutTTY: true },
      ADAPTERS.shell,
    );
    // the entry goes first, so the tmux server (and every pane) starts with the secrets exported; then the
    // read-only runner in the session dir, which hands the agent's exit status back (tmux does not)
    expect(plan.command).toEqual([
      '/bin/sh',
      '/opt/ags/sandbox/ags-entry.sh',
      '/run/ags-secrets/env',
      '/bin/sh',
      '/run/ags/tmux-run.sh',
      '/bin/bash',
    ]);
    expect(plan.sessionFiles.find((f) => f.name === 'tmux-run.sh')?.content).toContain(
      'tmux new-session -A -s ags -- ',
    );
    expect(plan.mounts).toContainEqual({
      source: '/data/shared',
      target: '/data/shared',
      mode: 'rw',
      why: '--add-dir',
      showInHint: true,
    });
    expect(plan.user).toBe('root');
    expect(plan.security.capDropAll).toBe(false);
    expect(plan.tty).toBe(true);
    // root inside keeps ags's seccomp profile
    expect(podmanRunArgv(plan)).toContain(
      '--security-opt=seccomp=/run/user/1000/ags/seccomp-1-2049-77-16401-1668211200000.json',
    );
  });
});

describe('buildHint', () => {
  it('says where the agent is, how to reach the host, what is mounted, and lockdown status', () => {
    const hint = buildHint({
      workdir: '/w',
      mounts: [],
      lockdown: false,
      guard: false,
      root: false,
      hostServices: 'host.containers.internal',
    });
    expect(hint).toContain('ags sandbox');
    expect(hint).toContain('`localhost` is this container');
    expect(hint).toContain('host.containers.internal');
    expect(hint).toContain('The workspace is /w');
    expect(hint).toContain('Lockdown: off');
  });
});

describe('buildLaunchPlan and what the host runs later', () => {
  const protectedPaths: HostFacts['protectedPaths'] = [
    {
      path: '/home/u/src/app/.git',
      group: 'git',
      kind: 'dir',
      placeholder: 'dir',
      pin: true,
      what: 'the git directory',
    },
    {
      path: '/home/u/src/app/.git/config',
      group: 'git',
      kind: 'file',
      placeholder: 'file',
      what: 'git config',
    },
    {
      path: '/home/u/src/app/.git/hooks',
      group: 'git',
      kind: 'absent',
      placeholder: 'dir',
      what: 'git hooks',
    },
    {
      path: '/home/u/src/app/.git/config.worktree',
      group: 'git',
      kind: 'absent',
      placeholder: 'file',
      what: 'wt',
    },
  ];
  const withPaths = { ...host, protectedPaths };

  it('mounts them read-only after the workspace, placeholders from the session dir (written as a session file)', () => {
    const plan = buildLaunchPlan(request, settings, withPaths, ADAPTERS.shell);
    const targets = plan.mounts.map((m) => m.target);
    const at = (t: string) => plan.mounts.find((m) => m.target === t)!;
    expect(targets.indexOf('/home/u/src/app')).toBeLessThan(targets.indexOf('/home/u/src/app/.git'));
    expect(at('/home/u/src/app/.git')).toMatchObject({ source: '/home/u/src/app/.git', mode: 'rw' });
    expect(at('/home/u/src/app/.git/config')).toMatchObject({
      source: '/home/u/src/app/.git/config',
      mode: 'ro',
    });
    expect(at('/home/u/src/app/.git/hooks')).toMatchObject({
      source: `${host.sessionDir}/protected-empty.d`,
      mode: 'ro',
    });
    expect(at('/home/u/src/app/.git/config.worktree')).toMatchObject({
      source: `${host.sessionDir}/protected-empty`,
    });
    expect(plan.sessionFiles).toContainEqual({ name: 'protected-empty', content: '' });
    expect(plan.warnings.join('\n')).not.toContain('git_config');
    // the agent is told, so it does not flail at `git config`
    const claude = buildLaunchPlan({ ...request, agent: 'claude' }, settings, withPaths, ADAPTERS.claude);
    expect(claude.command.join('\n')).toContain("Read-only here, to protect the user's host: `.git/config`");
    expect(
      buildLaunchPlan({ ...request, agent: 'claude' }, settings, host, ADAPTERS.claude).command.join('\n'),
    ).not.toContain('Read-only here');
  });

  it('a configured mount cannot land on a protected path or uncover it', () => {
    const over = {
      ...settings,
      mounts: [{ host: '/tmp/h', container: '/home/u/src/app/.git/hooks', mode: 'rw' as const }],
    };
    expect(() => buildLaunchPlan(request, over, withPaths, ADAPTERS.shell)).toThrow(/would cover|would make/);
    const rwSource = {
      ...settings,
      mounts: [{ host: '/home/u/src/app/.git/config', container: '/x', mode: 'rw' as const }],
    };
    expect(() => buildLaunchPlan(request, rwSource, withPaths, ADAPTERS.shell)).toThrow(
      /would make .*writable/,
    );
  });

  it('git_config = "writable" leaves them out and warns', () => {
    const plan = buildLaunchPlan(
      request,
      { ...settings, protections: { git: false, agentConfig: true } },
      withPaths,
      ADAPTERS.shell,
    );
    expect(plan.mounts.some((m) => m.target.startsWith('/home/u/src/app/.git'))).toBe(false);
    expect(plan.warnings).toContainEqual(expect.stringContaining('git_config = "writable"'));
  });
});

describe('the plan of a lockdown run', () => {
  const locked = {
    ...settings,
    agentHome: '/run/user/1000/ags/session-4242/home',
    guardPolicy: { ...settings.guardPolicy, lockdown: true },
    lockdown: {
      sourceHome: '/home/u/.local/share/ags/homes/claude',
      staged: ['.claude/settings.json'],
      ignored: ['[sandbox] passthrough_env'],
    },
  };
  const plan = buildLaunchPlan(request, locked, host, ADAPTERS.claude);

  it('says so in its lockdown section, with the fresh home as the sandbox home', () => {
    expect(plan.lockdown).toEqual({
      home: '/run/user/1000/ags/session-4242/home',
      sourceHome: '/home/u/.local/share/ags/homes/claude',
      staged: ['.claude/settings.json'],
      ignored: ['[sandbox] passthrough_env'],
    });
    expect(plan.mounts.find((m) => m.target === host.home)?.source).toBe(
      '/run/user/1000/ags/session-4242/home',
    );
  });
  it('tells the guard: AGS_LOCKDOWN in the env and pinned in the hook command, lockdown in the policy', () => {
    expect(plan.env.AGS_LOCKDOWN).toBe('1');
    expect(plan.daemons![0]!.argv).toContain('AGS_LOCKDOWN=1');
    const policy = plan.sessionFiles.find((f) => f.name === 'guard-policy.json')!;
    expect(JSON.parse(policy.content).lockdown).toBe(true);
  });
  it('tells the agent in the prompt hint', () => {
    expect(agentArgv(plan).join(' ')).toContain('Lockdown: on (a fresh home');
  });
  it('refuses a Claude Code that predates onFailure (its guard would fail open), with the line a normal run warns', () => {
    const at = (agentVersion: string) => () =>
      buildLaunchPlan(request, locked, { ...host, agentCommandAt: 'tools', agentVersion }, ADAPTERS.claude);
    const line =
      "Claude Code 2.1.294 is older than 2.1.295: it ignores the hook's onFailure, so tool calls go through unchecked if the guard server stops answering; run `ags update-agents claude`";
    expect(at('2.1.294')).toThrow(new RuntimeError(line));
    expect(at('2.1.294')).toThrow(expect.objectContaining({ exitCode: 1 }));
    expect(at('2.1.295')).not.toThrow();
    const normal = buildLaunchPlan(
      request,
      settings,
      { ...host, agentCommandAt: 'tools', agentVersion: '2.1.294' },
      ADAPTERS.claude,
    );
    expect(normal.warnings).toContain(line);
  });
  it('says when it cannot tell the Claude Code version (a Containerfile, a PATH of its own); a normal run does not', () => {
    const line =
      "lockdown: ags cannot tell the version of the Claude Code this run starts: if it is older than 2.1.295, it ignores the hook's onFailure, so tool calls go through unchecked if the guard server stops answering";
    expect(plan.warnings).toContain(line);
    const known = buildLaunchPlan(request, locked, { ...host, agentVersion: '2.1.332' }, ADAPTERS.claude);
    expect(known.warnings.filter((w) => w.includes('version'))).toEqual([]);
    expect(buildLaunchPlan(request, settings, host, ADAPTERS.claude).warnings).not.toContain(line);
  });
  it('a normal run has none of it', () => {
    const normal = buildLaunchPlan(request, settings, host, ADAPTERS.claude);
    expect(normal.lockdown).toBeUndefined();
    expect(normal.env.AGS_LOCKDOWN).toBeUndefined();
    expect(normal.daemons![0]!.argv.join(' ')).not.toContain('AGS_LOCKDOWN');
  });
});
