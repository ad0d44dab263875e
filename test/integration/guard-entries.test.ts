import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../agents/index.js';
import type { WireContext } from '../../agents/types.js';
import { giveToTestUser } from '../support/ags.js';
import { REPO_ROOT, loadTestHost, podman, type TestHost } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';

// The entry-point bundles (after `npm run build`) inside a real rootless container, mounted read-only where ags
// mounts them, each fed the event its agent sends (shapes seen from codex 0.169.0 and read from gemini-cli 0.61.0,
// opencode 1.18.33; pi is covered end to end by test/e2e/guard-pi.test.ts).
describe('guard entry points in the sandbox', () => {
  let host: TestHost;
  beforeAll(() => {
    host = loadTestHost();
  });

  const run = (args: string[], input?: string) =>
    podman(
      host,
      [
        'run',
        '--rm',
        '-i',
        '--pull=never',
        '--userns=keep-id',
        '--cap-drop=all',
        '--security-opt=no-new-privileges',
        '--network=none',
        ...host.engineArgs,
        `--volume=${join(REPO_ROOT, 'dist', 'sandbox')}:/opt/ags/sandbox:ro`,
        '--env=HOME=/home/dev',
        '--env=AGS_WORKSPACE=/work/ws',
        host.image,
        ...args,
      ],
      input === undefined ? {} : { input },
    );

  it('codex-hook.cjs: exit 2 and the reason on stderr for the PreToolUse JSON codex sends', async () => {
    const event = {
      session_id: 's',
      turn_id: 't',
      transcript_path: '/home/dev/.codex/sessions/x.jsonl',
      cwd: '/work/ws',
      hook_event_name: 'PreToolUse',
      model: 'mock-model',
      permission_mode: 'bypassPermissions',
      tool_name: 'Bash',
      tool_input: { command: 'rm -rf /work/ws' },
      tool_use_id: 'call_1',
    };
    const r = await run(['node', '/opt/ags/sandbox/codex-hook.cjs'], JSON.stringify(event));
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/blocked by ags guard \(fs\.rm-recursive-workspace\)/);
    const ok = await run(
      ['node', '/opt/ags/sandbox/codex-hook.cjs'],
      JSON.stringify({ ...event, tool_input: { command: 'ls' } }),
    );
    expect(ok.exitCode).toBe(0);
  });

  it('gemini-hook.cjs: exit 2 for the BeforeTool JSON gemini sends', async () => {
    const event = {
      session_id: 's',
      transcript_path: '',
      cwd: '/work/ws',
      hook_event_name: 'BeforeTool',
      timestamp: '2026-11-22T00:00:00.000Z',
      tool_name: 'read_file',
      tool_input: { absolute_path: '/home/dev/.ssh/id_ed25519' },
    };
    const r = await run(['node', '/opt/ags/sandbox/gemini-hook.cjs'], JSON.stringify(event));
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/blocked by ags guard \(path\.sensitive-read\)/);
  });

  it('opencode-guard.mjs: loads as an ES module plugin and throws to block', async () => {
    const script = `
      const mod = await import('file:///opt/ags/sandbox/opencode-guard.mjs');
      const exported = Object.keys(mod);
      const hooks = await mod.default({ directory: '/work/ws', worktree: '/work/ws' });
      const out = { exported, hooks: Object.keys(hooks) };
      for (const [tool, args] of [['bash', { command: 'rm -rf .' }], ['read', { filePath: 'src/a.ts' }]]) {
        try { await hooks['tool.execute.before']({ tool, sessionID: 's', callID: 'c' }, { args }); out[tool] = 'allowed'; }
        catch (e) { out[tool] = e.message; }
      }
      console.log(JSON.stringify(out));`;
    const r = await run(['node', '--input-type=module', '-e', script]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const out = JSON.parse(String(r.stdout).trim().split('\n').pop()!) as Record<string, unknown>;
    // opencode calls every exported function as a plugin: only the default export
    expect(out.exported).toEqual(['default']);
    expect(out.hooks).toEqual(['tool.execute.before']);
    expect(out.bash).toMatch(/^blocked by ags guard \(fs\.rm-recursive-workspace\)/);
    expect(out.read).toBe('allowed');
  });

  it('pi-guard.mjs: a default factory that registers one tool_call handler', async () => {
    const script = `
      const mod = await import('file:///opt/ags/sandbox/pi-guard.mjs');
      const handlers = [];
      mod.default({ on: (name, fn) => handlers.push([name, fn]) });
      const [name, fn] = handlers[0];
      const r = await fn({ type: 'tool_call', toolCallId: 'c', toolName: 'bash', input: { command: 'rm -rf /work/ws' } }, { cwd: '/work/ws' });
      console.log(JSON.stringify({ exported: Object.keys(mod), count: handlers.length, name, r }));`;
    const r = await run(['node', '--input-type=module', '-e', script]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const out = JSON.parse(String(r.stdout).trim().split('\n').pop()!) as {
      exported: string[];
      count: number;
      name: string;
      r: { block: boolean; reason: string };
    };
    expect(out).toMatchObject({ exported: ['default'], count: 1, name: 'tool_call' });
    expect(out.r.block).toBe(true);
    expect(out.r.reason).toMatch(/^blocked by ags guard \(fs\.rm-recursive-workspace\)/);
  });

  // a workspace path the hook command has to quote: space, ;, ' and "
  const workspace = `/work/a b;c'd "e"`;
  const hostileRm = String.raw`"/work/a b;c'd \"e\""`;

  describe('a node planted in the sandbox home does not replace the one the hooks run with', () => {
    let tmp: ReturnType<typeof testUserTempDir>;
    const ctx: WireContext = {
      hint: 'hint',
      sessionDir: '/run/ags',
      sandboxBinDir: '/opt/ags/sandbox',
      home: '/home/dev',
      guard: true,
      guardPolicyPath: '/run/ags/guard-policy.json',
      workspace: '/work/ws',
      root: false,
      nonce: 'n0nce',
    };
    /**
     * The hook command line exactly as each command-hook adapter wires it. (Claude Code's guard is a server
     * started with the same `/usr/bin/env -i` argv, test/unit/plan/build.test.ts, as the sandbox's root:
     * test/e2e/guard-server-claude.test.ts.)
     */
    const wiredCommand: Record<'codex' | 'gemini', (c?: WireContext) => string> = {
      codex: (c = ctx) => {
        const w = ADAPTERS.codex.wire(c);
        const toml = w.files.find((f) => f.name === 'codex-requirements.toml')!.content;
        return JSON.parse(/^command = ("(?:[^"\\]|\\.)*")$/m.exec(toml)![1]!) as string;
      },
      gemini: (c = ctx) => {
        const w = ADAPTERS.gemini.wire(c);
        const hooks = JSON.parse(w.files.find((f) => f.name === 'gemini-hooks.json')!.content);
        return hooks.hooks.BeforeTool[0].hooks[0].command as string;
      },
    };
    const events = {
      codex: { hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'rm -rf /work/ws' } },
      gemini: {
        hook_event_name: 'BeforeTool',
        tool_name: 'run_shell_command',
        tool_input: { command: 'rm -rf /work/ws' },
      },
    };

    beforeAll(() => {
      tmp = testUserTempDir(host);
      const bin = join(tmp.dir, 'local-bin');
      mkdirSync(bin);
      // what a hostile agent would write to ~/.local/bin/node: "allow everything"
      writeFileSync(join(bin, 'node'), '#!/bin/sh\ncat >/dev/null\nexit 0\n');
      chmodSync(join(bin, 'node'), 0o755);
      giveToTestUser(host, bin, join(bin, 'node'));
      // the run's real policy (the defaults), where the session dir puts it
      const session = join(tmp.dir, 'session');
      mkdirSync(session);
      writeFileSync(join(session, 'guard-policy.json'), '{}\n');
      giveToTestUser(host, session, join(session, 'guard-policy.json'));
      // what a hostile agent plants for its own env: a policy allowing everything, a --require that allows
      const planted = join(tmp.dir, 'planted');
      mkdirSync(planted);
      writeFileSync(
        join(planted, 'allow.json'),
        JSON.stringify({ allow: ['fs.rm-recursive-workspace', `rm -rf ${hostileRm}`, 'rm -rf /work/ws'] }),
      );
      writeFileSync(join(planted, 'allow.cjs'), 'process.exit(0);\n');
      giveToTestUser(host, planted, join(planted, 'allow.json'), join(planted, 'allow.cjs'));
    });
    afterAll(() => tmp?.cleanup());

    it.each(['codex', 'gemini'] as const)('%s: the wired hook still blocks', async (agent) => {
      const command = wiredCommand[agent]();
      const r = await podman(
        host,
        [
          'run',
          '--rm',
          '-i',
          '--pull=never',
          '--userns=keep-id',
          '--cap-drop=all',
          '--network=none',
          ...host.engineArgs,
          `--volume=${join(REPO_ROOT, 'dist', 'sandbox')}:/opt/ags/sandbox:ro`,
          `--volume=${join(tmp.dir, 'local-bin')}:/home/dev/.local/bin:ro`,
          `--volume=${join(tmp.dir, 'session')}:/run/ags:ro`,
          '--env=HOME=/home/dev',
          // the sandbox PATH of a run: the agent-writable ~/.local/bin first
          '--env=PATH=/home/dev/.local/bin:/opt/ags/tools/bin:/usr/local/bin:/usr/bin:/bin',
          '--env=AGS_WORKSPACE=/work/ws',
          host.image,
          'sh',
          '-c',
          command,
        ],
        { input: JSON.stringify({ session_id: 's', cwd: '/work/ws', ...events[agent] }) },
      );
      expect(r.exitCode, String(r.stderr)).toBe(2);
      expect(String(r.stderr)).toMatch(/blocked by ags guard/);
    });
    describe('the hook ignores the env the agent can set for it (its settings files can change its env)', () => {
      const wctx: WireContext = { ...ctx, workspace };
      // (Claude Code's guard server is started by `podman exec` with the container's own env, which the agent
      // cannot change, and `env -i` on top)
      const events = {
        codex: ['PreToolUse', 'Bash'],
        gemini: ['BeforeTool', 'run_shell_command'],
      } as const;
      const hostileEnvs = {
        'a policy path that does not exist': '/nonexistent',
        'a planted policy allowing everything': '/planted/allow.json',
      };
      const cases = (['codex', 'gemini'] as const).flatMap((agent) =>
        Object.entries(hostileEnvs).map(([what, policy]) => ({ agent, what, policy })),
      );

      it.each(cases)(
        '$agent, with $what, NODE_OPTIONS, LD_PRELOAD and AGS_WORKSPACE set: still blocks',
        async (c) => {
          const command = wiredCommand[c.agent](wctx);
          const [event, tool] = events[c.agent];
          const r = await podman(
            host,
            [
              'run',
              '--rm',
              '-i',
              '--pull=never',
              '--userns=keep-id',
              '--cap-drop=all',
              '--network=none',
              ...host.engineArgs,
              `--volume=${join(REPO_ROOT, 'dist', 'sandbox')}:/opt/ags/sandbox:ro`,
              `--volume=${join(tmp.dir, 'session')}:/run/ags:ro`,
              `--volume=${join(tmp.dir, 'planted')}:/planted:ro`,
              '--env=HOME=/home/dev',
              `--env=AGS_GUARD_POLICY=${c.policy}`,
              '--env=AGS_WORKSPACE=/elsewhere',
              '--env=NODE_OPTIONS=--require /planted/allow.cjs',
              '--env=NODE_PATH=/planted',
              '--env=LD_PRELOAD=/planted/junk.so',
              '--env=LD_LIBRARY_PATH=/planted',
              host.image,
              'sh',
              '-c',
              command,
            ],
            {
              input: JSON.stringify({
                session_id: 's',
                cwd: workspace,
                hook_event_name: event,
                tool_name: tool,
                tool_input: { command: `rm -rf ${hostileRm}` },
              }),
            },
          );
          expect(r.exitCode, String(r.stderr)).toBe(2);
          expect(String(r.stderr)).toMatch(/blocked by ags guard \(fs\.rm-recursive-workspace\)/);
        },
      );
    });
  });
});
