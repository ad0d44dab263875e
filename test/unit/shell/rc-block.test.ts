import { describe, expect, it } from 'vitest';
import {
  BLOCK_BEGIN,
  BLOCK_END,
  aliasLines,
  findBlock,
  withBlock,
  withoutBlock,
} from '../../../src/shell/rc-block.js';

const LINES = ['alias a=b', 'alias c=d'];
const block = (lines = LINES) => [BLOCK_BEGIN, ...lines, BLOCK_END].join('\n');

describe('the rc block', () => {
  it('is appended after a file that ends in a line break, and removed back to the same bytes', () => {
    const before = 'export X=1\n# mine\n';
    const after = withBlock(before, LINES);
    expect(after).toBe(`${before}${block()}\n`);
    expect(withoutBlock(after)).toBe(before);
  });

  it('gets a line break before it after a last line without one, and removing it takes that away too', () => {
    const before = 'export X=1';
    const after = withBlock(before, LINES);
    expect(after).toBe(`export X=1\n${block()}`);
    expect(withoutBlock(after)).toBe(before);
  });

  it('in an empty file: removed back to empty; in a file ags created: the file goes (null)', () => {
    expect(withoutBlock(withBlock('', LINES))).toBe('');
    const created = withBlock(null, LINES);
    expect(created.split('\n')[0]).toBe(`${BLOCK_BEGIN} (ags created this file)`);
    expect(withoutBlock(created)).toBeNull();
    // the user added lines of their own since: the file stays, with them
    expect(withoutBlock(`${created}export MINE=1\n`)).toBe('export MINE=1\n');
  });

  it('is replaced in place, keeping what surrounds it, and unchanged text stays byte-identical', () => {
    const file = `a\n${block()}\nz\n`;
    expect(withBlock(file, LINES)).toBe(file);
    expect(withBlock(file, ['alias n=m'])).toBe(`a\n${block(['alias n=m'])}\nz\n`);
    expect(withoutBlock(file)).toBe('a\nz\n');
    const created = withBlock(null, LINES);
    expect(withBlock(created, LINES)).toBe(created);
  });

  it('refuses a begin marker without its end, a second block, and an end without a begin', () => {
    expect(() => findBlock(`${BLOCK_BEGIN}\nalias a=b\n`)).toThrow(/line 1 has no end marker/);
    expect(() => findBlock(`${block()}\n${block()}\n`)).toThrow(/second begin marker/);
    expect(() => findBlock(`x\n${BLOCK_END}\n`)).toThrow(/without its begin, on line 2/);
    expect(withoutBlock('no block here\n')).toBe('no block here\n');
  });
});

describe('alias lines', () => {
  const alias = { name: 'ags-x', args: ['--agent', 'shell', '--', "it's $HOME", 'a\\b'] };
  it('bash and zsh: the words quoted, then the whole value quoted again', () => {
    expect(aliasLines('bash', '/opt/ags/bin/ags.js', [alias])).toEqual([
      `alias ags-x='/opt/ags/bin/ags.js --agent shell -- '\\''it'\\''\\'\\'''\\''s $HOME'\\'' '\\''a\\b'\\'''`,
    ]);
  });
  it('fish: a function passing $argv, words in fish quotes', () => {
    expect(aliasLines('fish', '/opt/ags/bin/ags.js', [alias])).toEqual([
      `function ags-x; /opt/ags/bin/ags.js --agent shell -- 'it\\'s $HOME' 'a\\\\b' $argv; end`,
    ]);
  });
});
