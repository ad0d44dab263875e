import { describe, expect, it } from 'vitest';
import { formatPath, keyPositions } from '../../../src/config/positions.js';

const SRC = `# comment
title = "x" # trailing
[sandbox]
image = "a"
passthrough_env = [
  "A",
  "B", # why
]
"quoted.key" = 1

[[mount]]
host = "/a"

[[mount]]
  host = '/b'
  when = ["claude", "pi"]

[agents.claude]
env = { FOO = "1", BAR = { deep = true } }
runtime.pids_limit = 3

[[tool]]
name = "a"
[[tool.directory]]
host = "/x"
[[tool]]
name = "b"
[[tool.directory]]
host = "/y"
[[tool.directory]]
host = "/z"
s = """
[not.a.table]
"""
after = 'ok'
`;

describe('the TOML key locator', () => {
  const map = keyPositions(SRC);
  const at = (path: (string | number)[]) => {
    const p = map.get(path);
    return p ? `${p.line}:${p.col}` : undefined;
  };

  it('formats paths the way messages print them', () => {
    expect(formatPath(['mount', 2, 'host'])).toBe('mount[2].host');
    expect(formatPath(['agents', 'claude', 'env', 'A.B'])).toBe('agents.claude.env."A.B"');
  });

  it('finds top-level keys, table headers and keys in tables', () => {
    expect(at(['title'])).toBe('2:1');
    expect(at(['sandbox'])).toBe('3:1');
    expect(at(['sandbox', 'image'])).toBe('4:1');
    expect(at(['sandbox', 'quoted.key'])).toBe('9:1');
  });

  it('finds elements of multi-line arrays', () => {
    expect(at(['sandbox', 'passthrough_env', 0])).toBe('6:3');
    expect(at(['sandbox', 'passthrough_env', 1])).toBe('7:3');
  });

  it('counts [[array]] entries and finds keys inside each', () => {
    expect(at(['mount', 0])).toBe('11:1');
    expect(at(['mount', 0, 'host'])).toBe('12:1');
    expect(at(['mount', 1])).toBe('14:1');
    expect(at(['mount', 1, 'host'])).toBe('15:3');
    expect(at(['mount', 1, 'when', 1])).toBe('16:21');
  });

  it('finds keys of inline tables, nested ones too, and dotted keys under a header', () => {
    expect(at(['agents', 'claude', 'env', 'FOO'])).toBe('19:9');
    expect(at(['agents', 'claude', 'env', 'BAR', 'deep'])).toBe('19:28');
    expect(at(['agents', 'claude', 'runtime', 'pids_limit'])).toBe('20:1');
  });

  it('indexes nested arrays of tables per parent entry', () => {
    expect(at(['tool', 0, 'directory', 0, 'host'])).toBe('25:1');
    expect(at(['tool', 1, 'directory', 0, 'host'])).toBe('29:1');
    expect(at(['tool', 1, 'directory', 1, 'host'])).toBe('31:1');
  });

  it('is not fooled by headers inside multi-line strings', () => {
    expect(at(['not'])).toBeUndefined();
    expect(at(['tool', 1, 'directory', 1, 'after'])).toBe('35:1');
  });

  it('falls back to the nearest ancestor, then to 1:1', () => {
    expect(map.locate(['mount', 1, 'mode'])).toEqual({ line: 14, col: 1 });
    expect(map.locate(['network', 'mode'])).toEqual({ line: 1, col: 1 });
  });

  it('handles CRLF line ends and a byte-order mark', () => {
    const m = keyPositions('\uFEFF[sandbox]\r\nimage = "x"\r\n\r\n[[mount]]\r\nhost = "/a"\r\n');
    expect(m.get(['sandbox'])).toEqual({ line: 1, col: 1 });
    expect(m.get(['sandbox', 'image'])).toEqual({ line: 2, col: 1 });
    expect(m.get(['mount', 0, 'host'])).toEqual({ line: 5, col: 1 });
  });

  it('does not hang on garbage', () => {
    expect(() => keyPositions('}}]] = = ,,, [[ \n {')).not.toThrow();
  });
});
