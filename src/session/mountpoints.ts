import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { LaunchPlan, Mount } from '../plan/types.js';

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

/** A mount point: the parent mount's source, the path below it, and whether it is a file. */
export interface Mountpoint {
  root: string;
  steps: string[];
  file: boolean;
  /** A file point's content (Mount.pointContent); removed after the run only while it still holds exactly that. */
  content?: string;
}

/**
 * Everything below a parent mount's source is the agent's to change (the sandbox home, a read-write host dir),
 * even while ags works there, if a container of another run shares it. So no path below the source is ever
 * resolved by name: each step is opened from the directory before it, without following symlinks, through
 * /proc/self/fd/N/NAME (the kernel resolves NAME inside the directory open as N, as openat(2) does). A symlink
 * the agent put anywhere on the way ends the walk: ags never creates or removes anything outside the source.
 */
const FD_DIR = '/proc/self/fd';
const at = (dirFd: number, name: string) => `${FD_DIR}/${dirFd}/${name}`;
const OPEN_DIR = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

function tryOpen(path: string, flags: number, mode?: number): number | null {
  try {
    return openSync(path, flags, mode);
  } catch {
    return null;
  }
}

/** Opens the directory at `steps` below `root` without following a symlink at any step; null if it cannot. */
function openBelow(root: string, steps: string[]): number | null {
  let fd = tryOpen(root, constants.O_RDONLY | constants.O_DIRECTORY);
  for (const step of steps) {
    if (fd === null) return null;
    const next = tryOpen(at(fd, step), OPEN_DIR);
    closeSync(fd);
    fd = next;
  }
  return fd;
}

function exists(path: string): boolean {
  try {
    return existsSync(path);
  } catch {
    return false;
  }
}

/** A mount point's host path (for telling runs apart; never used to reach it). */
export const pointPath = (p: Mountpoint) => join(p.root, ...p.steps);

/**
 * The mount points a plan needs on the host: those of mounts that land inside an earlier read-write mount (the
 * workdir under ~/src inside the sandbox home, the hint files inside a host `~/.gemini` with `host_home`), every
 * step of the way, outermost first. Touches nothing below a parent's source.
 */
export function plannedMountpoints(mounts: Mount[]): Mountpoint[] {
  const points = new Map<string, Mountpoint>();
  mounts.forEach((m, i) => {
    const parent = containingMount(mounts, i);
    if (!parent) return;
    const steps = relative(parent.target, m.target).split(sep);
    const isFile = exists(m.source) && !statSync(m.source).isDirectory();
    steps.forEach((_, j) => {
      const last = j === steps.length - 1;
      const point: Mountpoint = {
        root: parent.source,
        steps: steps.slice(0, j + 1),
        file: isFile && last,
        ...(isFile && last && m.pointContent ? { content: m.pointContent } : {}),
      };
      if (!points.has(pointPath(point))) points.set(pointPath(point), point);
    });
  });
  return [...points.values()];
}

/**
 * The plan's mounts that need mount points: its bind mounts, then its tmpfs (a tmpfs over the home's caches
 * lands inside the home's read-write mount like any other). A tmpfs is never the parent of another point.
 */
export function mountsNeedingPoints(plan: Pick<LaunchPlan, 'mounts' | 'hardening'>): Mount[] {
  const tmpfs = (plan.hardening?.tmpfs ?? []).map((t): Mount => ({
    source: '',
    target: t.target,
    mode: 'ro',
    why: t.why,
    showInHint: false,
  }));
  return [...plan.mounts, ...tmpfs];
}

/**
 * Creates the planned mount points that are missing. Left to the OCI runtime they would be created owned by a
 * subordinate uid, which the user cannot remove from the host afterwards. A symlink (or a file) on the way stops
 * that mount's points (the runtime then resolves the path inside the container, as it does for every mount);
 * `onBlocked` hears of it. Returns the points it created, outermost first, for removeMountpoints.
 */
export function createMountpoints(
  points: Mountpoint[],
  onBlocked: (path: string) => void = () => {},
): Mountpoint[] {
  const created: Mountpoint[] = [];
  if (!exists(FD_DIR)) return created; // no openat-like walk: leave the points to the runtime, touch nothing
  for (const point of points) {
    const fd = openBelow(point.root, point.steps.slice(0, -1));
    if (fd === null) continue; // the step before was blocked (and reported) or is gone
    const name = at(fd, point.steps[point.steps.length - 1]!);
    try {
      if (point.file) {
        // O_EXCL: never opens what is already there (a file, or a symlink to one)
        const file = tryOpen(name, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
        if (file !== null) {
          if (point.content) writeSync(file, point.content);
          closeSync(file);
          created.push(point);
        }
        continue;
      }
      let made = false;
      try {
        mkdirSync(name); // mkdir never follows a symlink in the last step: EEXIST
        made = true;
      } catch {
        // already there (a directory, or something the check below refuses)
      }
      const dir = tryOpen(name, OPEN_DIR);
      if (dir === null) {
        onBlocked(pointPath(point));
        continue;
      }
      closeSync(dir);
      if (made) created.push(point);
    } finally {
      closeSync(fd);
    }
  }
  return created;
}

/**
 * Removes the mount points createMountpoints created, innermost first, where they are still empty. Each is
 * reached by the same no-follow walk, so a directory swapped for a symlink meanwhile is left alone, and so is
 * everything it points to.
 */
export function removeMountpoints(created: Mountpoint[]): void {
  for (const point of [...created].reverse()) {
    const fd = openBelow(point.root, point.steps.slice(0, -1));
    if (fd === null) continue;
    const name = at(fd, point.steps[point.steps.length - 1]!);
    try {
      if (point.file) {
        const file = tryOpen(name, constants.O_RDONLY | constants.O_NOFOLLOW);
        if (file === null) continue;
        const st = fstatSync(file);
        const want = point.content ?? '';
        const same =
          st.isFile() &&
          st.size === Buffer.byteLength(want) &&
          (want === '' || readFileSync(file, 'utf8') === want);
        closeSync(file);
        if (same) unlinkSync(name); // unlink never follows a symlink
      } else {
        rmdirSync(name); // neither does rmdir; it fails on a non-empty directory
      }
    } catch {
      // gone, no longer empty (something was put there after the run), or no longer ours: leave it
    } finally {
      closeSync(fd);
    }
  }
}
