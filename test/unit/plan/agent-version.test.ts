import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../agents/index.js';
import { guardVersionGap, olderVersion } from '../../../src/plan/agent-version.js';

describe('olderVersion', () => {
  it('compares numeric parts, not strings, and ignores a pre-release suffix', () => {
    expect(olderVersion('2.1.99', '2.1.295')).toBe(true);
    expect(olderVersion('2.1.295', '2.1.295')).toBe(false);
    expect(olderVersion('2.1.295-beta.1', '2.1.295')).toBe(false);
    expect(olderVersion('2.2', '2.1.295')).toBe(false);
    expect(olderVersion('1.99.999', '2.0.0')).toBe(true);
  });
});

describe('guardVersionGap', () => {
  it('names only a known version older than what the guard needs, for agents that need one', () => {
    expect(guardVersionGap(ADAPTERS.claude, '2.1.294')).toMatch(
      /^Claude Code 2\.1\.294 is older than 2\.1\.295: /,
    );
    expect(guardVersionGap(ADAPTERS.claude, '2.1.332')).toBeNull();
    expect(guardVersionGap(ADAPTERS.claude, undefined)).toBeNull();
    expect(guardVersionGap(ADAPTERS.codex, '0.0.1')).toBeNull();
  });
});
