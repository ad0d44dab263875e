/**
 * Strings built from character codes or hex in code, replaced by the literal they spell, so the call that runs
 * them is judged on the text: perl/ruby `pack("H*", "726d…")`, `["726d…"].pack("H*")`, `chr(114).chr(109)`,
 * `join "", map { chr } (114, 109)`, python `bytes.fromhex("…").decode()`, `"".join(map(chr, [114, …]))`,
 * `chr(114) + chr(109)`, node `Buffer.from("…", "hex")`, `String.fromCharCode(114, 109)`. Nothing runs.
 */
const HEX = String.raw`(['"])((?:[0-9a-fA-F]{2})+)\1`;
const NUMS = String.raw`((?:\s*(?:0x[0-9a-fA-F]+|\d+)\s*,)*\s*(?:0x[0-9a-fA-F]+|\d+)\s*,?\s*)`;

/** Each pattern: the call shape, and which group holds the hex or the number list. */
const BUILDERS: Array<{ re: RegExp; hex?: number; nums?: number; chr?: boolean }> = [
  { re: new RegExp(String.raw`\bpack\s*\(?\s*['"]H\*['"]\s*,\s*${HEX}\s*\)?`, 'g'), hex: 2 },
  { re: new RegExp(String.raw`\[\s*${HEX}\s*\]\s*\.pack\(\s*['"]H\*['"]\s*\)`, 'g'), hex: 2 },
  {
    re: new RegExp(String.raw`\bbytes(?:array)?\.fromhex\(\s*${HEX}\s*\)(?:\.decode\([^)]*\))?`, 'g'),
    hex: 2,
  },
  {
    re: new RegExp(String.raw`\bBuffer\.from\(\s*${HEX}\s*,\s*['"]hex['"]\s*\)(?:\.toString\([^)]*\))?`, 'g'),
    hex: 2,
  },
  { re: new RegExp(String.raw`\bString\.fromCharCode\(${NUMS}\)`, 'g'), nums: 1 },
  // perl: join "", map { chr } (114, 109) / map { chr($_) } 114, 109
  {
    re: new RegExp(
      String.raw`\bjoin\s*\(?\s*['"]['"]\s*,\s*map\s*\{\s*chr(?:\s*\(?\s*\$_\s*\)?)?\s*\}\s*\(?${NUMS}\)?`,
      'g',
    ),
    nums: 1,
  },
  // python: "".join(map(chr, [114, 109])) / "".join(chr(c) for c in [114, 109])
  {
    re: new RegExp(
      String.raw`(['"])\1\.join\(\s*(?:map\(\s*chr\s*,\s*|chr\(\s*(\w+)\s*\)\s*for\s+\2\s+in\s+)[[(]${NUMS}[\])]\s*\)?\s*\)`,
      'g',
    ),
    nums: 3,
  },
  // ruby: [114, 109].pack("c*") / .map(&:chr).join
  {
    re: new RegExp(String.raw`\[${NUMS}\]\s*(?:\.pack\(\s*['"][cCU]\*['"]\s*\)|\.map\(&:chr\)\.join)`, 'g'),
    nums: 1,
  },
  { re: /\bchr\s*\(\s*(0x[0-9a-fA-F]+|\d+)\s*\)/g, nums: 1, chr: true },
];

const printable = (s: string) => s.length > 0 && /^[\t\n\r\x20-\x7e]*$/.test(s);
const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;

export function decodeCharCodes(text: string): string {
  if (!/pack|fromhex|Buffer\.from|fromCharCode|chr/.test(text)) return text;
  let t = text;
  for (const b of BUILDERS) {
    t = t.replace(b.re, (m, ...g: unknown[]) => {
      let s: string;
      if (b.hex !== undefined) s = Buffer.from(String(g[b.hex - 1]), 'hex').toString('latin1');
      else {
        const nums = String(g[b.nums! - 1])
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '')
          .map(Number);
        if (nums.length > 4096 || nums.some((n) => !Number.isInteger(n) || n < 0 || n > 0x10ffff)) return m;
        s = String.fromCodePoint(...nums);
      }
      return printable(s) ? quote(s) : m;
    });
  }
  // chr(114).chr(109) and chr(114) + chr(109), now adjacent literals: folded by the concatenation pass, which
  // knows each language's operator; perl's `.` join of literals is folded here as it is certain
  if (/'\s*\.\s*'/.test(t)) {
    for (let i = 0; i < 64; i++) {
      const before = t;
      t = t.replace(/'((?:[^'\\\n]|\\.)*)'\s*\.\s*'((?:[^'\\\n]|\\.)*)'/g, "'$1$2'");
      if (t === before) break;
    }
  }
  return t;
}
