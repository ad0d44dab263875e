import { accessSync, constants, existsSync, lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { RuntimeError, UsageError } from '../errors.js';

type Env = Record<string, string | undefined>;

const mode = (m: number) => (m & 0o777).toString(8);

/** A directory only this user can change: owned by them, writable by them and by no one else. */
function problemWith(path: string, uid: number): string | null {
  const st = statSync(path);
  if (!st.isDirectory()) return 'is not a directory';
  if (st.uid !== uid) return `belongs to uid ${st.uid}, not to you (uid ${uid})`;
  if ((st.mode & 0o022) !== 0) return `is writable by others (mode ${mode(st.mode)})`;
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch {
    return 'is not writable';
  }
  return null;
}

/** $XDG_RUNTIME_DIR, checked: absolute, existing, this user's own. Returns its real path. */
function xdgRuntimeDir(value: string, uid: number): string {
  if (!isAbsolute(value)) {
    throw new UsageError(
      `XDG_RUNTIME_DIR=${value} is not an absolute path`,
      `set it to your runtime directory (usually /run/user/${uid}), or unset it`,
    );
  }
  let real: string;
  try {
    real = realpathSync(value);
  } catch {
    throw new RuntimeError(
      `XDG_RUNTIME_DIR=${value} does not exist`,
      `create it (mkdir -m 700 ${value}), or unset XDG_RUNTIME_DIR`,
    );
  }
  const problem = problemWith(real, uid);
  if (problem) {
    throw new RuntimeError(
      `XDG_RUNTIME_DIR=${value} ${problem}`,
      `point it at a directory of your own with mode 700 (usually /run/user/${uid}), or unset it`,
    );
  }
  return real;
}

/** /run/user/UID when the system made one for this user (a real directory, theirs alone), else null. */
function systemRuntimeDir(uid: number): string | null {
  const dir = `/run/user/${uid}`;
  try {
    if (lstatSync(dir).isSymbolicLink()) return null;
    return problemWith(dir, uid) === null ? dir : null;
  } catch {
    return null;
  }
}

/**
 * Where ags keeps short-lived run state (session dirs, env files with secrets, sockets). Chosen the way podman
 * chooses its own: $XDG_RUNTIME_DIR/ags when XDG_RUNTIME_DIR is set (it must be absolute, exist and be the
 * user's own: anything else is refused, never silently replaced), else /run/user/UID/ags when that directory
 * is usable, else $TMPDIR/ags-UID (or /tmp/ags-UID). Only reads; `ensureRuntimeDir` creates it.
 */
export function chooseRuntimeDir(env: Env, uid: number): string {
  if (env.XDG_RUNTIME_DIR) return join(xdgRuntimeDir(env.XDG_RUNTIME_DIR, uid), 'ags');
  const system = systemRuntimeDir(uid);
  if (system) return join(system, 'ags');
  const tmp = env.TMPDIR && isAbsolute(env.TMPDIR) ? env.TMPDIR : '/tmp';
  return join(existsSync(tmp) ? realpathSync(tmp) : tmp, `ags-${uid}`);
}

/**
 * Where the runtime dir is or would be, for the checks that keep it out of every mount: nothing is required
 * to exist yet (a run refuses a missing or foreign XDG_RUNTIME_DIR later, with its own message), but a
 * relative XDG_RUNTIME_DIR is refused here already, since no path can be said for it.
 */
export function runtimeDirPath(env: Env, uid: number): string {
  try {
    return chooseRuntimeDir(env, uid);
  } catch (err) {
    if (err instanceof UsageError || !env.XDG_RUNTIME_DIR) throw err;
    return join(env.XDG_RUNTIME_DIR, 'ags');
  }
}

/** Creates the runtime dir (0700) where it is missing, and refuses one that is not a private dir of this user. */
export function ensureRuntimeDir(dir: string, uid: number): string {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new RuntimeError(
        `cannot create the runtime directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        'set XDG_RUNTIME_DIR to a directory of your own with mode 700 (usually /run/user/UID)',
      );
    }
  }
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    const what = st.isSymbolicLink() ? 'a symlink' : `owner ${st.uid}, mode ${mode(st.mode)}`;
    throw new RuntimeError(
      `${dir} is not a private directory of this user (${what})`,
      st.isSymbolicLink() ? `remove it: rm ${dir}` : `remove it or fix it with: chmod 700 ${dir}`,
    );
  }
  return dir;
}

/** The real path of `path`, or of its deepest existing ancestor with the rest appended (for paths not made yet). */
function realish(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : join(realish(parent), basename(path));
}

const within = (child: string, parent: string) =>
  parent === '/' || child === parent || child.startsWith(`${parent}/`);

/**
 * Refuses a run whose mounts would show the runtime dir to the sandbox (every run's session dir, secrets and
 * ssh-agent socket: a workspace of /tmp holds /tmp/ags-UID) or that mounts something from inside it. Mounts
 * from this run's own session dir are meant.
 */
export function assertRuntimeDirUnmounted(
  dir: string,
  sessionRoot: string,
  mounts: Array<{ source: string; why: string }>,
): void {
  const runtime = realish(dir);
  for (const m of mounts) {
    if (within(m.source, sessionRoot)) continue;
    const source = realish(m.source);
    if (within(runtime, source)) {
      throw new UsageError(
        `refusing to mount ${source} (${m.why}): it contains ags's runtime directory ${runtime}, where every run keeps its secrets`,
        'set XDG_RUNTIME_DIR to a directory outside every mounted path (usually /run/user/UID), or mount less',
      );
    }
    if (within(source, runtime)) {
      throw new UsageError(
        `refusing to mount ${source} (${m.why}): it is inside ags's runtime directory ${runtime}`,
        'mount a directory outside it',
      );
    }
  }
}
