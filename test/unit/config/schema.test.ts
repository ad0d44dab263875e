import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { defaultConfig, ConfigSchema, entryApplies } from '../../../src/config/index.js';
import { configJsonSchema } from '../../../src/config/json-schema.js';
import { checkFile, parseSource } from '../../../src/config/load.js';
import { starterConfig } from '../../../src/config/starter.js';

const env = { HOME: '/home/u' };

describe('the built-in defaults', () => {
  const config = defaultConfig(env);

  it('are safe: no API keys passed through, no mounts, no secrets, guard and auth proxy on', () => {
    expect(config.sandbox.passthrough_env).toEqual([]);
    expect(config.sandbox.ssh_keys).toEqual([]);
    expect(config.mount).toEqual([]);
    expect(config.agent_mount).toEqual([]);
    expect(config.secret).toEqual([]);
    expect(config.guard.enabled).toBe(true);
    expect(config.auth_proxy).toEqual({
      enabled: true,
      auto_allow_domains: [],
      approval: 'prompt',
      timeout_seconds: 300,
    });
    expect(config.network).toEqual({
      mode: 'open',
      allow_host_loopback: false,
      allow_domains: [],
      max_connections: 64,
    });
    expect(config.lockdown).toEqual({
      network: 'allowlist',
      allow_domains: [],
      auth_proxy: false,
      allow_mounts: false,
      copy_credentials: false,
      memory: '4g',
      cpus: 2,
      pids_limit: 1024,
      require_limits: true,
      tmp_size: '512m',
      var_tmp_size: '256m',
      run_size: '16m',
      cache_size: '512m',
    });
  });

  it('name the image, base image and runtime limits', () => {
    expect(config.sandbox.image).toBe('localhost/ags:latest');
    expect(config.sandbox.base_image).toBe('docker.io/library/node:24-bookworm-slim');
    expect(config.sandbox.containerfile).toBeUndefined();
    expect(config.runtime).toEqual({
      engine: 'podman',
      init: true,
      pids_limit: 4096,
      podman: { ulimits: {}, extra_args: [] },
    });
  });

  it('put cache and data under the XDG directories, expanded', () => {
    expect(config.sandbox.cache_dir).toBe('/home/u/.cache/ags');
    expect(config.sandbox.data_dir).toBe('/home/u/.local/share/ags');
    const xdg = defaultConfig({ HOME: '/home/u', XDG_CACHE_HOME: '/c', XDG_DATA_HOME: '/d' });
    expect(xdg.sandbox.cache_dir).toBe('/c/ags');
    expect(xdg.sandbox.data_dir).toBe('/d/ags');
  });

  it('give every agent a section with empty args and env and an isolated home', () => {
    for (const name of ['claude', 'codex', 'gemini', 'opencode', 'pi', 'shell'] as const) {
      expect(config.agents[name]).toEqual({
        args: [],
        env: {},
        host_home: false,
        network: { allow_domains: [] },
        lockdown: false,
      });
    }
  });
});

describe('schema-level defaults of entries', () => {
  it('mount: container defaults to host, kind dir, create and optional false', () => {
    const c = ConfigSchema.parse({ mount: [{ host: '/a', mode: 'ro' }] });
    expect(c.mount[0]).toEqual({
      host: '/a',
      container: '/a',
      mode: 'ro',
      kind: 'dir',
      create: false,
      optional: false,
    });
  });

  it('tool: container defaults to /usr/local/bin/<name>', () => {
    const c = ConfigSchema.parse({ tool: [{ name: 'jq', path: '/usr/bin/jq' }] });
    expect(c.tool[0]).toMatchObject({ container: '/usr/local/bin/jq', optional: false, directory: [] });
  });

  it('guard rule: match defaults to prefix', () => {
    const c = ConfigSchema.parse({ guard: { rules: [{ id: 'a', pattern: 'rm', reason: 'r' }] } });
    expect(c.guard.rules[0]!.match).toBe('prefix');
  });
});

describe('the starter file (config/config.example.toml, written by `ags config init`)', () => {
  const text = starterConfig();

  it('is valid and, as written (all commented out), means exactly the defaults', () => {
    const file = parseSource('starter.toml', text);
    expect(file.raw).toEqual({});
  });

  it('uncommented, is a valid config that mentions every key of the schema', () => {
    const uncommented = text
      .split('\n')
      .map((l) => (/^# (\[|[a-z_]+ = )/.test(l) ? l.slice(2) : l))
      .join('\n');
    const file = parseSource('starter-uncommented.toml', uncommented);
    expect(() => checkFile(file, 'user')).not.toThrow();
    const schema = configJsonSchema();
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, value: unknown, path: string) => {
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      if (!props) return;
      for (const [key, sub] of Object.entries(props)) {
        const v = Array.isArray(value)
          ? value.find((x) => x && typeof x === 'object' && key in x)?.[key]
          : (value as Record<string, unknown> | undefined)?.[key];
        if (v === undefined) missing.push(`${path}${key}`);
        else walk((sub.items as Record<string, unknown>) ?? sub, v, `${path}${key}.`);
      }
    };
    const raw = parse(uncommented) as Record<string, unknown>;
    walk(schema, raw, '');
    // [agents.<name>] is shown once (for claude), which stands for all six agents, and the entries that
    // share the [[mount]] keys say so instead of repeating them.
    const shown = missing
      .filter((k) => !/^agents\.(codex|gemini|opencode|pi|shell)$/.test(k))
      .filter((k) => !/^(agent_mount|tool\.directory)\.(container|kind|create|optional|when)$/.test(k));
    expect(shown).toEqual([]);
  });
});

describe('the JSON Schema', () => {
  const schema = configJsonSchema() as {
    properties: Record<string, Record<string, unknown>>;
    additionalProperties: unknown;
  };

  it('is closed (unknown keys are errors) and carries defaults and descriptions', () => {
    expect(schema.additionalProperties).toBe(false);
    const sandbox = schema.properties.sandbox as {
      properties: Record<string, Record<string, unknown>>;
      additionalProperties: unknown;
    };
    expect(sandbox.additionalProperties).toBe(false);
    expect(sandbox.properties.image!.default).toBe('localhost/ags:latest');
    expect(typeof sandbox.properties.image!.description).toBe('string');
  });

  it('requires mode on mounts and exactly one source on secrets', () => {
    const mount = (schema.properties.mount as { items: { required: string[] } }).items;
    expect(mount.required).toEqual(expect.arrayContaining(['host', 'mode']));
    const secret = (schema.properties.secret as { items: { oneOf: unknown[] } }).items;
    expect(secret.oneOf).toHaveLength(3);
  });
});

describe('`when` conditions', () => {
  const claude = { agent: 'claude' as const, lockdown: false };
  const claudeLocked = { agent: 'claude' as const, lockdown: true };
  const pi = { agent: 'pi' as const, lockdown: false };

  it('no `when`: every agent in normal runs; lockdown only with lockdown.allow_mounts', () => {
    expect(entryApplies({}, claude, false)).toBe(true);
    expect(entryApplies({}, claudeLocked, false)).toBe(false);
    expect(entryApplies({}, claudeLocked, true)).toBe(true);
  });

  it('agent names limit to those agents; modes limit to those modes', () => {
    expect(entryApplies({ when: ['claude'] }, claude, false)).toBe(true);
    expect(entryApplies({ when: ['claude'] }, pi, false)).toBe(false);
    expect(entryApplies({ when: ['lockdown'] }, claudeLocked, false)).toBe(true);
    expect(entryApplies({ when: ['lockdown'] }, claude, false)).toBe(false);
    expect(entryApplies({ when: ['pi', 'normal', 'lockdown'] }, claudeLocked, false)).toBe(false);
  });

  it('an agent mount applies only to its own agent', () => {
    expect(entryApplies({ agent: 'pi' }, claude, false)).toBe(false);
    expect(entryApplies({ agent: 'pi' }, pi, false)).toBe(true);
  });
});

describe('the examples in docs/CONFIG.md', () => {
  const doc = readFileSync(new URL('../../../docs/CONFIG.md', import.meta.url), 'utf8');
  const blocks = [...doc.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it('are valid: the first as a user config, the second as a repo overlay', () => {
    expect(blocks).toHaveLength(2);
    expect(() => checkFile(parseSource('user.toml', blocks[0]!), 'user')).not.toThrow();
    expect(() => checkFile(parseSource('overlay.toml', blocks[1]!), 'overlay')).not.toThrow();
  });
});
