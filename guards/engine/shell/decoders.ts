/**
 * The output of text decoders and filters whose output follows from their input alone (`base64 -d`, `base32 -d`,
 * `basenc -d`, `xxd -r -p`, `openssl base64 -d`, `gunzip`, `rev`, `tr`, `cat`), and of `printf`/`echo` with
 * escapes. The walker uses them to compute a substitution such as `$(echo Z2l0IHN0YXR1cw== | base64 -d)`, so the
 * rules judge the decoded text (`git status`) rather than the fact that something was decoded. Anything not
 * modelled exactly returns null and stays "unknown output".
 */
import { gunzipSync } from 'node:zlib';
import { nullProto } from '../null-proto.js';

const MAX_BYTES = 4096;

/** `\n`, `\x41`, `\101`, `\u00e9`…: the escapes `printf` formats and `echo -e`/`%b` arguments understand. */
function unescape(s: string, bStyle: boolean): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++i]!;
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
      e: '\x1b',
      E: '\x1b',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (n in simple) out += simple[n];
    else if (n === 'c' && bStyle) return { text: out, stop: true };
    else if (n === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1));
      if (!m) out += '\\x';
      else {
        out += String.fromCharCode(parseInt(m[0], 16));
        i += m[0].length;
      }
    } else if (n === 'u' || n === 'U') {
      const m = (n === 'u' ? /^[0-9a-fA-F]{1,4}/ : /^[0-9a-fA-F]{1,8}/).exec(s.slice(i + 1));
      if (!m) out += '\\' + n;
      else {
        const cp = parseInt(m[0], 16);
        if (cp > 0x10ffff) return { text: out, stop: true };
        out += String.fromCodePoint(cp);
        i += m[0].length;
      }
    } else if (/[0-7]/.test(n)) {
      // `%b`/`echo -e` write octal as \0NNN; a printf format as \NNN
      const m = (bStyle && n === '0' ? /^[0-7]{0,3}/ : /^[0-7]{0,2}/).exec(s.slice(i + 1))!;
      const digits = bStyle && n === '0' ? m[0] : n + m[0];
      out += String.fromCharCode(parseInt(digits || '0', 8) & 0xff);
      i += m[0].length;
    } else out += '\\' + n;
  }
  return { text: out, stop: false };
}

/** `printf FORMAT ARGS…` with the conversions scripts use (%s %b %d %i %c %x %o %%, widths), or null. */
export function printfText(args: string[]): string | null {
  const [fmt, ...rest] = args[0] === '--' ? args.slice(1) : args;
  if (fmt === undefined) return null;
  // not modelled, so not known: `\0NNN` in the format (bash reads it as \NNN's long form) and `*` widths
  if (/\\0[0-7]/.test(fmt) || /%[-+ 0#]*(?:\*|\d*\.\*)/.test(fmt)) return null;
  // the format as literal runs (their escapes read) and conversions
  const tokens = fmt.split(/(%[-+ 0#]*\d*(?:\.\d+)?[A-Za-z%]|%$)/);
  const convs = tokens.filter((_, i) => i % 2 === 1);
  if (convs.some((c) => !/[sbdicxXo%]$/.test(c))) return null;
  const uses = convs.some((c) => !c.endsWith('%'));
  let k = 0;
  let out = '';
  for (let round = 0; round < 256; round++) {
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (i % 2 === 0) {
        out += unescape(t, false).text;
        continue;
      }
      const m = /^%([-+ 0#]*)(\d*)(?:\.(\d+))?(.)$/.exec(t)!;
      const [, flags = '', width = '', prec, c] = m;
      if (c === '%') {
        out += '%';
        continue;
      }
      const a = rest[k++] ?? '';
      let v: string;
      if (c === 's') v = prec === undefined ? a : a.slice(0, Number(prec));
      else if (c === 'b') {
        const r = unescape(a, true);
        if (r.stop) return out + r.text;
        v = r.text;
      } else if (c === 'c') v = a.slice(0, 1);
      else {
        const num = a === '' ? 0 : /^['"]./.test(a) ? a.codePointAt(1)! : Number(a);
        if (!Number.isInteger(num)) return null;
        v =
          c === 'x'
            ? num.toString(16)
            : c === 'X'
              ? num.toString(16).toUpperCase()
              : c === 'o'
                ? num.toString(8)
                : String(num);
      }
      const w = Number(width || 0);
      if (v.length < w)
        v = flags.includes('-') ? v.padEnd(w) : v.padStart(w, flags.includes('0') && c !== 's' ? '0' : ' ');
      out += v;
    }
    if (!uses || k >= rest.length || out.length > MAX_BYTES) break;
  }
  return out.length > MAX_BYTES ? null : out;
}

/** `echo [-neE] ARGS…` as bash runs it (escapes only with -e), or null. */
export function echoText(args: string[]): string {
  let i = 0;
  let newline = true;
  let escapes = false;
  while (i < args.length && /^-[neE]+$/.test(args[i]!)) {
    for (const f of args[i]!.slice(1)) {
      if (f === 'n') newline = false;
      else escapes = f === 'e';
    }
    i++;
  }
  const text = args.slice(i).join(' ');
  if (!escapes) return text + (newline ? '\n' : '');
  const r = unescape(text, true);
  return r.text + (newline && !r.stop ? '\n' : '');
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(s: string): Buffer | null {
  const t = s.replace(/\s+/g, '').replace(/=+$/, '').toUpperCase();
  let bits = 0;
  let acc = 0;
  const out: number[] = [];
  for (const c of t) {
    const v = B32.indexOf(c);
    if (v < 0) return null;
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

function base64Decode(s: string, url = false): Buffer | null {
  const t = s.replace(/\s+/g, '');
  if (!(url ? /^[A-Za-z0-9_-]*=*$/ : /^[A-Za-z0-9+/]*=*$/).test(t)) return null;
  // a truncated input is an error for base64 -d, not text
  if (t.replace(/=+$/, '').length % 4 === 1 || (t.includes('=') && t.length % 4 !== 0)) return null;
  return Buffer.from(t, url ? 'base64url' : 'base64');
}

function hexDecode(s: string): Buffer | null {
  const t = s.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*[0-9a-fA-F]?$/.test(t)) return null;
  return Buffer.from(t.length % 2 ? t.slice(0, -1) : t, 'hex');
}

const flagsOf = (args: string[]) => args.filter((a) => /^-/.test(a) && a !== '-');
const operandsOf = (args: string[]) => args.filter((a) => !/^-/.test(a) || a === '-');
/** Short options given alone or bundled (`-d`, `-di`), or their long spelling. */
const has = (args: string[], short: string, long?: string) =>
  args.some((a) => (/^-[A-Za-z]+$/.test(a) && a.includes(short)) || (long !== undefined && a === long));

/** `tr` sets: ranges, the usual escapes and character classes; null for what is not modelled. */
function trSet(s: string): string | null {
  const classes: Record<string, string> = nullProto({
    lower: 'abcdefghijklmnopqrstuvwxyz',
    upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    digit: '0123456789',
    space: ' \t\n\r\f\v',
    blank: ' \t',
  });
  classes.alpha = classes.lower! + classes.upper!;
  classes.alnum = classes.alpha + classes.digit!;
  const chars: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const cls = /^\[:([a-z]+):\]/.exec(s.slice(i));
    if (cls) {
      const v = classes[cls[1]!];
      if (v === undefined) return null;
      chars.push(...v);
      i += cls[0].length - 1;
      continue;
    }
    if (s[i] === '[' && /^\[.\*\d*\]/.test(s.slice(i))) return null;
    let c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      const m = /^\\([0-7]{1,3}|.)/.exec(s.slice(i))!;
      c = /^[0-7]/.test(m[1]!) ? String.fromCharCode(parseInt(m[1]!, 8)) : unescape(m[0], false).text;
      i += m[0].length - 1;
    }
    if (s[i + 1] === '-' && i + 2 < s.length) {
      const end = s[i + 2]!;
      if (end.charCodeAt(0) < c.charCodeAt(0)) return null;
      for (let x = c.charCodeAt(0); x <= end.charCodeAt(0); x++) chars.push(String.fromCharCode(x));
      i += 2;
    } else chars.push(c);
  }
  return chars.join('');
}

function trText(args: string[], input: string): string | null {
  const flags = flagsOf(args).join('');
  if (/[^-dsrt]/.test(flags.replace(/^-+/, '').replace(/-/g, ''))) return null;
  const sets = operandsOf(args).map(trSet);
  if (sets.some((s) => s === null)) return null;
  const [a, b] = sets as string[];
  const del = flags.includes('d');
  const squeeze = flags.includes('s');
  if (a === undefined) return null;
  let out = '';
  if (del) {
    for (const c of input) if (!a.includes(c)) out += c;
    const sq = squeeze ? b : undefined;
    return sq === undefined ? out : squeezeText(out, sq);
  }
  if (b === undefined) return squeeze ? squeezeText(input, a) : null;
  const map = new Map<string, string>();
  for (let i = 0; i < a.length; i++) map.set(a[i]!, b[Math.min(i, b.length - 1)] ?? '');
  for (const c of input) out += map.get(c) ?? c;
  return squeeze ? squeezeText(out, b) : out;
}

function squeezeText(s: string, set: string): string {
  let out = '';
  for (const c of s) if (!(set.includes(c) && out.endsWith(c))) out += c;
  return out;
}

/** The bytes a filter writes for `input`, or null when the command is not one modelled exactly. */
export function filterOutput(argv: string[], input: Buffer): Buffer | null {
  const [name = '', ...args] = argv;
  const text = () => input.toString('latin1');
  const ops = operandsOf(args);
  // a filter reading a named file (`base64 -d payload.txt`) reads something this walk does not know
  if (name !== 'tr' && name !== 'openssl' && name !== 'basenc' && ops.some((o) => o !== '-')) return null;
  switch (name) {
    case 'cat':
      return args.length === 0 || (args.length === 1 && args[0] === '-') ? input : null;
    case 'base64':
      if (has(args, 'd', '--decode') || has(args, 'D')) return base64Decode(text());
      return flagsOf(args).every((f) => /^-w0?$|^--wrap=0$/.test(f))
        ? Buffer.from(input.toString('base64') + '\n', 'latin1')
        : null;
    case 'base32':
      return has(args, 'd', '--decode') ? base32Decode(text()) : null;
    case 'basenc': {
      if (!has(args, 'd', '--decode')) return null;
      if (args.includes('--base64')) return base64Decode(text());
      if (args.includes('--base64url')) return base64Decode(text(), true);
      if (args.includes('--base32')) return base32Decode(text());
      if (args.includes('--base16')) return hexDecode(text());
      return null;
    }
    case 'xxd': {
      const f = flagsOf(args).join(' ');
      return /(?:^|\s)-(?:r\s+-p|p\s+-r|rp|pr|ps\s+-r|r\s+-ps)(?:\s|$)|-r.*-plain|-plain.*-r/.test(f) ||
        (has(args, 'r') && has(args, 'p'))
        ? hexDecode(text())
        : null;
    }
    case 'openssl': {
      const dec = args.includes('-d');
      const b64 =
        args[0] === 'base64' || (args[0] === 'enc' && (args.includes('-base64') || args.includes('-a')));
      const rest = args.slice(1).filter((a) => !/^-(?:d|a|base64|A)$/.test(a));
      return dec && b64 && rest.length === 0 ? base64Decode(text()) : null;
    }
    case 'gunzip':
    case 'zcat':
    case 'gzip': {
      if (name === 'gzip' && !has(args, 'd', '--decompress')) return null;
      if (!flagsOf(args).every((f) => /^-[dcfq]+$/.test(f))) return null;
      try {
        const out = gunzipSync(input, { maxOutputLength: MAX_BYTES });
        return out;
      } catch {
        return null;
      }
    }
    case 'rev': {
      if (args.length > 0) return null;
      const s = input.toString('utf8');
      const lines = s.split('\n');
      return Buffer.from(lines.map((l) => [...l].reverse().join('')).join('\n'), 'utf8');
    }
    case 'tr': {
      const r = trText(args, text());
      return r === null ? null : Buffer.from(r, 'latin1');
    }
    default:
      return null;
  }
}

/** Decoded bytes as text a shell would read, or null for binary or oversized output (which stays unknown). */
export function asText(b: Buffer): string | null {
  if (b.length > MAX_BYTES) return null;
  const s = b.toString('utf8');
  if (s.includes('\uFFFD')) return null;
  // control bytes other than tab, newline and carriage return mark binary output
  for (const c of b) if (c === 0x7f || (c < 0x20 && c !== 9 && c !== 10 && c !== 13)) return null;
  return s;
}
