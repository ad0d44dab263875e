import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../util/package-root.js';

/** The commented starter config `ags config init` writes; the same file ships as config/config.example.toml. */
export const STARTER_PATH = join(PACKAGE_ROOT, 'config', 'config.example.toml');

export function starterConfig(): string {
  return readFileSync(STARTER_PATH, 'utf8');
}
