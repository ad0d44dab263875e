import { quoteText } from '../util/terminal-text.js';
import { isTable } from './merge.js';
import { displayPath } from './positions.js';

/** The most characters one rendered value (a list or table with everything in it) takes on a line. */
export const MAX_SHOWN_VALUE = 400;

/**
 * A config value on one line, TOML-like (`"text"`, `[1, 2]`, `{ a = "b" }`), safe for a terminal: strings
 * are escaped and quoted, long strings are cut, and a long list or table ends with how many entries were left
 * out. Whatever a file holds, the result stays near `max` characters.
 */
export function showValue(value: unknown, max = MAX_SHOWN_VALUE): string {
  if (typeof value === 'string') return quoteText(value, Math.min(max, 200));
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value))
    return `[${showEntries(
      value.map((v) => (m: number) => showValue(v, m)),
      max,
    )}]`;
  if (isTable(value)) {
    const entries = Object.entries(value).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    const parts = entries.map(
      ([k, x]) =>
        (m: number) =>
          `${displayPath([k])} = ${showValue(x, m)}`,
    );
    return `{ ${showEntries(parts, max)} }`;
  }
  return String(value);
}

/** Joins rendered entries with ", " until `max` is spent; the rest is counted. */
function showEntries(parts: ((max: number) => string)[], max: number): string {
  const shown: string[] = [];
  let used = 0;
  for (const [i, part] of parts.entries()) {
    const text = part(Math.max(max - used, 20));
    if (i > 0 && used + text.length > max) {
      shown.push(`... ${parts.length - i} more`);
      break;
    }
    shown.push(text);
    used += text.length + 2;
  }
  return shown.join(', ');
}
