import { describe, expect, it } from 'vitest';
import { mergeRaw } from '../../../src/config/merge.js';
import { computeOrigins } from '../../../src/config/origin.js';

describe('merging a later file over an earlier one', () => {
  const user = {
    sandbox: { image: 'u', passthrough_env: ['A', 'B'] },
    mount: [{ host: '/u', mode: 'ro' }],
    guard: { rules: [{ id: 'u' }], sensitive_paths: ['/u'] },
    agents: { claude: { env: { X: '1' }, args: ['-a'] } },
  };
  const overlay = {
    sandbox: { passthrough_env: ['C'] },
    mount: [{ host: '/o', mode: 'rw' }],
    secret: [{ env: 'T', from_env: 'T' }],
    guard: { rules: [{ id: 'o' }], sensitive_paths: ['/o'] },
    agents: { claude: { env: { Y: '2' }, args: ['-b'] } },
  };
  const merged = mergeRaw(user, overlay);

  it('deep-merges tables and replaces scalars and ordinary arrays', () => {
    expect(merged.sandbox).toEqual({ image: 'u', passthrough_env: ['C'] });
    expect((merged.agents as { claude: unknown }).claude).toEqual({ env: { X: '1', Y: '2' }, args: ['-b'] });
  });

  it('appends mount, agent_mount, tool, secret, guard.rules and guard.sensitive_paths', () => {
    expect(merged.mount).toEqual([
      { host: '/u', mode: 'ro' },
      { host: '/o', mode: 'rw' },
    ]);
    expect(merged.secret).toEqual([{ env: 'T', from_env: 'T' }]);
    expect(merged.guard).toEqual({ rules: [{ id: 'u' }, { id: 'o' }], sensitive_paths: ['/u', '/o'] });
  });

  it('does not modify its inputs', () => {
    expect(user.mount).toHaveLength(1);
    expect(user.sandbox.passthrough_env).toEqual(['A', 'B']);
  });

  it('attributes every value to default, user or overlay', () => {
    const config = { ...merged, network: { mode: 'slirp4netns' }, agent_mount: [] };
    const origins = computeOrigins(config, user, overlay);
    expect(origins['sandbox.image']).toBe('user');
    expect(origins['sandbox.passthrough_env']).toBe('overlay');
    expect(origins['mount[0]']).toBe('user');
    expect(origins['mount[1]']).toBe('overlay');
    expect(origins['secret[0]']).toBe('overlay');
    expect(origins['guard.rules[1]']).toBe('overlay');
    expect(origins['agents.claude.env.X']).toBe('user');
    expect(origins['agents.claude.env.Y']).toBe('overlay');
    expect(origins['network.mode']).toBe('default');
  });
});
