/**
 * Text from files ags did not write (a repo overlay, a config file, a path) shown on a terminal. A terminal
 * acts on control characters (ESC starts cursor moves, line clears and OSC titles; CR and BS overwrite what
 * was printed), and bidi overrides and zero-width characters make text read differently from what it is.
 * Every such character is shown as a visible escape instead, and long text is cut with a note saying so.
 */

/**
 * C0, DEL and C1 controls (Cc), format characters such as bidi overrides and zero-width joiners (Cf), the line
 * and paragraph separators, lone surrogates, and the invisible fillers and joiners that are letters or marks.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u034f\u115f\u1160\u3164\uffa0]/u;

/** The longest value, in characters of output, shown before it is cut. */
export const MAX_VALUE = 200;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** One character as a visible escape: `\n`, `\x1b`, `\u202e`, `\u{e0041}`. */
function escapeChar(ch: string): string {
  const short = SHORT[ch];
  if (short) return short;
  const code = ch.codePointAt(0)!;
  if (code < 0x100) return `\\x${hex(code, 2)}`;
  if (code < 0x10000) return `\\u${hex(code, 4)}`;
  return `\\u{${hex(code, 1)}}`;
}

function cutNote(n: number): string {
  return `... [cut: ${n} more character${n === 1 ? '' : 's'}]`;
}

/** The escaped text, at most `max` characters of it, and how many characters of the input did not fit. */
function render(text: string, max: number, quote: boolean): { body: string; left: number } {
  let body = '';
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const piece = ch === '\\' || (quote && ch === '"') ? `\\${ch}` : UNSAFE.test(ch) ? escapeChar(ch) : ch;
    if (body.length + piece.length > max) return { body, left: chars.length - i };
    body += piece;
  }
  return { body, left: 0 };
}

/**
 * `text` made safe to print: every control, format or invisible character escaped (`\x1b`, `\u202e`), a
 * backslash doubled so that an escape is never ambiguous, and at most `max` characters of it, with a note
 * of how much was cut.
 */
export function escapeText(text: string, max = MAX_VALUE): string {
  const { body, left } = render(text, max, false);
  return left > 0 ? `${body}${cutNote(left)}` : body;
}

/** `text` in double quotes, escaped as by escapeText (and `"` as `\"`); a cut is noted after the quote. */
export function quoteText(text: string, max = MAX_VALUE): string {
  const { body, left } = render(text, max, true);
  return left > 0 ? `"${body}"${cutNote(left)}` : `"${body}"`;
}

/**
 * The last line of defence for a whole message that may already hold escaped parts: escapes only the
 * characters a terminal would act on (backslashes stay), so applying it twice changes nothing.
 */
export function scrubText(text: string): string {
  return UNSAFE.test(text) ? [...text].map((ch) => (UNSAFE.test(ch) ? escapeChar(ch) : ch)).join('') : text;
}

/** At most `max` lines; the rest are counted on one last line made by `more(n)`. */
export function boundLines(lines: readonly string[], max: number, more: (n: number) => string): string[] {
  if (lines.length <= max) return [...lines];
  return [...lines.slice(0, max - 1), more(lines.length - (max - 1))];
}

/** UNSAFE without C0: JSON.stringify escapes C0 in strings itself, and its own line breaks must stay. */
const UNSAFE_IN_JSON = /[\x7f-\x9f\p{Cf}\p{Zl}\p{Zp}\u034f\u115f\u1160\u3164\uffa0]/gu;

/**
 * JSON.stringify, with the characters it leaves raw (DEL, C1 controls, bidi and zero-width characters) written
 * as `\uXXXX` escapes: the same JSON value, safe on a terminal.
 */
export function safeJson(value: unknown, space?: number): string {
  // a character outside the BMP is written as its UTF-16 surrogate pair, as JSON requires
  return JSON.stringify(value, null, space).replace(UNSAFE_IN_JSON, (ch) =>
    Array.from({ length: ch.length }, (_, i) => `\\u${hex(ch.charCodeAt(i), 4)}`).join(''),
  );
}
