import { describe, expect, it } from 'vitest';
import { decide, type DecideOptions } from '../../../guards/engine/decide.js';
import { toToolCall } from '../../../guards/engine/tools.js';

const base: DecideOptions = { home: '/home/dev', workspace: '/work/ws', gitBranch: () => 'feature/x' };
/** Every name `Object.prototype` answers to: a plain-object table keyed by words would find a function. */
const names = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];

describe('words that name Object.prototype members are ordinary words', () => {
  it.each(names)('%s as a command name, an argument, a subcommand and a tool name', (name) => {
    for (const command of [
      `${name} x`,
      name,
      `git ${name}`,
      `npm ${name}`,
      `echo ${name}`,
      `sudo ${name} -rf /tmp/x`,
    ])
      for (const lockdown of [false, true]) {
        const v = decide({ kind: 'shell', tool: 'Bash', command, cwd: '/work/ws' }, { ...base, lockdown });
        expect(v.decision === 'block' ? v.rule : 'allow', command).not.toBe('guard.internal');
      }
    for (const agent of ['claude', 'pi', 'codex', 'gemini', 'opencode'] as const)
      expect(toToolCall(agent, name, {}, '/work/ws').kind).toBe('other');
  });

  it('a destructive command behind such a name is still read', () => {
    const v = decide(
      { kind: 'shell', tool: 'Bash', command: 'constructor=1; rm -rf ~', cwd: '/work/ws' },
      base,
    );
    expect(v.decision).toBe('block');
  });
});
