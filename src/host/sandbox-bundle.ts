import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../util/package-root.js';

/** The built in-sandbox bundles (dist/sandbox), or null when this checkout has not built them. */
export function sandboxBundleDir(): string | null {
  const dir = join(PACKAGE_ROOT, 'dist', 'sandbox');
  return existsSync(join(dir, 'claude-hook.cjs')) && existsSync(join(dir, 'ags-entry.sh')) ? dir : null;
}
