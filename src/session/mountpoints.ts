import { closeSync, existsSync, mkdirSync, openSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Mount } from '../plan/types.js';

/** The latest earlier read-write mount whose target holds `m`'s target, if any (the one podman mounts into). */
function containingMount(mounts: Mount[], index: number): Mount | undefined {
  const m = mounts[index]!;
  let best: Mount | undefined;
  for (const p of mounts.slice(0, index)) {
    const rel = relative(p.target, m.target);
    if (p.mode !== 'rw' || rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    if (!best || p.target.length >= best.target.length) best = p;
  }
  return best;
}

/**
 * Creates, on the host, the mount points of mounts that land inside an earlier read-write mount: the workdir
 * under ~/src inside the sandbox home, the hint files inside a host `~/.gemini` (`host_home`). Left to the OCI
 * runtime they would be created owned by a subordinate uid, which the user cannot remove from the host
 * afterwards. Returns what it created, outermost first, for removeMountpoints.
 */
export function prepareMountpoints(mounts: Mount[]): string[] {
  const created: string[] = [];
  mounts.forEach((m, i) => {
    const parent = containingMount(mounts, i);
    if (!parent || !existsSync(parent.source) || !statSync(parent.source).isDirectory()) return;
    const isFile = existsSync(m.source) && !statSync(m.source).isDirectory();
    const steps = relative(parent.target, m.target).split(sep);
    let path = parent.source;
    steps.forEach((step, j) => {
      path = join(path, step);
      if (existsSync(path)) return;
      if (isFile && j === steps.length - 1) closeSync(openSync(path, 'a'));
      else mkdirSync(path);
      created.push(path);
    });
  });
  return created;
}

/** Removes the mount points prepareMountpoints created, innermost first, where they are still empty. */
export function removeMountpoints(created: string[]): void {
  for (const path of [...created].reverse()) {
    try {
      const st = statSync(path);
      if (st.isDirectory()) rmdirSync(path);
      else if (st.size === 0) unlinkSync(path);
    } catch {
      // gone, or no longer empty (something was put there after the run): leave it
    }
  }
}
