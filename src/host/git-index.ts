import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The paths of the gitlinks (submodule entries, mode 160000) in a git index file, read without git. The host's
 * `git status` recurses into every populated gitlink and runs that repository's config (its `core.fsmonitor`),
 * and the agent can make one from scratch: a nested `.git` plus `git add`. So the report after a run looks at
 * them. Index versions 2, 3 and 4 (path prefix compression), and split indexes (`git update-index
 * --split-index`: most entries live in `sharedindex.<hash>` beside it, named by the `link` extension); anything
 * else, or a damaged file, gives nothing.
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

interface IndexEntry {
  path: string;
  mode: number;
}

interface ParsedIndex {
  entries: IndexEntry[];
  /** The `link` extension of a split index: the shared index's hash and the positions it replaces. */
  link: { shared: string; replaced: number[] | null } | null;
}

/**
 * Decodes an EWAH bitmap as git writes it (bit count, word count, 64-bit words of run-length markers and
 * literals, then the last marker's position) into the positions of its set bits; null when damaged.
 */
export function ewahPositions(buf: Buffer, at: number): number[] | null {
  if (at + 8 > buf.length) return null;
  const words = buf.readUInt32BE(at + 4);
  const pos = at + 8;
  if (pos + words * 8 + 4 > buf.length) return null;
  const out: number[] = [];
  let bit = 0;
  let i = 0;
  while (i < words) {
    const marker = buf.readBigUInt64BE(pos + i * 8);
    i++;
    const runBit = Number(marker & 1n);
    const runLength = Number((marker >> 1n) & 0xffffffffn);
    const literals = Number(marker >> 33n);
    if (runBit) {
      // a run of set words: bounded, since git never writes more bits than entries
      if (runLength * 64 > 1 << 26) return null;
      for (let b = 0; b < runLength * 64; b++) out.push(bit + b);
    }
    bit += runLength * 64;
    if (i + literals > words) return null;
    for (let l = 0; l < literals; l++, i++) {
      const word = buf.readBigUInt64BE(pos + i * 8);
      for (let b = 0; b < 64; b++) if ((word >> BigInt(b)) & 1n) out.push(bit + b);
      bit += 64;
    }
  }
  return out;
}

function parseIndex(buf: Buffer, hashLen: number): ParsedIndex | null {
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'DIRC') return null;
  const version = buf.readUInt32BE(4);
  if (version < 2 || version > 4) return null;
  const count = buf.readUInt32BE(8);
  const entries: IndexEntry[] = [];
  let at = 12;
  let previous = '';
  const done = () => ({ entries, link: null });
  for (let i = 0; i < count; i++) {
    const start = at;
    if (at + 40 + hashLen + 2 > buf.length) return done();
    const mode = buf.readUInt32BE(at + 24);
    at += 40 + hashLen;
    const flags = buf.readUInt16BE(at);
    at += 2;
    if (version >= 3 && flags & 0x4000) at += 2;
    let path: string;
    if (version === 4) {
      // varint as git writes it: 7 bits a byte, each continuation adding one
      let c = buf[at++];
      if (c === undefined) return done();
      let strip = c & 127;
      while (c & 128) {
        c = buf[at++];
        if (c === undefined) return done();
        strip = ((strip + 1) << 7) + (c & 127);
      }
      const end = buf.indexOf(0, at);
      if (end < 0 || strip > previous.length) return done();
      path = previous.slice(0, previous.length - strip) + buf.toString('utf8', at, end);
      at = end + 1;
    } else {
      const end = buf.indexOf(0, at);
      if (end < 0) return done();
      path = buf.toString('utf8', at, end);
      // entries are padded with NULs to a multiple of 8 bytes
      at = start + ((end - start + 8) & ~7);
    }
    previous = path;
    entries.push({ path, mode });
  }
  // extensions, up to the trailing checksum: only `link` matters here
  let link: ParsedIndex['link'] = null;
  while (at + 8 <= buf.length - hashLen) {
    const sig = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32BE(at + 4);
    const data = at + 8;
    if (data + size > buf.length) break;
    if (sig === 'link' && size >= hashLen) {
      const shared = buf.toString('hex', data, data + hashLen);
      // the delete bitmap first, then the replace bitmap
      let replaced: number[] | null = null;
      if (size > hashLen) {
        const del = data + hashLen;
        const delWords = del + 8 <= buf.length ? buf.readUInt32BE(del + 4) : 0;
        replaced = ewahPositions(buf, del + 8 + delWords * 8 + 4);
      } else replaced = [];
      link = { shared, replaced };
    }
    at = data + size;
  }
  return { entries, link };
}

const isGitlink = (e: IndexEntry) => (e.mode & 0o170000) === GITLINK;

/** Parses index bytes; `hashLen` is 20 (sha1) or 32 (sha256). Pure; a split index gives its own entries. */
export function gitlinksOf(buf: Buffer, hashLen = 20): string[] {
  return (parseIndex(buf, hashLen)?.entries ?? []).filter(isGitlink).map((e) => e.path);
}

/**
 * The gitlinks of the index at `path`, or none when it cannot be read. For a split index, those of its shared
 * index too, and the paths of shared entries a gitlink of the split index replaces (such an entry is written
 * without its name). A replace bitmap that cannot be read makes every shared path a candidate: the caller
 * checks each for a repository, so too many costs time, too few would leave one unchecked.
 */
export function readGitlinks(path: string, hashLen = 20): string[] {
  const buf = readWhole(path);
  const own = buf === null ? null : parseIndex(buf, hashLen);
  if (!own) return [];
  const out = own.entries.filter((e) => e.path !== '' && isGitlink(e)).map((e) => e.path);
  if (!own.link || !/^[0-9a-f]+$/.test(own.link.shared)) return out;
  const sharedBuf = readWhole(join(dirname(path), `sharedindex.${own.link.shared}`));
  const shared = sharedBuf === null ? null : parseIndex(sharedBuf, hashLen);
  if (!shared) return out;
  out.push(...shared.entries.filter(isGitlink).map((e) => e.path));
  const stripped = own.entries.filter((e) => e.path === '');
  if (stripped.some(isGitlink)) {
    const replaced = own.link.replaced;
    if (replaced === null || replaced.length !== stripped.length) {
      out.push(...shared.entries.map((e) => e.path));
    } else {
      stripped.forEach((e, k) => {
        const target = shared.entries[replaced[k]!];
        if (isGitlink(e) && target) out.push(target.path);
      });
    }
  }
  return [...new Set(out)];
}
