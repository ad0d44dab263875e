import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Mount } from '../plan/types.js';

/**
 * Creates, inside the agent's home volume, the mount points of mounts that land under the container home
 * (the workdir under ~/src, say). Left to the OCI runtime they would be created owned by a subordinate uid,
 * which the user cannot remove from the host afterwards.
 */
export function prepareMountpoints(mounts: Mount[], home: string, agentHome: string): void {
  for (const m of mounts) {
    const rel = relative(home, m.target);
    if (rel === '' || rel.startsWith('..') || rel.startsWith('/')) continue;
    const point = join(agentHome, rel);
    if (existsSync(point)) continue;
    if (existsSync(m.source) && !statSync(m.source).isDirectory()) {
      mkdirSync(dirname(point), { recursive: true });
      closeSync(openSync(point, 'a'));
    } else {
      mkdirSync(point, { recursive: true });
    }
  }
}
