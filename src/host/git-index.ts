import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The paths of the gitlinks (submodule entries, mode 160000) in a git index file, read without git. The host's
 * `git status` recurses into every populated gitlink and runs that repository's config (its `core.fsmonitor`),
 * and the agent can make one from scratch: a nested `.git` plus `git add`. So the report after a run looks at
 * them. Index versions 2, 3 and 4 (path prefix compression); anything else, or a damaged file, gives nothing.
 */

/** An index larger than this is not read (a repository of millions of files): its gitlinks go unchecked. */
export const MAX_INDEX_BYTES = 256 * 1024 * 1024;
const GITLINK = 0o160000;

function readWhole(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_INDEX_BYTES) return null;
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Parses index bytes; `hashLen` is 20 (sha1) or 32 (sha256). Pure. */
export function gitlinksOf(buf: Buffer, hashLen = 20): string[] {
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'DIRC') return [];
  const version = buf.readUInt32BE(4);
  if (version < 2 || version > 4) return [];
  const count = buf.readUInt32BE(8);
  const out: string[] = [];
  let at = 12;
  let previous = '';
  for (let i = 0; i < count; i++) {
    const start = at;
    if (at + 40 + hashLen + 2 > buf.length) return out;
    const mode = buf.readUInt32BE(at + 24);
    at += 40 + hashLen;
    const flags = buf.readUInt16BE(at);
    at += 2;
    if (version >= 3 && flags & 0x4000) at += 2;
    let path: string;
    if (version === 4) {
      // varint as git writes it: 7 bits a byte, each continuation adding one
      let c = buf[at++];
      if (c === undefined) return out;
      let strip = c & 127;
      while (c & 128) {
        c = buf[at++];
        if (c === undefined) return out;
        strip = ((strip + 1) << 7) + (c & 127);
      }
      const end = buf.indexOf(0, at);
      if (end < 0 || strip > previous.length) return out;
      path = previous.slice(0, previous.length - strip) + buf.toString('utf8', at, end);
      at = end + 1;
    } else {
      const end = buf.indexOf(0, at);
      if (end < 0) return out;
      path = buf.toString('utf8', at, end);
      // entries are padded with NULs to a multiple of 8 bytes
      at = start + ((end - start + 8) & ~7);
    }
    previous = path;
    if ((mode & 0o170000) === GITLINK) out.push(path);
  }
  return out;
}

/** The gitlinks of the index at `path`, or none when it cannot be read. */
export function readGitlinks(path: string, hashLen = 20): string[] {
  const buf = readWhole(path);
  return buf === null ? [] : gitlinksOf(buf, hashLen);
}
