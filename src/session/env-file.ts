import { closeSync, openSync, writeSync } from 'node:fs';
import { ConfigError } from '../errors.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The variables of the sandbox entry (shims/bin/ags-entry.sh), which a secret must not overwrite. */
const ENTRY_VARIABLES = /^ags_entry_/;

/**
 * Writes the secret values for the sandbox entry (shims/bin/ags-entry.sh), NAME=VALUE one per line: created
 * 0600 and exclusively (never follows or reuses a file). The entry reads each line literally, so a value with
 * a line break (or a NUL byte, which no environment can hold) cannot be passed this way.
 */
export function writeEnvFile(path: string, values: Record<string, string>): void {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (!NAME.test(name))
      throw new ConfigError(`secret name '${name}' is not a valid environment variable name`);
    if (ENTRY_VARIABLES.test(name))
      throw new ConfigError(`secret name '${name}' is reserved for ags's sandbox entry`, 'rename it');
    if (/[\r\n\0]/.test(value)) {
      throw new ConfigError(
        `the value of ${name} contains a line break or NUL byte, which the sandbox's env file cannot carry`,
        'store it base64-encoded, or mount it as a read-only file with [[mount]]',
      );
    }
    lines.push(`${name}=${value}`);
  }
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, lines.length ? `${lines.join('\n')}\n` : '');
  } finally {
    closeSync(fd);
  }
}
