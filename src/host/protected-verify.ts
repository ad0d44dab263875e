import { createHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { constants } from 'node:fs';
import { displayPath, printable } from '../util/paths.js';
import type { ProtectedEntry } from './protected-facts.js';

/**
 * The second layer behind the read-only mounts: each protected path that exists at start is remembered by
 * device, inode and (for a file) a hash of its content; after the run a path that is no longer the same file
 * is said loudly, by name. The mounts and the pins of the directories above them should make this never
 * fire; if a way around them is found, the user still hears of it before git or direnv runs what is there.
 */

/** A protected file larger than this is remembered by its first bytes and its size. */
const MAX_HASHED = 4 * 1024 * 1024;
/** Lines said; the rest counted. */
const MAX_LINES = 20;

export interface ProtectedIdentity {
  path: string;
  what: string;
  dev: number;
  ino: number;
  kind: 'file' | 'dir';
  /** sha256 of the first MAX_HASHED bytes and the size, for a file. */
  hash?: string;
}

function hashFile(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    const h = createHash('sha256');
    const buf = Buffer.alloc(64 * 1024);
    for (let at = 0; at < MAX_HASHED;) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, MAX_HASHED - at), at);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      at += n;
    }
    h.update(`\0${st.size}`);
    return h.digest('hex');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function identityOf(path: string, what: string): ProtectedIdentity | null {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return null;
  }
  if (st.isDirectory()) return { path, what, dev: st.dev, ino: st.ino, kind: 'dir' };
  if (!st.isFile()) return null;
  const hash = hashFile(path);
  return hash === null ? null : { path, what, dev: st.dev, ino: st.ino, kind: 'file', hash };
}

/** What the existing protected paths are at start (absent ones are held by placeholders, not remembered). */
export function snapshotProtected(entries: readonly ProtectedEntry[]): ProtectedIdentity[] {
  const out: ProtectedIdentity[] = [];
  for (const e of entries) {
    if (e.kind !== 'file' && e.kind !== 'dir') continue;
    const id = identityOf(e.path, e.what);
    if (id) out.push(id);
  }
  return out;
}

/** The report lines for protected paths that are no longer what they were at start. */
export function protectedChanges(before: readonly ProtectedIdentity[]): string[] {
  const lines: string[] = [];
  for (const was of before) {
    const now = identityOf(was.path, was.what);
    let how: string | null = null;
    if (now === null) how = 'is gone or no longer a plain file or directory';
    else if (now.kind !== was.kind || now.dev !== was.dev || now.ino !== was.ino)
      how = 'was replaced (another file is at its path now)';
    else if (now.hash !== was.hash) how = 'was changed';
    if (how) lines.push(`${displayPath(was.path)} (${printable(was.what)}) ${how}`);
  }
  return lines;
}

/** The loud report after a run, or nothing. */
export function protectedChangesReport(lines: readonly string[]): string {
  if (lines.length === 0) return '';
  const shown = lines.slice(0, MAX_LINES);
  return [
    'ags: WARNING: files ags kept read-only for your host are not what they were at start:',
    ...shown.map((l) => `ags:   ${l}`),
    ...(lines.length > shown.length ? [`ags:   ... and ${lines.length - shown.length} more`] : []),
    'ags: do not run git, direnv, an agent or an editor there before you have checked them',
  ]
    .map((l) => `${l}\n`)
    .join('');
}
