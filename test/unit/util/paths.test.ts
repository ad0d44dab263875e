import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayPath, isWithin, overlaps, printable, realpathLoose } from '../../../src/util/paths.js';

describe('path helpers', () => {
  it('isWithin and overlaps compare whole components', () => {
    expect(isWithin('/a/b', '/a')).toBe(true);
    expect(isWithin('/ab', '/a')).toBe(false);
    expect(isWithin('/x', '/')).toBe(true);
    expect(overlaps('/a', '/a/b')).toBe(true);
    expect(overlaps('/a/c', '/a/b')).toBe(false);
  });

  it('realpathLoose resolves the existing part, and dangling symlinks, of a path that does not exist yet', () => {
    const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-paths-')));
    try {
      mkdirSync(join(tmp, 'real'));
      symlinkSync(join(tmp, 'real'), join(tmp, 'link'));
      symlinkSync(join(tmp, 'target-to-be'), join(tmp, 'dangling'));
      expect(realpathLoose(join(tmp, 'link', 'new', 'deeper'))).toBe(join(tmp, 'real', 'new', 'deeper'));
      expect(realpathLoose(join(tmp, 'dangling', 'x'))).toBe(join(tmp, 'target-to-be', 'x'));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('displayPath leaves a plain path alone and quotes and escapes whatever could drive a terminal', () => {
    expect(displayPath('/srv/project')).toBe('/srv/project');
    expect(displayPath('/a b')).toBe('"/a b"');
    expect(displayPath('/x\u001b[2Jy')).toBe('"/x\\x1b[2Jy"');
    expect(displayPath('/x\u009by\u202e')).toBe('"/x\\x9by\\u202e"');
    expect(displayPath(`/${'a'.repeat(5000)}`)).toMatch(/\.\.\. \[cut: \d+ more characters\]$/);
    expect(printable('bad line \u001b[31m')).toBe('bad line \\x1b[31m');
  });
});
