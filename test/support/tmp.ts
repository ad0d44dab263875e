import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestHost } from './host.js';

/** A fresh temporary directory owned by the rootless test user; returns it and a cleanup function. */
export function testUserTempDir(host: TestHost, prefix = 'ags-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (process.getuid?.() === 0) chownSync(dir, host.uid, host.uid);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
