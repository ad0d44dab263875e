import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  expandHome,
  resolveLexical,
  resolveReal,
  SensitivePaths,
  stripProcAliases,
} from '../../../guards/engine/paths.js';

const ctx = { cwd: '/work/ws', home: '/home/dev' };

describe('paths', () => {
  it('expands ~, ~user and $HOME', () => {
    expect(expandHome('~/.ssh', '/home/dev')).toBe('/home/dev/.ssh');
    expect(expandHome('$HOME/x', '/home/dev')).toBe('/home/dev/x');
    expect(expandHome('${HOME}', '/home/dev')).toBe('/home/dev');
    expect(expandHome('~root/x', '/home/dev')).toBe('/root/x');
    expect(expandHome('~bob', '/home/dev')).toBe('/home/bob');
    expect(expandHome('a/~', '/home/dev')).toBe('a/~');
  });

  it('resolves relative paths and .. against the cwd', () => {
    expect(resolveLexical('../../home/dev/.ssh/id_rsa', ctx)).toBe('/home/dev/.ssh/id_rsa');
    expect(resolveLexical('src/../.env', ctx)).toBe('/work/ws/.env');
  });

  it('resolves exactly as posix.resolve, also on its fast path for paths that need no normalizing', () => {
    const pieces = ['/', '.', '..', '//', 'a', 'b/', '...', '.env', 'x.', '-'];
    const cwds = ['/', '/work/ws', '/work/ws/', '/a/../b', '/x//y', '/w/.'];
    const all = [''];
    for (let n = 0; n < 3; n++) for (const s of all.splice(0)) for (const p of pieces) all.push(s, s + p);
    for (const p of new Set(all))
      for (const cwd of cwds)
        expect(resolveLexical(p, { cwd, home: '/h' }), `${cwd} ${p}`).toBe(posix.resolve(cwd, p));
  });

  it('sees through /proc/self/root and /proc/self/cwd', () => {
    expect(stripProcAliases('/proc/self/root/etc/shadow', '/w')).toBe('/etc/shadow');
    expect(stripProcAliases('/proc/123/cwd/.env', '/w')).toBe('/w/.env');
  });

  it('resolves symlinks through the deepest existing ancestor', () => {
    const links: Record<string, string> = { '/work/ws/link': '/home/dev/.ssh' };
    const fake = (p: string) => {
      if (links[p]) return links[p]!;
      if (p === '/work/ws' || p === '/work' || p === '/') return p;
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    expect(resolveReal('/work/ws/link/id_rsa', fake)).toBe('/home/dev/.ssh/id_rsa');
    expect(resolveReal('/work/ws/new/file', fake)).toBe('/work/ws/new/file');
  });

  it('follows real symlinks through the deepest existing ancestor of a missing path', () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ags-paths-')));
    try {
      mkdirSync(join(dir, 'target'));
      symlinkSync(join(dir, 'target'), join(dir, 'link'));
      symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
      expect(resolveReal(join(dir, 'link/new/file'))).toBe(join(dir, 'target/new/file'));
      expect(resolveReal(join(dir, 'link'))).toBe(join(dir, 'target'));
      expect(resolveReal(join(dir, 'dangling/x'))).toBe(join(dir, 'dangling/x'));
      expect(resolveReal(join(dir, 'missing/deeper/x'))).toBe(join(dir, 'missing/deeper/x'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('matches credential locations for any home, but not public keys or templates', () => {
    const s = new SensitivePaths('/home/dev', ['~/.secret-tool', '*.p12']);
    expect(s.match('/home/dev/.ssh/id_rsa')?.entry).toBe('~/.ssh');
    expect(s.match('/root/.aws/credentials')?.entry).toBe('~/.aws');
    expect(s.match('/home/other/.kube/config')?.entry).toBe('~/.kube');
    expect(s.match('/proc/42/environ')?.entry).toBe('/proc/*/environ');
    expect(s.match('/home/dev/.ssh/id_rsa.pub')).toBeNull();
    expect(s.match('/work/.env')?.kind).toBe('dotenv');
    expect(s.match('/work/.env.example')).toBeNull();
    expect(s.match('/work/.envrc')).toBeNull();
    expect(s.match('/home/dev/.secret-tool/x')?.entry).toBe('~/.secret-tool');
    expect(s.match('/work/cert.p12')?.entry).toBe('*.p12');
    expect(s.match('/work/ws/id_ed25519')?.entry).toBe('id_ed25519');
    expect(s.match('/work/ws/paid_users')).toBeNull();
  });

  it('knows which directories contain credentials', () => {
    const s = new SensitivePaths('/home/dev');
    expect(s.below('/')).not.toBeNull();
    expect(s.below('/home/dev')).not.toBeNull();
    expect(s.below('/work/ws')).toBeNull();
  });

  it('answers the same when asked again, for reads and writes apart (its prefilter and miss cache)', () => {
    const s = new SensitivePaths('/home/dev', ['*.p12']);
    for (let round = 0; round < 2; round++) {
      // a public key: a miss for reads, a hit for writes, whichever is asked first
      expect(s.match('/home/dev/.ssh/id_rsa.pub')).toBeNull();
      expect(s.match('/home/dev/.ssh/id_rsa.pub', true)?.entry).toBe('~/.ssh');
      expect(s.match('/work/ws/src/a.ts', true)).toBeNull();
      expect(s.match('/work/ws/src/a.ts')).toBeNull();
      expect(s.match('/work/ws/cert.p12')?.entry).toBe('*.p12');
      expect(s.match('/root/.aws/credentials')?.entry).toBe('~/.aws');
      expect(s.match('/work/ws/.env')?.kind).toBe('dotenv');
    }
    const t = new SensitivePaths('/home/dev');
    expect(t.match('/home/dev/.ssh/known_hosts', true)?.entry).toBe('~/.ssh');
    expect(t.match('/home/dev/.ssh/known_hosts')).toBeNull();
  });
});
