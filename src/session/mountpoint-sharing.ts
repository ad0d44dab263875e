import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Mount } from '../plan/types.js';
import {
  type Mountpoint,
  createMountpoints,
  plannedMountpoints,
  pointPath,
  removeMountpoints,
} from './mountpoints.js';
import { hasEnded, identityOf } from './process-identity.js';
import { type SessionPaths, otherLiveSessions } from './session-dir.js';

interface Record_ {
  used: string[];
  created: string[];
}

function read(session: SessionPaths): Record_ {
  try {
    const r = JSON.parse(readFileSync(session.mountpointsFile, 'utf8')) as Partial<Record_>;
    return { used: r.used ?? [], created: r.created ?? [] };
  } catch {
    return { used: [], created: [] };
  }
}

function write(session: SessionPaths, record: Record_): void {
  writeFileSync(session.mountpointsFile, JSON.stringify(record), { mode: 0o600 });
}

/** The mount points other live runs use, and those they made. */
function othersPoints(
  runtimeDir: string,
  session: SessionPaths,
): { used: Set<string>; created: Set<string> } {
  const used = new Set<string>();
  const created = new Set<string>();
  for (const other of otherLiveSessions(runtimeDir, session)) {
    const r = read(other);
    r.used.forEach((p) => used.add(p));
    r.created.forEach((p) => created.add(p));
  }
  return { used, created };
}

const LOCK_WAIT_MS = 2_000;

/**
 * Runs `fn` holding the runtime dir's mount point lock (a file made with O_EXCL, naming its holder, so a lock
 * whose holder was killed is taken over), so that one run's claim and another's release never interleave.
 * Returns false, without running `fn`, when the lock stays taken.
 */
function withLock(runtimeDir: string, fn: () => void): boolean {
  const lock = join(runtimeDir, 'mountpoints.lock');
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + LOCK_WAIT_MS; ;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, identityOf(process.pid) ?? '');
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    }
    let holder = '';
    try {
      holder = readFileSync(lock, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    if (holder && hasEnded(holder)) {
      try {
        unlinkSync(lock);
      } catch {
        // another run took it over first
      }
      continue;
    }
    if (Date.now() > deadline) return false;
    Atomics.wait(tick, 0, 0, 10);
  }
  try {
    fn();
  } finally {
    unlinkSync(lock);
  }
  return true;
}

/**
 * Makes the mount points a run needs and returns how to remove them once its container is gone. Runs of the
 * same agent share its sandbox home, and so its mount points: removing one that another run's container still
 * mounts on would unmount the workspace under that run (the kernel detaches mounts on a deleted directory in
 * every namespace). So each run records what it uses; a point is removed only when no other live run uses it,
 * by whichever run ends last (a point another live run made is adopted). Claims and releases take turns under
 * a lock; without it (held too long) a run still makes its points, and leaves them in place at the end.
 */
export function claimMountpoints(
  mounts: Mount[],
  session: SessionPaths,
  runtimeDir: string,
  onBlocked: (path: string) => void,
): () => void {
  const planned = plannedMountpoints(mounts);
  if (planned.length === 0) return () => {};
  const used = planned.map(pointPath);
  let mine: Mountpoint[] = [];
  const claim = () => {
    write(session, { used, created: [] });
    const othersMade = othersPoints(runtimeDir, session).created;
    const made = new Set(createMountpoints(planned, onBlocked).map(pointPath));
    mine = planned.filter((p) => made.has(pointPath(p)) || othersMade.has(pointPath(p)));
    write(session, { used, created: mine.map(pointPath) });
  };
  if (!withLock(runtimeDir, claim)) {
    claim();
    mine = [];
  }
  return () => {
    withLock(runtimeDir, () => {
      const stillUsed = othersPoints(runtimeDir, session).used;
      removeMountpoints(mine.filter((p) => !stillUsed.has(pointPath(p))));
    });
  };
}
