import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeEnvFile } from '../../../src/session/env-file.js';

describe('writeEnvFile (read by the sandbox entry)', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'ags-envfile-'));
    dirs.push(d);
    return join(d, 'env');
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes NAME=VALUE lines, byte for byte, 0600, and never reuses a file', () => {
    const path = fresh();
    writeEnvFile(path, { A: ' $(id) `x` \\n *', B: 'a=b' });
    expect(readFileSync(path, 'utf8')).toBe('A= $(id) `x` \\n *\nB=a=b\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(() => writeEnvFile(path, { A: 'again' })).toThrow(/EEXIST/);
  });

  it('refuses a value with a line break, and the names of the entry its own variables', () => {
    expect(() => writeEnvFile(fresh(), { PEM: 'line1\nline2' })).toThrow(
      "the value of PEM contains a line break or NUL byte, which the sandbox's env file cannot carry",
    );
    expect(() => writeEnvFile(fresh(), { ags_entry_line: 'x' })).toThrow(
      "secret name 'ags_entry_line' is reserved for ags's sandbox entry",
    );
  });
});
