import { describe, expect, it } from 'vitest';
import { decide } from '../../../guards/engine/decide.js';

const run = (command: string, lockdown = false, limits = {}) =>
  decide({ kind: 'shell', tool: 'Bash', command, cwd: '/w' }, { home: '/home/dev', lockdown, limits });

describe('budget', () => {
  // Inputs that blow up naive parsers: nested $( (dcg#189), thousands of heredocs, huge words, deep bash -c nesting.
  const adversarial = [
    'echo ' + '$('.repeat(5000),
    'echo ' + '$(echo '.repeat(2000) + ')'.repeat(2000),
    Array.from({ length: 3000 }, (_, i) => `cat <<E${i}`).join(' ') + '\n',
    'echo ' + '"$(echo \\"'.repeat(500),
    'x'.repeat(2_000_000),
    'bash -c "' + 'eval \\"'.repeat(200) + 'ls',
    '{a,b}'.repeat(500),
  ];

  it('returns within the budget, failing open normally and closed in lockdown', () => {
    for (const cmd of adversarial) {
      for (const lockdown of [false, true]) {
        const t0 = performance.now();
        const v = run(cmd, lockdown);
        const ms = performance.now() - t0;
        expect(ms).toBeLessThan(1000);
        if (v.failure === 'parse' || (v.failure === 'limit' && !/longer than/.test(v.warnings.join('')))) {
          // a command the guard cannot read is never allowed
          expect(v.decision).toBe('block');
        } else if (v.failure) {
          expect(v.decision).toBe(lockdown ? 'block' : 'allow');
          if (!lockdown) expect(v.warnings.join('\n')).toMatch(/fail-open/);
          else expect(v.message).toMatch(/lockdown: .*fails closed/);
        }
      }
    }
  });

  it('a command that does not parse is blocked in every mode, never allowed', () => {
    for (const cmd of [
      "echo 'unterminated",
      'rm -rf "$(echo /',
      'cat <<EOF\nrm -rf ~',
      'echo ${HOME',
      'x=`rm -rf /',
      "bash -c 'rm -rf ~",
      'if true; then rm -rf / ; (',
    ]) {
      for (const lockdown of [false, true]) {
        const v = run(cmd, lockdown);
        expect(v.decision, `${cmd} (lockdown ${lockdown})`).toBe('block');
        expect(v.message).toMatch(/blocked by ags guard \((?:guard\.parse|fs\.[a-z-]+)\)/);
      }
    }
  });

  it('the time limit (a fact about the machine, not the command) fails open normally, closed in lockdown', () => {
    const cmd = Array.from({ length: 20_000 }, (_, i) => `echo ${i}`).join('; ');
    const open = run(cmd, false, { wallMs: 1 });
    expect(open).toMatchObject({ decision: 'allow', failure: 'limit' });
    expect(open.warnings[0]).toMatch(/longer than 1 ms/);
    expect(run(cmd, true, { wallMs: 1 })).toMatchObject({ decision: 'block', rule: 'guard.limit' });
  });

  it('the fallback scan still blocks the worst shapes past a limit', () => {
    const v = run('rm -rf / ; ' + '$('.repeat(100));
    expect(v).toMatchObject({ decision: 'block', rule: 'guard.limit' });
    expect(v.reason).toMatch(/rm -r on/);
  });
});
