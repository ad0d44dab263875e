import { realpathSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { escapeText } from '../util/terminal-text.js';

const strict = new TextDecoder('utf-8', { fatal: true });

/** `bytes` as one printable line: a byte that is not part of valid UTF-8 as \xNN, a control character escaped. */
function showBytes(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!;
    const len = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    try {
      out += escapeText(strict.decode(bytes.subarray(i, i + len)));
      i += len;
    } catch {
      out += `\\x${lead.toString(16).padStart(2, '0')}`;
      i += 1;
    }
  }
  return out;
}

/**
 * The real path of the current directory. Node hands paths over as UTF-8 text; a directory whose name is not
 * valid UTF-8 would come back with replacement characters, naming a directory that does not exist, so it is
 * refused in one line instead.
 */
export function currentDirectory(): string {
  process.cwd(); // a deleted current directory fails here, as main() expects (uv_cwd)
  const bytes = realpathSync.native('.', { encoding: 'buffer' });
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    throw new UsageError(
      `the path of the current directory is not valid UTF-8 (${showBytes(bytes)}); ags cannot mount it`,
      'rename the directory (or the one above it with such a name) to a UTF-8 name, or run ags elsewhere',
    );
  }
  return text;
}
