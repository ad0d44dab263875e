import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requireHome } from '../../../src/host/home.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ags-home-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const exists = { mustExist: true };

describe('requireHome', () => {
  it('takes $HOME when it is an existing directory', () => {
    expect(requireHome({ HOME: tmp }, exists, () => '/elsewhere')).toBe(tmp);
  });

  it('without $HOME, takes the password database entry', () => {
    expect(requireHome({}, exists, () => tmp)).toBe(tmp);
  });

  it('refuses a missing, empty, relative or non-directory home in one line (exit 2)', () => {
    const file = join(tmp, 'file');
    writeFileSync(file, '');
    const cases: Array<[NodeJS.ProcessEnv, () => string | null, string]> = [
      [{ HOME: join(tmp, 'gone') }, () => tmp, `HOME="${join(tmp, 'gone')}" does not exist`],
      [{ HOME: '' }, () => tmp, 'HOME="" is not an absolute path'],
      [{ HOME: 'rel' }, () => tmp, 'HOME="rel" is not an absolute path'],
      [{ HOME: file }, () => tmp, `HOME="${file}" is not a directory`],
      [
        {},
        () => '/nonexistent',
        'HOME is not set, and your home directory from the password database ("/nonexistent") does not exist',
      ],
      [{}, () => null, 'HOME is not set and your user has no home directory'],
    ];
    for (const [env, passwd, message] of cases) {
      expect(() => requireHome(env, exists, passwd)).toThrow(
        expect.objectContaining({ message, exitCode: 2, hint: expect.stringContaining('set HOME') }),
      );
    }
  });

  it('for commands that start no container, an absolute home need not exist', () => {
    expect(requireHome({ HOME: join(tmp, 'gone') }, { mustExist: false })).toBe(join(tmp, 'gone'));
    expect(() => requireHome({ HOME: 'rel' }, { mustExist: false })).toThrow('not an absolute path');
  });
});
