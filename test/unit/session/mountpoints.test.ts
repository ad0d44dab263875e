import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mount } from '../../../src/plan/types.js';
import {
  createMountpoints,
  plannedMountpoints,
  pointPath,
  removeMountpoints,
} from '../../../src/session/mountpoints.js';

const mount = (source: string, target: string, mode: 'ro' | 'rw' = 'rw'): Mount => ({
  source,
  target,
  mode,
  why: 'test',
  showInHint: false,
});

const prepare = (mounts: Mount[], onBlocked?: (path: string) => void) =>
  createMountpoints(plannedMountpoints(mounts), onBlocked);

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
    const created = prepare(mounts);
    expect(created.map(pointPath)).toEqual([
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
    const created = prepare([mount(home, '/home/u'), mount(join(dir, 'nowhere'), '/home/u/a/b')]);
    writeFileSync(join(home, 'a', 'later.txt'), 'x');
    removeMountpoints(created);
    expect(existsSync(join(home, 'a', 'b'))).toBe(false);
    expect(readdirSync(join(home, 'a'))).toEqual(['later.txt']);
  });

  it('creates nothing through a symlink planted in the sandbox home, and says where it stopped', () => {
    const home = join(dir, 'home');
    const outside = join(dir, 'outside');
    mkdirSync(home);
    mkdirSync(outside);
    symlinkSync(outside, join(home, 'src'));
    // a dangling symlink where a file mount point goes: O_CREAT would create its target
    symlinkSync(join(outside, 'made-by-ags'), join(home, 'hint.md'));
    writeFileSync(join(dir, 'hint-source.md'), 'hint');
    utimesSync(outside, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const blocked: string[] = [];
    const created = prepare(
      [
        mount(home, '/home/u'),
        mount(join(dir, 'repo'), '/home/u/src/proj/repo'),
        mount(join(dir, 'hint-source.md'), '/home/u/hint.md', 'ro'),
      ],
      (p) => blocked.push(p),
    );
    expect(created).toEqual([]);
    expect(blocked).toEqual([join(home, 'src')]);
    expect(readdirSync(outside)).toEqual([]);
    expect(statSync(outside).mtime.getFullYear()).toBe(2020);
  });

  it('removes nothing through a directory swapped for a symlink during the run', () => {
    const home = join(dir, 'home');
    const outside = join(dir, 'outside');
    mkdirSync(home);
    mkdirSync(join(outside, 'repo'), { recursive: true });
    const created = prepare([mount(home, '/home/u'), mount(join(dir, 'repo'), '/home/u/src/repo')]);
    expect(created.map(pointPath)).toEqual([join(home, 'src'), join(home, 'src', 'repo')]);
    // the agent, while its container runs: ~/src becomes a link to a directory of the user's
    renameSync(join(home, 'src'), join(home, 'src.old'));
    symlinkSync(outside, join(home, 'src'));
    removeMountpoints(created);
    expect(existsSync(join(outside, 'repo'))).toBe(true);
  });
});
