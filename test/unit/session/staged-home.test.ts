import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_STAGED_BYTES,
  StagingRefused,
  isPlainHomePath,
  readBounded,
  stageHome,
} from '../../../src/session/staged-home.js';

/** Every entry under `dir`, relative, sorted (directories end in /). */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, name.name);
      out.push(relative(dir, p) + (name.isDirectory() ? '/' : ''));
      if (name.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

describe("stageHome (the persistent home is the agent's: hostile)", () => {
  let dir: string;
  let source: string;
  let target: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ags-stage-'));
    source = join(dir, 'persistent');
    target = join(dir, 'fresh');
    mkdirSync(join(source, '.claude'), { recursive: true });
    writeFileSync(join(dir, 'host-secret'), 'TOP SECRET');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a source home with a symlink on its path from the data dir down (finding B7)', () => {
    writeFileSync(join(source, '.claude', 'settings.json'), '{"a":1}');
    const homes = join(dir, 'data', 'homes');
    mkdirSync(homes, { recursive: true });
    symlinkSync(source, join(homes, 'claude'));
    expect(() =>
      stageHome(join(homes, 'claude'), target, ['.claude/settings.json'], join(dir, 'data')),
    ).toThrow(StagingRefused);
    rmSync(target, { recursive: true });
    const data2 = join(dir, 'data2');
    mkdirSync(data2);
    symlinkSync(dir, join(data2, 'homes'));
    expect(() =>
      stageHome(join(data2, 'homes', 'persistent'), target, ['.claude/settings.json'], data2),
    ).toThrow(/homes is a symlink/);
    expect(tree(target)).toEqual([]);
    rmSync(target, { recursive: true });
    // the data dir itself may be reached through a link: only what is below it counts
    symlinkSync(dir, join(dir, 'data-link'));
    expect(
      stageHome(
        join(dir, 'data-link', 'persistent'),
        target,
        ['.claude/settings.json'],
        join(dir, 'data-link'),
      ),
    ).toEqual({ staged: ['.claude/settings.json'], skipped: [] });
  });

  it('does not stage a file with other hard links (finding B7)', () => {
    linkSync(join(dir, 'host-secret'), join(source, '.claude', 'settings.json'));
    const r = stageHome(source, target, ['.claude/settings.json'], dir);
    expect(r.staged).toEqual([]);
    expect(r.skipped).toEqual([
      {
        path: '.claude/settings.json',
        reason: 'it has other hard links (it may be a file from outside the home)',
      },
    ]);
    expect(tree(target)).toEqual([]);
  });

  it('copies exactly the listed regular files, 0600 in a 0700 home; nothing else of the source', () => {
    writeFileSync(join(source, '.claude', 'settings.json'), '{"a":1}');
    writeFileSync(join(source, '.claude', 'history.jsonl'), 'old prompts');
    writeFileSync(join(source, '.claude', '.credentials.json'), 'token');
    const r = stageHome(source, target, ['.claude/settings.json', '.claude/CLAUDE.md'], dir);
    expect(r).toEqual({ staged: ['.claude/settings.json'], skipped: [] });
    expect(tree(target)).toEqual(['.claude/', '.claude/settings.json']);
    expect(readFileSync(join(target, '.claude', 'settings.json'), 'utf8')).toBe('{"a":1}');
    expect(statSync(target).mode & 0o777).toBe(0o700);
    expect(statSync(join(target, '.claude', 'settings.json')).mode & 0o777).toBe(0o600);
  });

  it('does not follow a symlink planted as the file', () => {
    symlinkSync(join(dir, 'host-secret'), join(source, '.claude', 'settings.json'));
    const r = stageHome(source, target, ['.claude/settings.json'], dir);
    expect(r.staged).toEqual([]);
    expect(r.skipped).toEqual([{ path: '.claude/settings.json', reason: 'it is a symlink' }]);
    expect(tree(target)).toEqual([]);
  });

  it('does not follow a symlink planted as a directory on the way', () => {
    rmSync(join(source, '.claude'), { recursive: true });
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'settings.json'), 'TOP SECRET');
    symlinkSync(join(dir, 'elsewhere'), join(source, '.claude'));
    const r = stageHome(source, target, ['.claude/settings.json'], dir);
    expect(r.skipped).toEqual([{ path: '.claude/settings.json', reason: '.claude is a symlink' }]);
    expect(tree(target)).toEqual([]);
  });

  it('skips a FIFO without blocking, a directory, and a file over the size bound', () => {
    execFileSync('mkfifo', [join(source, '.claude', 'settings.json')]);
    mkdirSync(join(source, '.claude', 'CLAUDE.md'));
    writeFileSync(join(source, 'big'), Buffer.alloc(MAX_STAGED_BYTES + 1));
    const r = stageHome(source, target, ['.claude/settings.json', '.claude/CLAUDE.md', 'big'], dir);
    expect(r.staged).toEqual([]);
    expect(r.skipped.map((s) => s.reason)).toEqual([
      'it is not a regular file',
      'it is not a regular file',
      `it is larger than ${MAX_STAGED_BYTES} bytes`,
    ]);
  });

  it('a missing source home stages nothing, and a fresh home that exists already is an error', () => {
    expect(stageHome(join(dir, 'none'), target, ['.claude/settings.json'], dir)).toEqual({
      staged: [],
      skipped: [],
    });
    expect(() => stageHome(source, target, [], dir)).toThrow(/EEXIST/);
  });

  it('refuses a file whose directory became a symlink after the walk (the kernel opened it elsewhere)', () => {
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'settings.json'), 'TOP SECRET');
    symlinkSync(join(dir, 'elsewhere'), join(source, 'swapped'));
    const asWalked = join(source, 'swapped', 'settings.json');
    expect(readBounded(asWalked, asWalked)).toBe('a directory on its path changed while it was read');
    const real = join(dir, 'elsewhere', 'settings.json');
    expect(String(readBounded(real, real))).toBe('TOP SECRET');
  });

  it('only plain home-relative paths', () => {
    expect(isPlainHomePath('.claude/settings.json')).toBe(true);
    for (const bad of ['', '/etc/passwd', '../x', '.claude/../../x', 'a//b', './a']) {
      expect(isPlainHomePath(bad)).toBe(false);
    }
    expect(stageHome(source, target, ['../host-secret'], dir).skipped).toEqual([
      { path: '../host-secret', reason: 'not a plain home-relative path' },
    ]);
  });
});
