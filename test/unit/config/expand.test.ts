import { describe, expect, it } from 'vitest';
import { expandString, expansionEnv } from '../../../src/config/expand.js';

const env = { HOME: '/home/u', FOO: 'foo', EMPTY: '' };

describe('path expansion', () => {
  it('expands ~, $VAR and ${VAR}', () => {
    expect(expandString('~', env)).toEqual({ ok: true, value: '/home/u' });
    expect(expandString('~/a', env)).toEqual({ ok: true, value: '/home/u/a' });
    expect(expandString('/x/$FOO/${FOO}bar', env)).toEqual({ ok: true, value: '/x/foo/foobar' });
    expect(expandString('$EMPTY/x', env)).toEqual({ ok: true, value: '/x' });
  });

  it('keeps $$ as a literal $ and a lone $ as it is', () => {
    expect(expandString('/a$$b/$/c$', env)).toEqual({ ok: true, value: '/a$b/$/c$' });
  });

  it('does not expand ~ in the middle of a path', () => {
    expect(expandString('/a/~/b', env)).toEqual({ ok: true, value: '/a/~/b' });
  });

  it('rejects undefined variables, ~user, and broken ${', () => {
    expect(expandString('$NOPE/x', env)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('$NOPE'),
    });
    expect(expandString('${NOPE}', env)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('$NOPE'),
    });
    expect(expandString('~bob/x', env)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('~user'),
    });
    expect(expandString('${FOO', env)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('unclosed'),
    });
    expect(expandString('${1X}', env)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('invalid'),
    });
  });

  it('always defines HOME and the XDG directories, with their XDG defaults', () => {
    const e = expansionEnv({ HOME: '/h', XDG_CACHE_HOME: '/c', XDG_DATA_HOME: 'relative' });
    expect(e.XDG_CACHE_HOME).toBe('/c');
    expect(e.XDG_DATA_HOME).toBe('/h/.local/share');
    expect(e.XDG_CONFIG_HOME).toBe('/h/.config');
    expect(e.XDG_STATE_HOME).toBe('/h/.local/state');
  });
});
