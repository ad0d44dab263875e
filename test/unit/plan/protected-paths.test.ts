import { describe, expect, it } from 'vitest';
import type { ProtectedEntry } from '../../../src/host/protected-facts.js';
import { protectedMounts, protectionWarnings } from '../../../src/plan/protected-paths.js';
import type { Mount } from '../../../src/plan/types.js';

const ws: Mount = { source: '/w', target: '/w', mode: 'rw', why: 'workdir', showInHint: false };
const ph = { dir: '/s/empty.d', file: '/s/empty', gitignore: '/s/gitignore', commondir: '/s/commondir' };
const on = { git: true, agentConfig: true };
const e = (
  path: string,
  kind: ProtectedEntry['kind'],
  extra: Partial<ProtectedEntry> = {},
): ProtectedEntry => ({
  path,
  group: 'git',
  kind,
  placeholder: 'file',
  what: 'x',
  ...extra,
});

describe('read-only mounts over what the host runs later', () => {
  it('covers existing paths with themselves, absent ones with a placeholder, and pins the git dir first', () => {
    const mounts = protectedMounts(
      [
        e('/w/.git/config', 'file'),
        e('/w/.git/hooks', 'absent', { placeholder: 'dir' }),
        e('/w/.git', 'dir', { pin: true }),
        e('/w/.claude', 'dir', { group: 'agent-config' }),
        e('/w/.envrc', 'absent', { group: 'agent-config', placeholder: 'dir' }),
      ],
      [ws],
      on,
      ph,
    );
    expect(mounts.map((m) => [m.source, m.target, m.mode])).toEqual([
      ['/w/.git', '/w/.git', 'rw'],
      ['/w/.git/config', '/w/.git/config', 'ro'],
      ['/s/empty.d', '/w/.git/hooks', 'ro'],
      ['/w/.claude', '/w/.claude', 'ro'],
      ['/s/empty.d', '/w/.envrc', 'ro'],
    ]);
  });

  it('maps a path into every read-write mount that shows it, and none into a read-only one or none at all', () => {
    const other: Mount = {
      source: '/w',
      target: '/elsewhere',
      mode: 'rw',
      why: 'config [[mount]]',
      showInHint: true,
    };
    const ro: Mount = { source: '/r', target: '/r', mode: 'ro', why: 'config [[mount]]', showInHint: true };
    const mounts = protectedMounts(
      [e('/w/.git/config', 'file'), e('/r/.git/config', 'file'), e('/x/.git/config', 'file')],
      [ws, other, ro],
      on,
      ph,
    );
    expect(mounts.map((m) => [m.target, m.mode])).toEqual([
      ['/w/.git', 'rw'],
      ['/elsewhere/.git', 'rw'],
      ['/w/.git/config', 'ro'],
      ['/elsewhere/.git/config', 'ro'],
    ]);
  });

  it('pins every directory between the mount top and a protected path once, outermost first, so none can be renamed', () => {
    const sub: Mount = {
      source: '/d',
      target: '/w/vendor/x',
      mode: 'rw',
      why: '--add-dir',
      showInHint: true,
    };
    const mounts = protectedMounts(
      [
        e('/w/vendor/lib/.git/config', 'file'),
        e('/w/vendor/lib/.git/hooks', 'dir'),
        e('/w/scripts/ci/check.sh', 'file'),
        // absent, and so is the directory above it: ags makes that directory, and it is pinned too
        e('/w/pkg/.claude/settings.json', 'absent', { existingParent: '/w/pkg' }),
        // absent below a file: no mount point can be made, nothing to pin
        e('/w/README/x.sh', 'absent'),
        // shown by the --add-dir mount, not the workspace: its pins come from that mount
        e('/w/vendor/x/y/.envrc', 'file'),
        e('/d/y/.envrc', 'file'),
      ],
      [ws, sub],
      on,
      ph,
    );
    expect(mounts.filter((m) => m.mode === 'rw').map((m) => [m.source, m.target])).toEqual([
      ['/w/vendor', '/w/vendor'],
      ['/w/scripts', '/w/scripts'],
      ['/w/pkg', '/w/pkg'],
      ['/w/vendor/lib', '/w/vendor/lib'],
      ['/w/scripts/ci', '/w/scripts/ci'],
      ['/w/pkg/.claude', '/w/pkg/.claude'],
      ['/w/vendor/lib/.git', '/w/vendor/lib/.git'],
      ['/d/y', '/w/vendor/x/y'],
    ]);
  });

  it('pins no directory that is read-only itself or lies in one (a file a lefthook config names in .lefthook/)', () => {
    const mounts = protectedMounts(
      [e('/w/.lefthook', 'dir'), e('/w/.lefthook/pre-commit/x.sh', 'file')],
      [ws],
      on,
      ph,
    );
    expect(mounts.map((m) => [m.target, m.mode])).toEqual([
      ['/w/.lefthook', 'ro'],
      ['/w/.lefthook/pre-commit/x.sh', 'ro'],
    ]);
  });

  it('turned off per group: nothing of that group is covered, and the run says so', () => {
    const entries = [e('/w/.git/config', 'file'), e('/w/.claude', 'dir', { group: 'agent-config' })];
    expect(
      protectedMounts(entries, [ws], { git: false, agentConfig: true }, ph).map((m) => m.target),
    ).toEqual(['/w/.claude']);
    expect(
      protectedMounts(entries, [ws], { git: true, agentConfig: false }, ph).map((m) => m.target),
    ).toEqual(['/w/.git', '/w/.git/config']);
    expect(protectionWarnings(on)).toEqual([]);
    expect(protectionWarnings({ git: false, agentConfig: false })).toEqual([
      expect.stringContaining('git_config = "writable"'),
      expect.stringContaining('writable_agent_config = true'),
    ]);
  });

  it('refuses a read-write mount of a protected path itself, or of something inside it', () => {
    const hooks: Mount = {
      source: '/w/.git/hooks',
      target: '/h',
      mode: 'rw',
      why: '--add-dir',
      showInHint: true,
    };
    expect(() => protectedMounts([e('/w/.git/hooks', 'dir')], [ws, hooks], on, ph)).toThrow(
      /--add-dir \/w\/\.git\/hooks would make/,
    );
    const inside: Mount = {
      source: '/w/.claude/x',
      target: '/x',
      mode: 'rw',
      why: '--add-dir',
      showInHint: true,
    };
    expect(() =>
      protectedMounts([e('/w/.claude', 'dir', { group: 'agent-config' })], [ws, inside], on, ph),
    ).toThrow(/would make \/w\/\.claude/);
    // read-only is fine, and so is a -d of the pinned git dir (its contents are covered where it is mounted)
    expect(() =>
      protectedMounts([e('/w/.git/hooks', 'dir')], [ws, { ...hooks, mode: 'ro' }], on, ph),
    ).not.toThrow();
    const gitDir: Mount = {
      source: '/w/.git',
      target: '/w/.git',
      mode: 'rw',
      why: '--add-dir',
      showInHint: true,
    };
    expect(() => protectedMounts([e('/w/.git', 'dir', { pin: true })], [ws, gitDir], on, ph)).not.toThrow();
  });

  it('refuses a configured mount landing on or inside a covered path (it would sit on top)', () => {
    const onTop: Mount = {
      source: '/tmp/h',
      target: '/w/.git/hooks/post-checkout',
      mode: 'ro',
      why: 'config [[mount]]',
      showInHint: true,
    };
    expect(() => protectedMounts([e('/w/.git/hooks', 'dir')], [ws, onTop], on, ph)).toThrow(
      /would cover \/w\/\.git\/hooks/,
    );
  });

  it('refuses a protected path that is a symbolic link (it cannot be pinned) unless that protection is off', () => {
    const link = [e('/w/.git/hooks', 'symlink')];
    expect(() => protectedMounts(link, [ws], on, ph)).toThrow(/is a symbolic link/);
    expect(protectedMounts(link, [ws], { git: false, agentConfig: true }, ph)).toEqual([]);
  });
});
