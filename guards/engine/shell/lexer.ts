/**
 * Shell lexer: turns source text into words (with their quoting, expansions and substitutions) and operators.
 * It is single-pass and linear: `$(…)` is parsed in place by the parser sharing this lexer, backticks and `${…}`
 * bodies are re-lexed once at the next nesting level, and every token ticks the budget.
 * It is tolerant: an unterminated quote or heredoc runs to the end of the input and is noted in `warnings`.
 */
import type { Budget } from '../budget.js';
import type { Heredoc, Part, Redirect, Script, Word } from './ast.js';

export type Op = '|' | '|&' | '&&' | '||' | ';' | '&' | ';;' | ';&' | ';;&' | '(' | ')' | '\n';

export type Token = { t: 'word'; w: Word } | { t: 'op'; v: Op } | { t: 'redir'; r: Redirect } | { t: 'eof' };

/** What the lexer needs from the parser: parse `$(…)` in place, and parse a string at a deeper level. */
export interface NestedParser {
  /** Parses commands from `lexer` up to and including the `)` that closes a `$(` or `<(`. */
  parseUntilParen(lexer: Lexer): Script;
  /** Parses a whole string (a backtick body) one level deeper. */
  parseString(src: string, depth: number): Script;
}

const BLANK = new Set([' ', '\t', '\r']);
const PLAIN = /[^ \t\r\n;&|()<>\\'"$`]+/y;
const META = new Set([' ', '\t', '\r', '\n', ';', '&', '|', '(', ')', '<', '>']);
const SPECIAL_PARAMS = new Set([
  '@',
  '*',
  '#',
  '?',
  '$',
  '!',
  '-',
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
]);

/** Lexing mode for text that is not a command line: inside `"…"`, or an unquoted heredoc body. */
type ContentMode = 'double' | 'heredoc';

export class Lexer {
  pos = 0;
  readonly warnings: string[];
  private pending: Heredoc[] = [];
  constructor(
    readonly src: string,
    readonly budget: Budget,
    /** Nesting level; the parser raises it while inside `$(…)`. */
    public level: number,
    private readonly nested: NestedParser,
    warnings?: string[],
  ) {
    this.warnings = warnings ?? [];
    budget.depth(level);
  }

  next(): Token {
    this.budget.token();
    const s = this.src;
    // blanks, line continuations, comments
    for (;;) {
      const c = s[this.pos];
      if (c !== undefined && BLANK.has(c)) {
        this.pos++;
      } else if (c === '\\' && s[this.pos + 1] === '\n') {
        this.pos += 2;
      } else if (c === '#') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else {
        break;
      }
    }
    const c = s[this.pos];
    if (c === undefined) {
      if (this.pending.length > 0) this.readHeredocBodies();
      return { t: 'eof' };
    }
    const c1 = s[this.pos + 1];
    const c2 = s[this.pos + 2];
    if (c === '\n') {
      this.pos++;
      if (this.pending.length > 0) this.readHeredocBodies();
      return { t: 'op', v: '\n' };
    }
    if (c === ';') {
      if (c1 === ';') {
        if (c2 === '&') {
          this.pos += 3;
          return { t: 'op', v: ';;&' };
        }
        this.pos += 2;
        return { t: 'op', v: ';;' };
      }
      if (c1 === '&') {
        this.pos += 2;
        return { t: 'op', v: ';&' };
      }
      this.pos++;
      return { t: 'op', v: ';' };
    }
    if (c === '&') {
      if (c1 === '&') {
        this.pos += 2;
        return { t: 'op', v: '&&' };
      }
      if (c1 === '>') {
        const op = c2 === '>' ? '&>>' : '&>';
        this.pos += op.length;
        return this.redirect(op, null);
      }
      this.pos++;
      return { t: 'op', v: '&' };
    }
    if (c === '|') {
      if (c1 === '|') {
        this.pos += 2;
        return { t: 'op', v: '||' };
      }
      if (c1 === '&') {
        this.pos += 2;
        return { t: 'op', v: '|&' };
      }
      this.pos++;
      return { t: 'op', v: '|' };
    }
    if (c === '(' || c === ')') {
      this.pos++;
      return { t: 'op', v: c };
    }
    if ((c === '<' || c === '>') && c1 !== '(') {
      return this.redirectAt(null);
    }
    // a file-descriptor prefix such as 2> or 10<
    if (c >= '0' && c <= '9') {
      let j = this.pos;
      while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++;
      if ((s[j] === '<' || s[j] === '>') && s[j + 1] !== '(') {
        const fd = s.slice(this.pos, j);
        this.pos = j;
        return this.redirectAt(fd);
      }
    }
    return { t: 'word', w: this.readWord() };
  }

  private redirectAt(fd: string | null): Token {
    const s = this.src;
    const c = s[this.pos];
    const c1 = s[this.pos + 1];
    const c2 = s[this.pos + 2];
    let op: string;
    if (c === '<') {
      if (c1 === '<') op = c2 === '<' ? '<<<' : c2 === '-' ? '<<-' : '<<';
      else if (c1 === '&') op = '<&';
      else if (c1 === '>') op = '<>';
      else op = '<';
    } else if (c1 === '>') op = '>>';
    else if (c1 === '&') op = '>&';
    else if (c1 === '|') op = '>|';
    else op = '>';
    this.pos += op.length;
    return this.redirect(op, fd);
  }

  private redirect(op: string, fd: string | null): Token {
    while (BLANK.has(this.src[this.pos] ?? '')) this.pos++;
    const ch = this.src[this.pos];
    const target = ch === undefined || (META.has(ch) && ch !== '<' && ch !== '>') ? null : this.readWord();
    let heredoc: Heredoc | null = null;
    if ((op === '<<' || op === '<<-') && target) {
      const quoted = /['"\\]/.test(target.raw);
      const delim = target.parts.map((p) => (p.k === 'lit' ? p.v : p.raw)).join('');
      heredoc = { delim, quoted, strip: op === '<<-', body: '', parts: null, terminated: false };
      this.pending.push(heredoc);
    }
    return { t: 'redir', r: { op, fd, target, heredoc } };
  }

  /** Reads the bodies of the heredocs started on the line that just ended. */
  private readHeredocBodies(): void {
    const s = this.src;
    const docs = this.pending;
    this.pending = [];
    for (const doc of docs) {
      const lines: string[] = [];
      let done = false;
      while (this.pos < s.length) {
        this.budget.tick();
        let end = s.indexOf('\n', this.pos);
        if (end === -1) end = s.length;
        let line = s.slice(this.pos, end);
        this.pos = Math.min(end + 1, s.length);
        if (doc.strip) line = line.replace(/^\t+/, '');
        if (line === doc.delim) {
          done = true;
          break;
        }
        lines.push(line);
      }
      doc.terminated = done;
      if (!done) this.warnings.push(`heredoc '${doc.delim}' is not terminated`);
      doc.body = lines.length > 0 ? lines.join('\n') + '\n' : '';
      if (!doc.quoted && /[$`\\]/.test(doc.body)) {
        doc.parts = this.lexContent(doc.body, 'heredoc');
      }
    }
  }

  /** Lexes text with double-quote rules (expansions and substitutions, no word splitting) one level deeper. */
  lexContent(text: string, mode: ContentMode): Part[] {
    const sub = new Lexer(text, this.budget, this.level + 1, this.nested, this.warnings);
    return sub.readContent(mode);
  }

  private readContent(mode: ContentMode): Part[] {
    const parts: Part[] = [];
    while (this.pos < this.src.length) this.readQuotedChunk(parts, mode);
    return parts;
  }

  readWord(): Word {
    const s = this.src;
    const start = this.pos;
    const parts: Part[] = [];
    for (;;) {
      this.budget.tick();
      const c = s[this.pos];
      if (c === undefined) break;
      if ((c === '<' || c === '>') && s[this.pos + 1] === '(') {
        this.pos += 2;
        const script = this.nested.parseUntilParen(this);
        parts.push({ k: 'procsub', script, dir: c, raw: s.slice(start, this.pos) });
        continue;
      }
      if (META.has(c)) break;
      if (c === '\\') {
        const n = s[this.pos + 1];
        if (n === '\n') {
          this.pos += 2;
        } else if (n === undefined) {
          this.pos++;
          pushLit(parts, '\\', false);
        } else {
          this.pos += 2;
          pushLit(parts, n, true);
        }
      } else if (c === "'") {
        const end = s.indexOf("'", this.pos + 1);
        if (end === -1) {
          this.warnings.push('unterminated single quote');
          pushLit(parts, s.slice(this.pos + 1), true);
          this.pos = s.length;
        } else {
          pushLit(parts, s.slice(this.pos + 1, end), true);
          this.pos = end + 1;
        }
      } else if (c === '"') {
        this.pos++;
        this.readDouble(parts);
      } else if (c === '$') {
        this.readDollar(parts, false);
      } else if (c === '`') {
        this.readBacktick(parts, false);
      } else {
        // a run of ordinary characters at once
        PLAIN.lastIndex = this.pos;
        const m = PLAIN.exec(s);
        const run = m ? m[0] : c;
        pushLit(parts, run, false);
        this.pos += run.length;
      }
    }
    return { parts, raw: s.slice(start, this.pos) };
  }

  private readDouble(parts: Part[]): void {
    const s = this.src;
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) {
        this.warnings.push('unterminated double quote');
        return;
      }
      if (c === '"') {
        this.pos++;
        // keep "" visible as an (empty) quoted literal so the word exists
        if (parts.length === 0) pushLit(parts, '', true);
        return;
      }
      this.readQuotedChunk(parts, 'double');
    }
  }

  /** One step inside double quotes or a heredoc body. */
  private readQuotedChunk(parts: Part[], mode: ContentMode): void {
    this.budget.tick();
    const s = this.src;
    const c = s[this.pos]!;
    if (c === '\\') {
      const n = s[this.pos + 1];
      if (n === '\n') {
        this.pos += 2;
      } else if (n === '$' || n === '`' || n === '\\' || (n === '"' && mode === 'double')) {
        pushLit(parts, n, true);
        this.pos += 2;
      } else {
        pushLit(parts, '\\', true);
        this.pos++;
      }
    } else if (c === '$') {
      this.readDollar(parts, true);
    } else if (c === '`') {
      this.readBacktick(parts, true);
    } else {
      pushLit(parts, c, true);
      this.pos++;
    }
  }

  private readDollar(parts: Part[], inDouble: boolean): void {
    const s = this.src;
    const start = this.pos;
    const n = s[this.pos + 1];
    if (n === "'" && !inDouble) {
      const { text, end } = decodeAnsiC(s, this.pos + 2);
      if (end > s.length) this.warnings.push("unterminated $'…' quote");
      pushLit(parts, text, true);
      this.pos = Math.min(end, s.length);
      return;
    }
    if (n === '"' && !inDouble) {
      this.pos += 2;
      this.readDouble(parts);
      return;
    }
    if (n === '(') {
      if (s[this.pos + 2] === '(') {
        const end = findArithEnd(s, this.pos + 3, this.budget);
        if (end !== -1) {
          const inner = s.slice(this.pos + 3, end - 2);
          this.pos = end;
          const subs = /[$`]/.test(inner) ? scriptsIn(this.lexContent(inner, 'heredoc')) : [];
          parts.push({ k: 'arith', raw: s.slice(start, end), subs });
          return;
        }
      }
      this.pos += 2;
      const script = this.nested.parseUntilParen(this);
      parts.push({ k: 'cmdsub', script, raw: s.slice(start, this.pos), q: inDouble });
      return;
    }
    if (n === '{') {
      const end = findBraceEnd(s, this.pos + 2, this.budget);
      if (end === -1) this.warnings.push('unterminated ${…}');
      const stop = end === -1 ? s.length : end;
      const inner = s.slice(this.pos + 2, stop);
      this.pos = end === -1 ? s.length : end + 1;
      const m = /^(?:[!#]?)([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])/.exec(inner);
      const name = m ? m[1]! : '';
      const rest = m ? inner.slice(m[0].length) : inner;
      const op = /^(?::?[-=?+]|##?|%%?|\/\/?|\^\^?|,,?|:|\[|@)?/.exec(rest)![0];
      const subs = /[$`]/.test(rest) ? scriptsIn(this.lexContent(rest, 'heredoc')) : [];
      parts.push({ k: 'param', name, op, raw: s.slice(start, this.pos), q: inDouble, subs });
      return;
    }
    if (n !== undefined && /[A-Za-z_]/.test(n)) {
      let j = this.pos + 2;
      while (j < s.length && /[A-Za-z0-9_]/.test(s[j]!)) j++;
      parts.push({
        k: 'param',
        name: s.slice(this.pos + 1, j),
        op: '',
        raw: s.slice(start, j),
        q: inDouble,
        subs: [],
      });
      this.pos = j;
      return;
    }
    if (n !== undefined && SPECIAL_PARAMS.has(n)) {
      parts.push({ k: 'param', name: n, op: '', raw: s.slice(start, this.pos + 2), q: inDouble, subs: [] });
      this.pos += 2;
      return;
    }
    pushLit(parts, '$', inDouble);
    this.pos++;
  }

  private readBacktick(parts: Part[], inDouble: boolean): void {
    const s = this.src;
    const start = this.pos;
    let j = this.pos + 1;
    let body = '';
    for (;;) {
      this.budget.tick();
      const c = s[j];
      if (c === undefined) {
        this.warnings.push('unterminated backtick');
        break;
      }
      if (c === '`') {
        j++;
        break;
      }
      if (c === '\\') {
        const n = s[j + 1];
        if (n === '$' || n === '`' || n === '\\' || (inDouble && n === '"')) {
          body += n;
          j += 2;
          continue;
        }
      }
      body += c;
      j++;
    }
    this.pos = j;
    const script = this.nested.parseString(body, this.level + 1);
    parts.push({ k: 'cmdsub', script, raw: s.slice(start, j), q: inDouble });
  }
}

function pushLit(parts: Part[], v: string, q: boolean): void {
  const last = parts[parts.length - 1];
  if (last && last.k === 'lit' && last.q === q) last.v += v;
  else parts.push({ k: 'lit', v, q });
}

/** The command substitutions directly inside lexed content. */
export function scriptsIn(parts: Part[]): Script[] {
  const out: Script[] = [];
  for (const p of parts) {
    if (p.k === 'cmdsub' || p.k === 'procsub') out.push(p.script);
    else if (p.k === 'param' || p.k === 'arith') out.push(...p.subs);
  }
  return out;
}

/** Index just past the `))` closing `$((`, or -1. */
function findArithEnd(s: string, from: number, budget: Budget): number {
  let depth = 0;
  for (let j = from; j < s.length; j++) {
    budget.tick();
    const c = s[j];
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) return s[j + 1] === ')' ? j + 2 : -1;
      depth--;
    } else if (c === '\n' && depth === 0) return -1;
  }
  return -1;
}

/** Index of the `}` closing `${`, honouring quotes and nested braces, or -1. */
function findBraceEnd(s: string, from: number, budget: Budget): number {
  let depth = 0;
  for (let j = from; j < s.length; j++) {
    budget.tick();
    const c = s[j];
    if (c === '\\') j++;
    else if (c === "'") {
      const e = s.indexOf("'", j + 1);
      if (e === -1) return -1;
      j = e;
    } else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return j;
      depth--;
    }
  }
  return -1;
}

/** Decodes a `$'…'` body starting at `from`; returns the text and the index just past the closing quote. */
export function decodeAnsiC(s: string, from: number): { text: string; end: number } {
  let out = '';
  let j = from;
  while (j < s.length) {
    const c = s[j]!;
    if (c === "'") return { text: out, end: j + 1 };
    if (c !== '\\') {
      out += c;
      j++;
      continue;
    }
    const n = s[j + 1];
    j += 2;
    switch (n) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'e':
      case 'E':
        out += '\x1b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        const m = /^[0-9A-Fa-f]{1,2}/.exec(s.slice(j, j + 2));
        if (m) {
          out += String.fromCharCode(parseInt(m[0], 16));
          j += m[0].length;
        } else out += '\\x';
        break;
      }
      case 'u':
      case 'U': {
        const m = (n === 'u' ? /^[0-9A-Fa-f]{1,4}/ : /^[0-9A-Fa-f]{1,8}/).exec(s.slice(j, j + 8));
        if (m) {
          const cp = parseInt(m[0], 16);
          out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
          j += m[0].length;
        } else out += '\\' + n;
        break;
      }
      case 'c': {
        const ch = s[j];
        if (ch !== undefined) {
          out += String.fromCharCode(ch.charCodeAt(0) & 0x1f);
          j++;
        }
        break;
      }
      case undefined:
        out += '\\';
        break;
      default:
        if (n >= '0' && n <= '7') {
          const m = /^[0-7]{1,3}/.exec(s.slice(j - 1, j + 2))!;
          out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
          j += m[0].length - 1;
        } else if (n === '\\' || n === "'" || n === '"' || n === '?') {
          out += n;
        } else {
          out += '\\' + n;
        }
    }
  }
  return { text: out, end: s.length + 1 };
}
