import { describe, expect, it } from 'vitest';
import { boundLines, escapeText, quoteText, safeJson, scrubText } from '../../../src/util/terminal-text.js';

// What a hostile repository puts in a string to redraw the terminal, and what ags must show instead: every
// character a terminal acts on, or that makes text read differently, as a visible and unambiguous escape.
const NASTY: [what: string, input: string, shown: string][] = [
  ['plain text', 'mount /home/me/x', 'mount /home/me/x'],
  ['printable non-ASCII', 'café 日本 😀', 'café 日本 😀'],
  ['a literal backslash', 'C:\\x1b', 'C:\\\\x1b'],
  ['CSI cursor up and clear line', '\x1b[1A\x1b[2K', '\\x1b[1A\\x1b[2K'],
  ['SGR conceal', '\x1b[8mhidden\x1b[0m', '\\x1b[8mhidden\\x1b[0m'],
  ['OSC window title, BEL-terminated', '\x1b]0;pwned\x07', '\\x1b]0;pwned\\x07'],
  ['OSC 52 clipboard, ST-terminated', '\x1b]52;c;Y3VybA==\x1b\\', '\\x1b]52;c;Y3VybA==\\x1b\\\\'],
  ['carriage return overwrite', 'rw\r  ro', 'rw\\r  ro'],
  ['backspaces', 'READ-WRITE\b\b\b\b\b\b\b\b\b\bread-only', 'READ-WRITE' + '\\x08'.repeat(10) + 'read-only'],
  ['newline and tab', 'a\nb\tc', 'a\\nb\\tc'],
  ['NUL', 'a\0b', 'a\\x00b'],
  ['DEL', 'a\x7fb', 'a\\x7fb'],
  ['C1 CSI (8-bit)', '\u009b2J', '\\x9b2J'],
  ['C1 OSC and ST', '\u009d0;t\u009c', '\\x9d0;t\\x9c'],
  ['NEL (C1 newline)', 'a\u0085b', 'a\\x85b'],
  ['bidi right-to-left override', 'ro\u202ewr', 'ro\\u202ewr'],
  ['bidi isolates', '\u2066x\u2067y\u2068z\u2069', '\\u2066x\\u2067y\\u2068z\\u2069'],
  ['bidi marks', '\u200e\u200f\u061c', '\\u200e\\u200f\\u061c'],
  ['bidi embeddings and pop', '\u202a\u202b\u202c\u202d', '\\u202a\\u202b\\u202c\\u202d'],
  [
    'zero-width space, joiners, word joiner',
    'a\u200bb\u200cc\u200dd\u2060e',
    'a\\u200bb\\u200cc\\u200dd\\u2060e',
  ],
  ['byte-order mark', '\ufeffx', '\\ufeffx'],
  ['soft hyphen', 'a\u00adb', 'a\\xadb'],
  ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
  ['Hangul fillers', '\u3164\u115f\uffa0', '\\u3164\\u115f\\uffa0'],
  ['combining grapheme joiner', 'a\u034fb', 'a\\u034fb'],
  ['a tag character outside the BMP', 'x\u{e0041}', 'x\\u{e0041}'],
  ['a lone surrogate', 'a\ud800b', 'a\\ud800b'],
];

describe('escapeText', () => {
  for (const [what, input, shown] of NASTY) {
    it(`${what}`, () => {
      expect(escapeText(input)).toBe(shown);
    });
  }

  it('leaves no character a terminal acts on, for any of them', () => {
    const all = NASTY.map(([, input]) => input).join('');
    expect(escapeText(all, 10_000)).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
  });

  it('cuts long text and says how much was cut', () => {
    expect(escapeText('a'.repeat(500), 10)).toBe('aaaaaaaaaa... [cut: 490 more characters]');
    expect(escapeText('ab', 1)).toBe('a... [cut: 1 more character]');
    expect(escapeText('a'.repeat(10), 10)).toBe('aaaaaaaaaa');
  });

  it('counts escapes against the bound and never cuts one in half', () => {
    expect(escapeText('\x1b'.repeat(10), 9)).toBe('\\x1b\\x1b... [cut: 8 more characters]');
  });

  it('cuts a 400 KB line to the default bound', () => {
    const shown = escapeText('x'.repeat(400_000));
    expect(shown).toBe(`${'x'.repeat(200)}... [cut: 399800 more characters]`);
  });
});

describe('quoteText', () => {
  it('quotes, escapes the quote, and puts a cut after the closing quote', () => {
    expect(quoteText('say "hi"\x1b')).toBe('"say \\"hi\\"\\x1b"');
    expect(quoteText('abcdef', 3)).toBe('"abc"... [cut: 3 more characters]');
  });
});

describe('scrubText', () => {
  it('escapes controls but keeps backslashes, so it can be applied to escaped text again', () => {
    expect(scrubText('path\\x \x1b[2K')).toBe('path\\x \\x1b[2K');
    for (const [, input] of NASTY) {
      expect(scrubText(scrubText(input))).toBe(scrubText(input));
      expect(scrubText(escapeText(input))).toBe(escapeText(input));
    }
  });
});

describe('boundLines', () => {
  it('keeps short lists and counts the rest of long ones on the last line', () => {
    expect(boundLines(['a', 'b'], 2, (n) => `+${n}`)).toEqual(['a', 'b']);
    expect(boundLines(['a', 'b', 'c', 'd'], 3, (n) => `+${n}`)).toEqual(['a', 'b', '+2']);
  });
});

describe('safeJson', () => {
  it('is the same JSON value, with every unsafe character escaped and the layout kept', () => {
    const value = { s: NASTY.map(([, input]) => input), n: 1, nested: { k: '\u202e' } };
    const text = safeJson(value, 2);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toContain('\n  "n": 1');
    expect(text).toContain('"k": "\\u202e"');
    expect(text).toContain('\\u009b2J');
    expect(text).toContain('\\udb40\\udc41');
    // the only raw control characters left are the layout's own line breaks
    expect(text.replace(/\n/g, '')).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
  });
});
