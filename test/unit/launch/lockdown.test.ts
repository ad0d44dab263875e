import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../agents/index.js';
import { ConfigSchema } from '../../../src/config/schema.js';
import { UsageError } from '../../../src/errors.js';
import {
  ignoredInLockdown,
  lockdownSettings,
  lockdownWanted,
  refuseInLockdown,
  refuseRuntimeInLockdown,
} from '../../../src/launch/lockdown.js';
import { chosenSecrets, runSettingsFromConfig } from '../../../src/launch/run-settings.js';
import { mountSafety } from '../../../src/launch/run-paths.js';

const parse = (raw: object) => ConfigSchema.parse(raw);

describe('lockdown decisions', () => {
  it("is on by the flag or by the agent's own default, and only that agent's", () => {
    const c = parse({ agents: { claude: { lockdown: true } } });
    expect(lockdownWanted(false, c, 'claude')).toBe(true);
    expect(lockdownWanted(false, c, 'pi')).toBe(false);
    expect(lockdownWanted(true, c, 'pi')).toBe(true);
  });

  it('refuses --root, --yolo and --network open as usage errors (exit 2), and allows the rest', () => {
    for (const [flags, what] of [
      [{ root: true, yolo: false }, /^--root cannot be used in lockdown$/],
      [{ root: false, yolo: true }, /^--yolo cannot be used in lockdown$/],
      [{ root: false, yolo: false, network: 'open' }, /^--network open cannot be used in lockdown$/],
    ] as const) {
      let err: unknown;
      try {
        refuseInLockdown(flags);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(what);
    }
    expect(() => refuseInLockdown({ root: false, yolo: false, network: 'none' })).not.toThrow();
    expect(() => refuseInLockdown({ root: false, yolo: false, network: 'allowlist' })).not.toThrow();
  });

  it("stages the adapter's list, and its credentials only with copy_credentials", () => {
    const off = lockdownSettings(parse({}), ADAPTERS.claude, '/p', []);
    expect(off.staged).toEqual(['.claude/settings.json', '.claude/CLAUDE.md']);
    const on = lockdownSettings(parse({ lockdown: { copy_credentials: true } }), ADAPTERS.claude, '/p', []);
    expect(on.staged).toEqual(['.claude/settings.json', '.claude/CLAUDE.md', '.claude/.credentials.json']);
    expect(on.sourceHome).toBe('/p');
  });

  it('names what the config asks for that lockdown leaves out', () => {
    const c = parse({
      sandbox: {
        passthrough_env: ['X'],
        ssh_keys: ['/k'],
        signing_key: '/s',
        git_config: 'writable',
        writable_agent_config: true,
      },
      mount: [
        { host: '/a', mode: 'ro' },
        { host: '/b', mode: 'ro', when: ['lockdown'] },
      ],
      secret: [
        { env: 'A', from_env: 'A' },
        { env: 'B', from_env: 'B' },
      ],
      auth_proxy: { enabled: true },
      guard: { enabled: false },
      agents: { claude: { host_home: true } },
    });
    expect(ignoredInLockdown(c, 'claude', ['A'])).toEqual([
      '1 [[mount]]/[[agent_mount]] without "lockdown" in when',
      '1 [[secret]] not named by --secret',
      '[sandbox] passthrough_env',
      '[sandbox] ssh_keys (no SSH agent)',
      '[sandbox] signing_key (no SSH agent)',
      '[agents.claude] host_home',
      '[sandbox] git_config = "writable"',
      '[sandbox] writable_agent_config',
      '[guard] enabled = false',
    ]);
    expect(ignoredInLockdown(parse({}), 'claude', [])).toEqual([]);
  });
});

describe('[runtime.podman] in lockdown (finding B6)', () => {
  const refusal = (podman: object) => {
    try {
      refuseRuntimeInLockdown(parse({ runtime: { podman } }));
      return null;
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
  };
  it('refuses any extra_args', () => {
    expect(refusal({ extra_args: ['--cap-add=SYS_ADMIN'] })).toMatch(
      /^\[runtime\.podman\] extra_args cannot be used in lockdown/,
    );
    expect(refusal({ extra_args: ['--security-opt=seccomp=unconfined'] })).not.toBeNull();
  });
  it('accepts crun or runc as oci_runtime and refuses any other program', () => {
    expect(refusal({})).toBeNull();
    expect(refusal({ extra_args: [] })).toBeNull();
    expect(refusal({ oci_runtime: 'crun' })).toBeNull();
    expect(refusal({ oci_runtime: 'runc' })).toBeNull();
    expect(refusal({ oci_runtime: '/home/u/bin/my-runtime' })).toMatch(
      /oci_runtime = "\/home\/u\/bin\/my-runtime" cannot be used in lockdown/,
    );
    expect(refusal({ oci_runtime: 'runsc' })).not.toBeNull();
  });
});

describe('run settings of a lockdown run', () => {
  const src = mkdtempSync(join(tmpdir(), 'ags-lockdown-src-'));
  afterAll(() => rmSync(src, { recursive: true, force: true }));
  const c = parse({
    sandbox: { passthrough_env: ['PASS'], git_config: 'writable', writable_agent_config: true },
    secret: [
      { env: 'A', from_env: 'HOST_A' },
      { env: 'B', from_env: 'HOST_B' },
    ],
    mount: [
      { host: src, container: '/always', mode: 'ro' },
      { host: src, container: '/locked', mode: 'ro', when: ['lockdown'] },
    ],
    guard: { enabled: false },
    agents: { shell: { host_home: true } },
  });
  const safety = mountSafety(c, null, { HOME: '/home/u' }, 1000, '/home/u');
  const locked = runSettingsFromConfig(
    c,
    'shell',
    safety,
    { mode: 'create' },
    { lockdown: true, secrets: ['B'] },
  );
  const normal = runSettingsFromConfig(c, 'shell', safety);

  it('secrets: only those named with --secret', () => {
    expect(locked.secretNames).toEqual(['B']);
    expect(locked.secrets).toEqual([{ env: 'B', from_env: 'HOST_B' }]);
    expect(normal.secretNames).toEqual(['A', 'B']);
  });
  it('no passthrough_env, no host home', () => {
    expect(locked.passthroughEnv).toEqual([]);
    expect(locked.agent.hostHome).toBe(false);
    expect(normal.passthroughEnv).toEqual(['PASS']);
  });
  it('only mounts whose when names lockdown', () => {
    expect(locked.mounts.map((m) => m.container)).toEqual(['/locked']);
    expect(normal.mounts.map((m) => m.container)).toEqual(['/always']);
  });
  it('guard on and fail-closed; git config and agent settings read-only whatever [sandbox] says', () => {
    expect(locked.guard).toBe(true);
    expect(locked.guardPolicy.lockdown).toBe(true);
    expect(locked.protections).toEqual({ git: true, agentConfig: true });
    expect(normal.protections).toEqual({ git: false, agentConfig: false });
  });
  it('--secret NAME with no [[secret]] of that name takes the host variable NAME', () => {
    expect(chosenSecrets(c, { lockdown: true, secrets: ['ANTHROPIC_API_KEY'] })).toEqual([
      { env: 'ANTHROPIC_API_KEY', from_env: 'ANTHROPIC_API_KEY' },
    ]);
    expect(chosenSecrets(c, { lockdown: false, secrets: ['A'] }).map((s) => s.env)).toEqual(['A', 'B']);
  });
});
