import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { escapeText } from '../util/terminal-text.js';

/**
 * Reading config files without trusting what the path names. A config file is a small regular file: a device
 * (`--config /dev/zero`) would be read forever, a FIFO would block the read, and a repo overlay that is a
 * symbolic link would make ags read (and quote in an error) a file outside the repository, such as
 * `~/.aws/credentials`, before anyone was asked to trust it.
 */

/** The largest config file ags reads (user config or repo overlay). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const KIND_HINT = 'a config file must be a regular TOML file';
const OVERLAY_HINT =
  'a repo overlay must be a regular file inside the repository; ags reads nothing else there (remove it, or replace it with a real file)';

function kind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function shown(path: string): string {
  return escapeText(path, 4096);
}

interface Target {
  /** What to open. */
  open: string;
  /** How messages name it. */
  path: string;
  /** `the config file`, `the repo overlay`. */
  what: string;
  /** Refuse a symbolic link as the last component. */
  noFollow: boolean;
  hint: string;
}

function openError(err: unknown, t: Target): ConfigError {
  const e = err as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'it does not exist',
    EACCES: 'permission denied',
    ELOOP: 'it is a symbolic link',
    EISDIR: 'it is a directory',
  };
  const reason = reasons[e.code ?? ''] ?? e.code ?? e.message;
  return new ConfigError(
    `cannot read ${t.what} ${shown(t.path)}: ${reason}`,
    e.code === 'ELOOP' ? t.hint : undefined,
  );
}

/**
 * Reads at most `MAX_CONFIG_BYTES` of a regular file. The open does not block (a FIFO cannot hang it), and
 * the type is checked on the open descriptor, so what is read is what was checked. A size from stat would
 * not do: /dev/zero and a FIFO report 0.
 */
function readBounded(t: Target): Buffer {
  let fd: number;
  try {
    fd = openSync(
      t.open,
      constants.O_RDONLY |
        constants.O_NONBLOCK |
        constants.O_NOCTTY |
        (t.noFollow ? constants.O_NOFOLLOW : 0),
    );
  } catch (err) {
    throw openError(err, t);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new ConfigError(`cannot read ${t.what} ${shown(t.path)}: it is ${kind(st)}`, t.hint);
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_CONFIG_BYTES) {
        throw new ConfigError(
          `cannot read ${t.what} ${shown(t.path)}: it is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`,
          'a config file is a small TOML file; check that the path names the right file',
        );
      }
    }
    return buf.subarray(0, total);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw openError(err, t);
  } finally {
    closeSync(fd);
  }
}

/**
 * The user config (the XDG default or `--config PATH`). A symbolic link is followed (dotfile managers link
 * config files), but what it names must be a regular file of at most MAX_CONFIG_BYTES.
 */
export function readUserConfigBytes(path: string): Buffer {
  return readBounded({ open: path, path, what: 'the config file', noFollow: false, hint: KIND_HINT });
}

/**
 * A file checked as a repo overlay (`ags config validate --overlay FILE`): a regular file, not a symbolic
 * link, of at most MAX_CONFIG_BYTES.
 */
export function readOverlayFileBytes(path: string): Buffer {
  return readBounded({ open: path, path, what: 'the repo overlay', noFollow: true, hint: OVERLAY_HINT });
}

/**
 * The overlay of a repository, `<repo>/.ags/config.toml`, or null when there is none. Neither `.ags` nor
 * `config.toml` may be a symbolic link, and the file must be regular: anything else is refused with one
 * line, before a byte of it is read.
 */
export function readRepoOverlayBytes(repoRoot: string): Buffer | null {
  const dir = join(repoRoot, '.ags');
  const path = join(dir, 'config.toml');
  const refuse = (why: string) =>
    new ConfigError(`refusing the repo overlay ${shown(path)}: ${why}`, OVERLAY_HINT);
  const dirStat = lstatOrNull(dir);
  if (dirStat === null) return null;
  if (dirStat.isSymbolicLink()) throw refuse(`${shown(dir)} is a symbolic link`);
  if (!dirStat.isDirectory()) return null;
  const fileStat = lstatOrNull(path);
  if (fileStat === null) return null;
  if (!fileStat.isFile()) throw refuse(`it is ${kind(fileStat)}`);
  // Read through the directory as it was checked: /proc/self/fd/N is the opened `.ags` itself, so swapping
  // it for a link after the check changes nothing (where /proc is missing, the path is used as is).
  let dirFd: number;
  try {
    dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (err) {
    throw refuse(`${shown(dir)} cannot be opened (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const viaFd = `/proc/self/fd/${dirFd}`;
    return readBounded({
      open: existsSync(viaFd) ? join(viaFd, 'config.toml') : path,
      path,
      what: 'the repo overlay',
      noFollow: true,
      hint: OVERLAY_HINT,
    });
  } finally {
    closeSync(dirFd);
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new ConfigError(`cannot read the repo overlay ${shown(path)}: ${code ?? (err as Error).message}`);
  }
}
