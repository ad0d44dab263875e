import { describe, expect, it } from 'vitest';
import { decide } from '../../../guards/index.js';
import { guardPolicyFromConfig } from '../../../src/plan/guard-policy.js';

describe('guardPolicyFromConfig', () => {
  const policy = guardPolicyFromConfig(
    {
      enabled: true,
      rules: [
        { id: 'team.no-deploy', pattern: 'make deploy', match: 'prefix', reason: 'deploys go through CI' },
        { id: 'team.no-prod', pattern: '--env[= ]prod', match: 'regex', reason: 'never touch prod' },
      ],
      allow: ['git.reset-hard'],
      sensitive_paths: ['~/.config/team-token'],
    },
    false,
  );

  it('maps config rules to engine rules, prefix rules as word-anchored regexes', () => {
    expect(policy).toEqual({
      extraRules: [
        { id: 'team.no-deploy', pattern: '^make\\s+deploy(\\s|$)', reason: 'deploys go through CI' },
        { id: 'team.no-prod', pattern: '--env[= ]prod', reason: 'never touch prod' },
      ],
      allow: ['git.reset-hard'],
      sensitivePaths: ['~/.config/team-token'],
      lockdown: false,
    });
  });

  it('the engine applies them: a prefix rule blocks its command and not a longer word', () => {
    const bash = (command: string) => decide({ kind: 'shell', tool: 'Bash', command, cwd: '/w' }, { policy });
    expect(bash('make deploy now').decision).toBe('block');
    expect(bash('make deployment-docs').decision).toBe('allow');
    expect(bash('git reset --hard').decision).toBe('allow');
  });
});
