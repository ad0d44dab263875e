import { checkFile, parseSource } from '../config/load.js';

const SANDBOX_HEADER = /^\s*\[sandbox\]\s*(#.*)?$/;

/**
 * The user config text with `[sandbox] <key> = <value>` added, or null when ags cannot add it by itself: the key
 * is already set (ags does not rewrite your settings; it says what to add instead). A `[sandbox]` table gets the
 * line right after its header; without one, the table is appended. The result is checked as a config before it
 * is returned.
 */
function withSandboxSetting(text: string, key: string, value: string): string | null {
  const line = `${key} = ${value}`;
  const lines = text.split('\n');
  const setsKey = new RegExp(`^\\s*(sandbox\\.)?${key}\\s*=`);
  if (lines.some((l) => setsKey.test(l))) return null;
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

/** `key` added to `[sandbox] ssh_keys` (only when ssh_keys is not set yet). */
export function withSshKey(text: string, key: string): string | null {
  return withSandboxSetting(text, 'ssh_keys', `[${JSON.stringify(key)}]`);
}

/** `[sandbox] signing_key = key` (only when signing_key is not set yet). */
export function withSigningKey(text: string, key: string): string | null {
  return withSandboxSetting(text, 'signing_key', JSON.stringify(key));
}
