import { describe, expect, it } from 'vitest';
import { Budget } from '../../../guards/engine/budget.js';
import { decide, failVerdict } from '../../../guards/engine/decide.js';

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

  it('stops each within its limits and blocks it in every mode', () => {
    for (const cmd of adversarial) {
      for (const lockdown of [false, true]) {
        const v = run(cmd, lockdown);
        if (v.failure) expect(v.decision, `${cmd.slice(0, 40)} (lockdown ${lockdown})`).toBe('block');
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

  it('the time limit counts CPU spent on the command: padding past it is blocked in every mode', () => {
    const pad = Array.from({ length: 20_000 }, (_, i) => `echo ${i}`).join('; ');
    const cmd = `${pad}; python3 -c "import shutil; shutil.rmtree('/home/dev')"`;
    for (const lockdown of [false, true]) {
      const v = run(cmd, lockdown, { wallMs: 2 });
      expect(v).toMatchObject({ decision: 'block', rule: 'guard.limit', failure: 'limit' });
      expect(v.reason).toMatch(/costs more than 2 ms to check/);
    }
  });

  it('a host that starves the check of CPU slows it down, and past starvedMs blocks it', () => {
    // wall clock runs, CPU does not: the decision waits, it does not time out on CPU
    let wall = 0;
    const starved = new Budget({ wallMs: 10, starvedMs: 1000 }, { now: () => (wall += 5), cpu: () => 0 });
    for (let i = 0; i < 100; i++) starved.checkTime();
    expect(() => {
      for (let i = 0; i < 200; i++) starved.checkTime();
    }).toThrow(/too busy to finish the check within 1 s/);
    // both clocks run: CPU spent past the mark counts
    let t = 0;
    const busy = new Budget({ wallMs: 10 }, { now: () => (t += 1), cpu: () => t });
    expect(() => {
      for (let i = 0; i < 100; i++) busy.checkTime();
    }).toThrow(/costs more than 10 ms/);
    expect(() => new Budget({ wallMs: 10 }).checkTime()).not.toThrow();
  });

  it('a command that makes the guard fail (2 000 nested groups, red team 7) is blocked in every mode', () => {
    for (const open of ['{ ', '( ']) {
      const close = open === '{ ' ? ' };' : ' )';
      const cmd = open.repeat(2000) + 'rm -rf /work/ws;' + close.repeat(2000);
      for (const lockdown of [false, true]) {
        const v = run(cmd, lockdown);
        expect(v.decision, `${open} lockdown ${lockdown}`).toBe('block');
        expect(v.rule).toMatch(/^guard\.(internal|limit)$|^fs\./);
      }
    }
    expect(failVerdict('internal', 'internal error: x', false)).toMatchObject({
      decision: 'block',
      rule: 'guard.internal',
    });
  });

  it('the fallback scan still blocks the worst shapes past a limit', () => {
    const v = run('rm -rf / ; ' + '$('.repeat(100));
    expect(v).toMatchObject({ decision: 'block', rule: 'guard.limit' });
    expect(v.reason).toMatch(/rm -r on/);
  });
});
