import { checkFile, parseSource } from '../config/load.js';

const SANDBOX_HEADER = /^\s*\[sandbox\]\s*(#.*)?$/;

/**
 * The user config text with `key` added to `[sandbox] ssh_keys`, or null when ags cannot add it by itself:
 * `ssh_keys` is already set (ags does not rewrite your lists; it says what to add instead). A `[sandbox]`
 * table gets the line right after its header; without one, the table is appended. The result is checked
 * as a config before it is returned.
 */
export function withSshKey(text: string, key: string): string | null {
  const line = `ssh_keys = [${JSON.stringify(key)}]`;
  const lines = text.split('\n');
  if (lines.some((l) => /^\s*ssh_keys\s*=/.test(l) || /^\s*sandbox\.ssh_keys\s*=/.test(l))) return null;
  const header = lines.findIndex((l) => SANDBOX_HEADER.test(l));
  const next =
    header === -1
      ? `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}\n[sandbox]\n${line}\n`
      : [...lines.slice(0, header + 1), line, ...lines.slice(header + 1)].join('\n');
  try {
    checkFile(parseSource('config.toml', next), 'user');
  } catch {
    return null;
  }
  return next;
}
