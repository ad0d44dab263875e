import {
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

  it('copies exactly the listed regular files, 0600 in a 0700 home; nothing else of the source', () => {
    writeFileSync(join(source, '.claude', 'settings.json'), '{"a":1}');
    writeFileSync(join(source, '.claude', 'history.jsonl'), 'old prompts');
    writeFileSync(join(source, '.claude', '.credentials.json'), 'token');
    const r = stageHome(source, target, ['.claude/settings.json', '.claude/CLAUDE.md']);
    expect(r).toEqual({ staged: ['.claude/settings.json'], skipped: [] });
    expect(tree(target)).toEqual(['.claude/', '.claude/settings.json']);
    expect(readFileSync(join(target, '.claude', 'settings.json'), 'utf8')).toBe('{"a":1}');
    expect(statSync(target).mode & 0o777).toBe(0o700);
    expect(statSync(join(target, '.claude', 'settings.json')).mode & 0o777).toBe(0o600);
  });

  it('does not follow a symlink planted as the file', () => {
    symlinkSync(join(dir, 'host-secret'), join(source, '.claude', 'settings.json'));
    const r = stageHome(source, target, ['.claude/settings.json']);
    expect(r.staged).toEqual([]);
    expect(r.skipped).toEqual([{ path: '.claude/settings.json', reason: 'it is a symlink' }]);
    expect(tree(target)).toEqual([]);
  });

  it('does not follow a symlink planted as a directory on the way', () => {
    rmSync(join(source, '.claude'), { recursive: true });
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'settings.json'), 'TOP SECRET');
    symlinkSync(join(dir, 'elsewhere'), join(source, '.claude'));
    const r = stageHome(source, target, ['.claude/settings.json']);
    expect(r.skipped).toEqual([{ path: '.claude/settings.json', reason: '.claude is a symlink' }]);
    expect(tree(target)).toEqual([]);
  });

  it('skips a FIFO without blocking, a directory, and a file over the size bound', () => {
    execFileSync('mkfifo', [join(source, '.claude', 'settings.json')]);
    mkdirSync(join(source, '.claude', 'CLAUDE.md'));
    writeFileSync(join(source, 'big'), Buffer.alloc(MAX_STAGED_BYTES + 1));
    const r = stageHome(source, target, ['.claude/settings.json', '.claude/CLAUDE.md', 'big']);
    expect(r.staged).toEqual([]);
    expect(r.skipped.map((s) => s.reason)).toEqual([
      'it is not a regular file',
      'it is not a regular file',
      `it is larger than ${MAX_STAGED_BYTES} bytes`,
    ]);
  });

  it('a missing source home stages nothing, and a fresh home that exists already is an error', () => {
    expect(stageHome(join(dir, 'none'), target, ['.claude/settings.json'])).toEqual({
      staged: [],
      skipped: [],
    });
    expect(() => stageHome(source, target, [])).toThrow(/EEXIST/);
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
    expect(stageHome(source, target, ['../host-secret']).skipped).toEqual([
      { path: '../host-secret', reason: 'not a plain home-relative path' },
    ]);
  });
});
