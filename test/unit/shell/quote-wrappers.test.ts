import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import { aliasProblem, aliasWords, defaultAliases } from '../../../src/shell/alias-set.js';
import { fishQuote, shQuote } from '../../../src/shell/quote.js';
import { WRAPPER_MARKER, planWrappers, renderWrapper, wrapperTarget } from '../../../src/shell/wrappers.js';

describe('quoting', () => {
  it('leaves plain words bare and single-quotes the rest, per shell', () => {
    expect(shQuote('--agent')).toBe('--agent');
    expect(shQuote('')).toBe("''");
    expect(shQuote('=x')).toBe("'=x'");
    expect(shQuote('~')).toBe("'~'");
    expect(shQuote("it's $x")).toBe(`'it'\\''s $x'`);
    expect(shQuote('a\\b')).toBe(`'a\\b'`);
    expect(fishQuote("it's")).toBe(`'it\\'s'`);
    expect(fishQuote('a\\b')).toBe(`'a\\\\b'`);
    expect(fishQuote('$x (y) {z} *')).toBe(`'$x (y) {z} *'`);
  });
});

describe('the alias set', () => {
  const program = buildProgram([], () => {});
  it('defaults to one per agent, read from the program (lockdown variants only when --lockdown exists)', () => {
    const names = defaultAliases(program).map((a) => a.name);
    expect(names).toContain('ags-claude');
    expect(names).toContain('ags-shell');
    const lockdown = program.options.some((o) => o.long === '--lockdown');
    expect(names.includes('ags-claude-locked')).toBe(lockdown);
  });
  it('ends with -- before the user words, unless the alias has its own', () => {
    expect(aliasWords('/a', { name: 'x', args: ['--agent', 'pi'] })).toEqual(['/a', '--agent', 'pi', '--']);
    expect(aliasWords('/a', { name: 'x', args: ['--agent', 'pi', '--', '-p'] })).toEqual([
      '/a',
      '--agent',
      'pi',
      '--',
      '-p',
    ]);
  });
  it('refuses names with path separators, shell characters or a leading dash, and args without --agent', () => {
    for (const name of ['a/b', '-x', '.x', 'a b', 'a;b', '$(id)', 'a`b`', "a'b", 'a*', '']) {
      expect(aliasProblem({ name, args: ['--agent', 'pi'] }), name).toMatch(/must be a command name/);
    }
    expect(aliasProblem({ name: 'ok-1.2_x+y', args: ['--agent=pi'] })).toBeNull();
    expect(aliasProblem({ name: 'x', args: ['--', '--agent', 'pi'] })).toMatch(/must choose the agent/);
  });
});

describe('wrappers', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));
  const alias = { name: 'w', args: ['--agent', 'shell'] };

  it('are sh scripts with the marker on line 2 that exec the launcher with "$@" after --', () => {
    expect(renderWrapper('/x y/ags.js', alias)).toBe(
      `#!/bin/sh\n${WRAPPER_MARKER}\nexec '/x y/ags.js' --agent shell -- "$@"\n`,
    );
  });

  it("tell ags's own files from others without following symlinks", () => {
    const d = mkdtempSync(join(tmpdir(), 'ags-wrappers-'));
    dir = d;
    const mine = join(d, 'mine');
    writeFileSync(mine, renderWrapper('/a', alias));
    writeFileSync(join(d, 'theirs'), '#!/bin/sh\necho hi\n');
    symlinkSync(mine, join(d, 'link'));
    mkdirSync(join(d, 'sub'));
    expect(wrapperTarget(mine).kind).toBe('managed');
    expect(wrapperTarget(join(d, 'theirs'))).toEqual({ kind: 'unmanaged', why: 'not made by ags' });
    expect(wrapperTarget(join(d, 'link'))).toEqual({ kind: 'unmanaged', why: 'a symbolic link' });
    expect(wrapperTarget(join(d, 'sub'))).toEqual({ kind: 'unmanaged', why: 'a directory' });
    expect(wrapperTarget(join(d, 'none'))).toEqual({ kind: 'absent' });
  });

  it('are planned: created, updated, unchanged, skipped unless --force, never over a directory', () => {
    const content = renderWrapper('/a', alias);
    const states = {
      '/d/new': { kind: 'absent' as const },
      '/d/same': { kind: 'managed' as const, content },
      '/d/old': { kind: 'managed' as const, content: 'old' },
      '/d/theirs': { kind: 'unmanaged' as const, why: 'not made by ags' },
      '/d/dir': { kind: 'unmanaged' as const, why: 'a directory' },
    };
    const names = Object.keys(states).map((p) => ({ ...alias, name: p.slice(3) }));
    const plan = (force: boolean) =>
      planWrappers('/d', names, '/a', force, (p) => states[p as keyof typeof states]).map(
        (s) => `${s.name}:${s.action}`,
      );
    expect(plan(false)).toEqual([
      'new:created',
      'same:unchanged',
      'old:updated',
      'theirs:skipped',
      'dir:skipped',
    ]);
    expect(plan(true)).toEqual([
      'new:created',
      'same:unchanged',
      'old:updated',
      'theirs:replaced',
      'dir:skipped',
    ]);
  });
});
