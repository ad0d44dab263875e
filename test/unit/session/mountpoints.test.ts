import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mount } from '../../../src/plan/types.js';
import { prepareMountpoints, removeMountpoints } from '../../../src/session/mountpoints.js';

const mount = (source: string, target: string, mode: 'ro' | 'rw' = 'rw'): Mount => ({
  source,
  target,
  mode,
  why: 'test',
  showInHint: false,
});

describe('mount points', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ags-mountpoints-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates points inside the innermost earlier read-write mount, then removes exactly those', () => {
    const sandboxHome = join(dir, 'homes', 'gemini');
    const hostGemini = join(dir, 'host-home', '.gemini');
    const session = join(dir, 'session');
    for (const d of [sandboxHome, hostGemini, session, join(dir, 'repo')]) mkdirSync(d, { recursive: true });
    mkdirSync(join(hostGemini, 'extensions'));
    writeFileSync(join(hostGemini, 'extensions', 'theirs.txt'), 'keep');
    writeFileSync(join(session, 'AGS_SANDBOX.md'), '# ags sandbox\n');
    const mounts = [
      mount(sandboxHome, '/home/u'),
      mount(hostGemini, '/home/u/.gemini'),
      mount(join(dir, 'repo'), '/home/u/src/repo'),
      mount(session, '/run/ags', 'ro'),
      mount(join(session, 'AGS_SANDBOX.md'), '/home/u/.gemini/extensions/ags-sandbox/AGS_SANDBOX.md', 'ro'),
    ];
    const created = prepareMountpoints(mounts);
    expect(created).toEqual([
      join(sandboxHome, '.gemini'),
      join(sandboxHome, 'src'),
      join(sandboxHome, 'src', 'repo'),
      join(hostGemini, 'extensions', 'ags-sandbox'),
      join(hostGemini, 'extensions', 'ags-sandbox', 'AGS_SANDBOX.md'),
    ]);
    expect(statSync(join(hostGemini, 'extensions', 'ags-sandbox', 'AGS_SANDBOX.md')).isFile()).toBe(true);
    expect(existsSync(join(dir, 'run'))).toBe(false);

    removeMountpoints(created);
    expect(readdirSync(sandboxHome)).toEqual([]);
    expect(readdirSync(join(hostGemini, 'extensions'))).toEqual(['theirs.txt']);
  });

  it('leaves a point that is no longer empty', () => {
    const home = join(dir, 'home');
    mkdirSync(home);
    const created = prepareMountpoints([mount(home, '/home/u'), mount(join(dir, 'nowhere'), '/home/u/a/b')]);
    writeFileSync(join(home, 'a', 'later.txt'), 'x');
    removeMountpoints(created);
    expect(existsSync(join(home, 'a', 'b'))).toBe(false);
    expect(readdirSync(join(home, 'a'))).toEqual(['later.txt']);
  });
});
