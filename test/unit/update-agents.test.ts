import { describe, expect, it } from 'vitest';
import { parseAgentSpec } from '../../src/cli/commands/update-agents.js';

describe('parseAgentSpec', () => {
  it('takes a name (latest) or a pinned NAME@VERSION', () => {
    expect(parseAgentSpec('claude')).toMatchObject({
      version: 'latest',
      adapter: { npmPackage: '@anthropic-ai/claude-code' },
    });
    expect(parseAgentSpec('pi@0.87.1')).toMatchObject({
      version: '0.87.1',
      adapter: { npmPackage: '@earendil-works/pi-coding-agent' },
    });
  });

  it('rejects unknown agents, the shell, and odd versions as usage errors', () => {
    expect(() => parseAgentSpec('nope')).toThrow("unknown agent 'nope'");
    expect(() => parseAgentSpec('shell')).toThrow('shell is not installed by ags');
    expect(() => parseAgentSpec('codex@;rm -rf /')).toThrow('is not a version or dist-tag');
  });
});
