import { closeSync, openSync, writeSync } from 'node:fs';
import { ConfigError } from '../cli/errors.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Writes secrets for `podman --env-file`: created 0600 and exclusively (never follows or reuses a file).
 * podman reads values literally, one per line, so a value with a line break cannot be passed this way.
 */
export function writeEnvFile(path: string, values: Record<string, string>): void {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (!NAME.test(name))
      throw new ConfigError(`secret name '${name}' is not a valid environment variable name`);
    if (/[\r\n\0]/.test(value)) {
      throw new ConfigError(
        `the value of ${name} contains a line break, which podman's env file cannot carry`,
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
