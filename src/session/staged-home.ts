import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  readlinkSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';

/** The largest file staging copies: settings files are small; anything bigger is not what the list means. */
export const MAX_STAGED_BYTES = 1024 * 1024;

/** Why one listed file was not staged (it is simply absent from the fresh home). */
export interface SkippedFile {
  path: string;
  reason: string;
}

export interface StagingResult {
  /** Home-relative files copied, in list order. */
  staged: string[];
  /** Listed files that exist in some form but were not copied, with the reason. */
  skipped: SkippedFile[];
}

/**
 * A home-relative path staging may follow: plain names, no "..", no absolute path. The adapters' lists are ags's
 * own constants; this keeps a mistake in one from reaching outside the home.
 */
export function isPlainHomePath(rel: string): boolean {
  const parts = rel.split('/');
  return rel !== '' && !rel.startsWith('/') && parts.every((p) => p !== '' && p !== '.' && p !== '..');
}

/**
 * Why `rel` under `root` cannot be copied, or null when it can: every directory on the way must be a real
 * directory (a symlink the agent planted in its home is never followed), the file itself a regular file.
 * Absent files give 'absent'.
 */
function pathProblem(root: string, rel: string): string | null {
  const parts = rel.split('/');
  let at = root;
  for (let i = 0; i < parts.length; i++) {
    at = join(at, parts[i]!);
    let st;
    try {
      st = lstatSync(at);
    } catch {
      return 'absent';
    }
    const last = i === parts.length - 1;
    if (st.isSymbolicLink()) return `${last ? 'it' : parts.slice(0, i + 1).join('/')} is a symlink`;
    if (!last && !st.isDirectory()) return `${parts.slice(0, i + 1).join('/')} is not a directory`;
    if (last && !st.isFile()) return 'it is not a regular file';
  }
  return null;
}

/**
 * Reads one regular file without following a symlink at its last component (O_NOFOLLOW; the walk above checked the
 * directories) and without blocking on a FIFO swapped in meanwhile (O_NONBLOCK), at most MAX_STAGED_BYTES.
 */
export function readBounded(file: string, expected: string | null): Buffer | string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    return `it cannot be opened (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  try {
    // a directory on the way swapped for a symlink after the walk (an agent of a normal run of the same home
    // is running meanwhile) shows in the path the kernel opened
    if (expected !== null && openedPath(fd) !== expected)
      return 'a directory on its path changed while it was read';
    const st = fstatSync(fd);
    if (!st.isFile()) return 'it is not a regular file';
    // a hard link the agent made to a file it could read elsewhere (the host's own login) looks like its own
    if (st.nlink > 1) return 'it has other hard links (it may be a file from outside the home)';
    if (st.size > MAX_STAGED_BYTES) return `it is larger than ${MAX_STAGED_BYTES} bytes`;
    const buf = Buffer.alloc(MAX_STAGED_BYTES + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
      if (n > MAX_STAGED_BYTES) return `it is larger than ${MAX_STAGED_BYTES} bytes`;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The path the kernel opened `fd` at, where /proc says it; else `null` (no check possible there). */
function openedPath(fd: number): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

/** The source home cannot be staged from at all (a symlink on its path): the run stops. */
export class StagingRefused extends Error {}

/**
 * Builds a lockdown run's fresh home: `target` (made here, 0700; it must not exist yet) gets a copy of each listed
 * home-relative file of `source`, the agent's persistent sandbox home, which the agent itself wrote and so is
 * treated as hostile: only regular files with no other hard link, never through a symlink, each at most
 * MAX_STAGED_BYTES, written 0600. Nothing else of `source` is read. `source` must lie under `trustedRoot` (the
 * data dir) with no symlink from there down; else StagingRefused.
 */
export function stageHome(
  source: string,
  target: string,
  files: readonly string[],
  trustedRoot: string,
): StagingResult {
  mkdirSync(target, { mode: 0o700 });
  const below = relative(trustedRoot, source);
  if (below === '' || below.startsWith('..') || isAbsolute(below) || !isPlainHomePath(below))
    throw new StagingRefused(`the agent home ${source} is not inside ${trustedRoot}`);
  let realSource: string;
  try {
    realSource = realpathSync(trustedRoot);
  } catch {
    return { staged: [], skipped: [] }; // no data dir yet: nothing to stage
  }
  // from the data dir down every component must be a real directory: a link there (homes/claude -> ~) would
  // stage the files it points at, the host's own login among them with copy_credentials
  for (const part of below.split('/')) {
    realSource = join(realSource, part);
    let st;
    try {
      st = lstatSync(realSource);
    } catch {
      return { staged: [], skipped: [] }; // no persistent home yet: nothing to stage
    }
    if (st.isSymbolicLink())
      throw new StagingRefused(`${realSource} is a symlink: lockdown stages only from the agent home itself`);
    if (!st.isDirectory()) throw new StagingRefused(`${realSource} is not a directory`);
  }
  const proc = existsSync('/proc/self/fd');
  const staged: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const rel of files) {
    if (!isPlainHomePath(rel)) {
      skipped.push({ path: rel, reason: 'not a plain home-relative path' });
      continue;
    }
    const problem = pathProblem(realSource, rel);
    if (problem === 'absent') continue;
    const expected = proc ? join(realSource, rel) : null;
    const content = problem === null ? readBounded(join(realSource, rel), expected) : problem;
    if (typeof content === 'string') {
      skipped.push({ path: rel, reason: content });
      continue;
    }
    const dest = join(target, rel);
    mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
    // 'wx': the fresh home holds nothing yet, so an existing file here is a bug, never something to write through
    writeFileSync(dest, content, { mode: 0o600, flag: 'wx' });
    staged.push(rel);
  }
  return { staged, skipped };
}
