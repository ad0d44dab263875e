/**
 * Finds where keys live in a TOML document, so a schema error can name `file:line:col`.
 *
 * The parser (smol-toml) gives values without positions; this scanner walks the same source once and
 * records, for every key path it sees, the 1-based line and column where that key (or array element, or
 * table header) first appears. It handles `[table]` and `[[array.of.tables]]` headers (with the index of
 * each entry, also nested ones), dotted keys, quoted keys, inline tables, arrays and all string forms. It
 * only runs on documents the parser accepted, so it can be lenient about malformed input.
 */

import { quoteText } from '../util/terminal-text.js';

export type PathSegment = string | number;
export interface Position {
  line: number;
  col: number;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** `mount[2].host`, `agents.claude.env."A.B"`: the exact key of a path in position and origin maps. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = BARE_KEY.test(seg) ? seg : JSON.stringify(seg);
      out += out === '' ? key : `.${key}`;
    }
  }
  return out;
}

/** The longest key segment a message shows before it is cut (a file may invent keys of any length). */
const MAX_SHOWN_KEY = 64;

/** formatPath for the terminal: a key the file invented is escaped and cut, so it cannot act on the terminal. */
export function displayPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = BARE_KEY.test(seg) && seg.length <= MAX_SHOWN_KEY ? seg : quoteText(seg, MAX_SHOWN_KEY);
      out += out === '' ? key : `.${key}`;
    }
  }
  return out;
}

export class PositionMap {
  private readonly map = new Map<string, Position>();

  record(path: readonly PathSegment[], pos: Position): void {
    const key = formatPath(path);
    if (!this.map.has(key)) this.map.set(key, pos);
  }

  /** The exact position of `path`, or undefined. */
  get(path: readonly PathSegment[]): Position | undefined {
    return this.map.get(formatPath(path));
  }

  /** The position of `path`, or of its nearest recorded ancestor, or 1:1. */
  locate(path: readonly PathSegment[]): Position {
    for (let n = path.length; n > 0; n--) {
      const pos = this.map.get(formatPath(path.slice(0, n)));
      if (pos) return pos;
    }
    return { line: 1, col: 1 };
  }
}

export function keyPositions(source: string): PositionMap {
  // a byte-order mark is not a column anyone sees in an editor
  return new Scanner(source.replace(/^\uFEFF/, '')).run();
}

class Scanner {
  private i = 0;
  private readonly lineStarts: number[] = [0];
  private readonly out = new PositionMap();
  private readonly arrayCounts = new Map<string, number>();

  constructor(private readonly src: string) {
    for (let k = 0; k < src.length; k++) if (src[k] === '\n') this.lineStarts.push(k + 1);
  }

  run(): PositionMap {
    let table: PathSegment[] = [];
    for (;;) {
      this.skipBlank(true);
      if (this.i >= this.src.length) break;
      const before = this.i;
      const start = this.pos();
      if (this.src[this.i] === '[') {
        const isArray = this.src[this.i + 1] === '[';
        this.i += isArray ? 2 : 1;
        const keys = this.readKey();
        table = this.resolveHeader(keys, isArray, start);
        this.skipToLineEnd();
      } else {
        const keys = this.readKey();
        this.recordKeys(table, keys, start);
        this.skipInline();
        if (this.src[this.i] === '=') this.i++;
        this.skipInline();
        this.readValue([...table, ...keys]);
        this.skipToLineEnd();
      }
      if (this.i === before) this.i++; // never stall on input the parser would have refused
    }
    return this.out;
  }

  private resolveHeader(keys: string[], isArray: boolean, start: Position): PathSegment[] {
    const resolved: PathSegment[] = [];
    keys.forEach((key, n) => {
      resolved.push(key);
      const name = formatPath(resolved);
      const last = n === keys.length - 1;
      if (last && isArray) {
        const index = this.arrayCounts.get(name) ?? 0;
        this.arrayCounts.set(name, index + 1);
        this.out.record(resolved, start);
        resolved.push(index);
      } else if (!last && this.arrayCounts.has(name)) {
        resolved.push(this.arrayCounts.get(name)! - 1);
      }
      this.out.record(resolved, start);
    });
    return resolved;
  }

  private recordKeys(table: PathSegment[], keys: string[], start: Position): void {
    for (let n = 1; n <= keys.length; n++) this.out.record([...table, ...keys.slice(0, n)], start);
  }

  private readValue(path: PathSegment[]): void {
    const c = this.src[this.i];
    if (c === '"' || c === "'") {
      this.readString();
    } else if (c === '[') {
      this.i++;
      let index = 0;
      for (;;) {
        this.skipBlank(true);
        if (this.i >= this.src.length || this.src[this.i] === ']') break;
        this.out.record([...path, index], this.pos());
        this.readValue([...path, index]);
        this.skipBlank(true);
        if (this.src[this.i] === ',') this.i++;
        index++;
      }
      this.i++;
    } else if (c === '{') {
      this.i++;
      for (;;) {
        this.skipBlank(true);
        if (this.i >= this.src.length || this.src[this.i] === '}') break;
        const start = this.pos();
        const keys = this.readKey();
        this.recordKeys(path, keys, start);
        this.skipInline();
        if (this.src[this.i] === '=') this.i++;
        this.skipInline();
        this.readValue([...path, ...keys]);
        this.skipBlank(true);
        if (this.src[this.i] === ',') this.i++;
      }
      this.i++;
    } else {
      while (this.i < this.src.length && !/[,\]}\n#]/.test(this.src[this.i]!)) this.i++;
    }
  }

  /** Reads a dotted key (`a."b.c".d`) and leaves the cursor after it. */
  private readKey(): string[] {
    const keys: string[] = [];
    for (;;) {
      this.skipInline();
      const c = this.src[this.i];
      if (c === '"' || c === "'") keys.push(this.readString());
      else {
        const start = this.i;
        while (this.i < this.src.length && /[A-Za-z0-9_-]/.test(this.src[this.i]!)) this.i++;
        if (this.i === start) break;
        keys.push(this.src.slice(start, this.i));
      }
      this.skipInline();
      if (this.src[this.i] !== '.') break;
      this.i++;
    }
    return keys;
  }

  /** Reads any string form and returns its (approximately) decoded value. */
  private readString(): string {
    const q = this.src[this.i]!;
    const multi = this.src.startsWith(q.repeat(3), this.i);
    const close = multi ? q.repeat(3) : q;
    this.i += close.length;
    const start = this.i;
    while (this.i < this.src.length) {
      if (q === '"' && this.src[this.i] === '\\') {
        this.i += 2;
        continue;
      }
      if (this.src.startsWith(close, this.i)) {
        // a multi-line string may end with up to two extra quotes: """a""""" is a"".
        while (multi && this.src[this.i + 3] === q) this.i++;
        break;
      }
      if (!multi && this.src[this.i] === '\n') break;
      this.i++;
    }
    const raw = this.src.slice(start, this.i);
    this.i += close.length;
    if (q === "'") return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return raw;
    }
  }

  private skipInline(): void {
    while (this.src[this.i] === ' ' || this.src[this.i] === '\t') this.i++;
  }

  /** Skips whitespace and comments, and newlines too when `newlines`. */
  private skipBlank(newlines: boolean): void {
    for (;;) {
      const c = this.src[this.i];
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.i++;
      else if (c === '#') while (this.i < this.src.length && this.src[this.i] !== '\n') this.i++;
      else break;
    }
  }

  private skipToLineEnd(): void {
    while (this.i < this.src.length && this.src[this.i] !== '\n') this.i++;
  }

  private pos(): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= this.i) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: this.i - this.lineStarts[lo]! + 1 };
  }
}
