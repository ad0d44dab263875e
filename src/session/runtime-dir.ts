import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeError } from '../cli/errors.js';

/**
 * The per-user directory for short-lived run state (session dirs, env files, sockets):
 * $XDG_RUNTIME_DIR/ags, else /tmp/ags-<uid>. Created 0700; refused when someone else owns it or it is
 * open to others, since secrets pass through it.
 */
export function runtimeDirPath(env: Record<string, string | undefined>, uid: number): string {
  return env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'ags') : `/tmp/ags-${uid}`;
}

/** Creates (or checks) the runtime directory and returns it. */
export function runtimeDir(env: Record<string, string | undefined>, uid: number): string {
  const dir = runtimeDirPath(env, uid);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new RuntimeError(
      `${dir} is not a private directory of this user (owner ${st.uid}, mode ${(st.mode & 0o777).toString(8)})`,
      `remove it or fix it with: chmod 700 ${dir}`,
    );
  }
  return dir;
}
