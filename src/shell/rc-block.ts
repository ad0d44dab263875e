import type { Alias } from '../config/schema.js';
import { aliasWords } from './alias-set.js';
import { type ShellName, fishQuote, shQuote } from './quote.js';

export const BLOCK_BEGIN =
  '# >>> ags aliases >>> written by `ags create-aliases`; `ags remove-aliases` removes it';
export const BLOCK_END = '# <<< ags aliases <<<';
/** Ends the begin line when ags created the rc file for the block, so removing the block removes the file. */
const CREATED_NOTE = ' (ags created this file)';

/** The alias lines for one shell, without the markers. */
export function aliasLines(shell: ShellName, launcher: string, aliases: readonly Alias[]): string[] {
  return aliases.map((alias) => {
    const words = aliasWords(launcher, alias);
    if (shell === 'fish') return `function ${alias.name}; ${words.map(fishQuote).join(' ')} $argv; end`;
    // the alias's value is shell text read again at each use: its words quoted, then the whole quoted once more
    return `alias ${alias.name}=${shQuote(words.map(shQuote).join(' '))}`;
  });
}

interface Found {
  /** Offset of the begin line's first character. */
  start: number;
  /** Offset just past the end marker (its line break not included). */
  end: number;
  created: boolean;
}

export class RcBlockError extends Error {}

/** Where ags's block is in `content`, or null; a begin marker without its end (or a second block) is refused. */
export function findBlock(content: string): Found | null {
  const lines = content.split('\n');
  let offset = 0;
  let found: Found | null = null;
  let open: { start: number; created: boolean; line: number } | null = null;
  lines.forEach((line, i) => {
    if (line.startsWith('# >>> ags aliases >>>')) {
      if (open || found)
        throw new RcBlockError(`a second begin marker of ags's alias block on line ${i + 1}`);
      open = { start: offset, created: line.endsWith(CREATED_NOTE), line: i + 1 };
    } else if (line === BLOCK_END) {
      if (!open)
        throw new RcBlockError(`an end marker of ags's alias block without its begin, on line ${i + 1}`);
      found = { start: open.start, end: offset + line.length, created: open.created };
      open = null;
    }
    offset += line.length + 1;
  });
  if (open) {
    throw new RcBlockError(
      `the begin marker of ags's alias block on line ${(open as { line: number }).line} has no end marker (${BLOCK_END})`,
    );
  }
  return found;
}

/**
 * `content` (null: no such file) with ags's block holding `lines`: replaced in place when there is one, else
 * appended. The result equals `content` when the block is already so.
 */
export function withBlock(content: string | null, lines: readonly string[]): string {
  const body = (created: boolean) =>
    [BLOCK_BEGIN + (created ? CREATED_NOTE : ''), ...lines, BLOCK_END].join('\n');
  if (content === null) return `${body(true)}\n`;
  const found = findBlock(content);
  if (found) return content.slice(0, found.start) + body(found.created) + content.slice(found.end);
  if (content === '') return `${body(false)}\n`;
  // a last line without its line break gets one before the block, and the block none after: removing the
  // block takes both away again, so the file is back byte for byte
  return content.endsWith('\n') ? `${content}${body(false)}\n` : `${content}\n${body(false)}`;
}

/** `content` without ags's block, exactly as it was before the block was added; null: delete the file. */
export function withoutBlock(content: string): string | null {
  const found = findBlock(content);
  if (!found) return content;
  let before = content.slice(0, found.start);
  let after = content.slice(found.end);
  if (after.startsWith('\n')) after = after.slice(1);
  else if (before.endsWith('\n')) before = before.slice(0, -1);
  const rest = before + after;
  return rest === '' && found.created ? null : rest;
}
