/**
 * Round 7 rules: the environment staged in a file, and database clients fed text a decoder produced. Each names
 * a class of evasion rather than one spelling (see docs/GUARDS.md, "Round 7").
 */
import type { Invocation } from '../shell/invocation.js';
import { staticValue } from '../shell/words.js';
import type { Rule } from './types.js';

/** Commands that print every variable with its value. */
function dumpsEnv(inv: Invocation): boolean {
  const v = inv.args.map((a) => a.value);
  if (v.some((x) => x === null)) return false;
  const args = v as string[];
  switch (inv.name) {
    case 'env':
    case 'printenv':
      return args.every((a) => /^(?:-0|--null|-i|--ignore-environment|-)$/.test(a));
    case 'export':
      return args.length > 0 && args.every((a) => a === '-p');
    case 'declare':
    case 'typeset':
      return args.length > 0 && args.every((a) => /^-[xp]+$/.test(a));
    case 'set':
      return args.length === 0;
    default:
      return false;
  }
}

/** Pipeline stages that pass the values on (sorted, filtered by line, encoded), unlike `cut -d= -f1` or `wc`. */
const KEEPS_VALUES = new Set(['sort', 'uniq', 'tee', 'cat', 'base64', 'gzip', 'xxd', 'od', 'tr', 'head', 'tail']);

/** A file that `inv`'s standard output goes to (`> f`, `>> f`), other than /dev/null and the terminal. */
function fileTarget(inv: Invocation): string | null {
  for (const r of inv.redirs) {
    if (!r.target || r.heredoc || (r.fd !== null && r.fd !== '1') || !/^(?:>|>>|>\||&>|&>>)$/.test(r.op)) continue;
    const t = staticValue(r.target);
    if (t === null || !/^\/dev\/(?:null|stdout|stderr|tty|fd\/[12])$/.test(t)) return t ?? '(computed)';
  }
  if (inv.name === 'tee') {
    const f = inv.args.find((a) => a.value === null || !a.value.startsWith('-'));
    if (f) return f.value ?? f.text;
  }
  return null;
}

const OBFUSCATORS = new Set(['base64', 'base32', 'basenc', 'xxd', 'uudecode', 'rev', 'openssl']);
const DB_CLIENTS = [
  'psql',
  'mysql',
  'mariadb',
  'sqlite3',
  'sqlite',
  'duckdb',
  'clickhouse-client',
  'cockroach',
  'sqlcmd',
  'usql',
  'pgcli',
  'mycli',
  'redis-cli',
  'valkey-cli',
  'mongosh',
  'mongo',
  'cqlsh',
];

/** The decoder whose output a database client runs: its stdin, or a substitution in its arguments. */
function decodedInput(inv: Invocation): string | null {
  if (inv.stdin?.kind === 'decoded') {
    const up = inv.upstream[inv.upstream.length - 1];
    if (up && OBFUSCATORS.has(up.name)) return up.display;
    if (/^(?:printf with escapes|echo -e)$/.test(inv.stdin.desc)) return inv.stdin.desc;
    if (!up && OBFUSCATORS.has(inv.stdin.desc.split(' ')[0]!)) return inv.stdin.desc;
  }
  const sub = inv.subs.find((s) => OBFUSCATORS.has(s.name));
  return sub ? `$(${sub.display})` : null;
}

export const round7Rules: Rule[] = [
  {
    id: 'cred.env-to-file',
    pack: 'cred',
    reason:
      'writes every environment variable with its value (API keys, tokens) to a file; write only the variables you need',
    commands: ['env', 'printenv', 'export', 'declare', 'typeset', 'set'],
    match: (inv) => {
      if (!dumpsEnv(inv)) return false;
      const own = fileTarget(inv);
      if (own) return `${inv.name} > ${own}`;
      for (const d of inv.downstream) {
        if (!KEEPS_VALUES.has(d.name)) return false;
        const t = fileTarget(d);
        if (t) return `${inv.name} | ${d.name} > ${t}`;
      }
      return false;
    },
  },
  {
    id: 'db.decoded-input',
    pack: 'db',
    reason: 'feeds a database client statements a decoder produced, unseen; write the statements out plainly',
    commands: DB_CLIENTS,
    match: (inv) => {
      const d = decodedInput(inv);
      return d ? `${d} → ${inv.name}` : false;
    },
  },
];
