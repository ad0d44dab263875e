import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isYes } from '../../../src/authproxy/approval.js';
import { processTree } from '../../../src/session/terminal-handoff.js';

describe('processTree', () => {
  it('holds the root and the processes under it, parents first, and nothing else', async () => {
    // a shell whose child is a sleep: grandchildren of this process
    const sh = spawn('sh', ['-c', 'sleep 30 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const sleepPid = await new Promise<number>((resolve) =>
      sh.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
    );
    try {
      const tree = processTree(process.pid);
      expect(tree[0]).toBe(process.pid);
      expect(tree.indexOf(sh.pid!)).toBeGreaterThan(0);
      expect(tree.indexOf(sleepPid)).toBeGreaterThan(tree.indexOf(sh.pid!));
      expect(processTree(sh.pid!)).toEqual([sh.pid, sleepPid]);
      expect(tree).not.toContain(process.ppid);
    } finally {
      process.kill(sleepPid);
      sh.kill();
    }
  });
});

describe('isYes', () => {
  it('takes y and yes only, in any case, with spaces around', () => {
    expect(['y', 'Y', 'yes', ' YES ', 'Yes'].map(isYes)).toEqual([true, true, true, true, true]);
    expect(['', 'n', 'no', 'yy', 'yes please', 'sure', '\x1b[Ay'].map(isYes)).toEqual(Array(7).fill(false));
  });
});
