import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTree } from '../../../src/util/remove-tree.js';

describe('removeTree', () => {
  const root = mkdtempSync(join(tmpdir(), 'ags-remove-tree-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('removes a tree while another process deletes entries of it (Node 24 rmSync leaves it then)', async () => {
    let left = 0;
    for (let round = 0; round < 10; round++) {
      const dir = join(root, `race-${round}`);
      mkdirSync(join(dir, 'sub'), { recursive: true });
      for (let i = 0; i < 500; i++) writeFileSync(join(dir, 'sub', `f${i}`), 'x');
      const other = spawn('sh', ['-c', `rm -f '${dir}'/sub/f1*`]);
      await new Promise((r) => setTimeout(r, round % 3));
      removeTree(dir);
      if (existsSync(dir)) left++;
      await new Promise((r) => other.once('exit', r));
    }
    expect(left).toBe(0);
  }, 60_000); // 5,000 files written under load

  it('removes a link, not what it points to; a missing path is fine', () => {
    const target = join(root, 'target');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    const dir = join(root, 'with-link');
    mkdirSync(dir);
    symlinkSync(target, join(dir, 'link'));
    removeTree(dir);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(join(target, 'keep'))).toBe(true);
    expect(() => removeTree(join(root, 'absent'))).not.toThrow();
  });
});
