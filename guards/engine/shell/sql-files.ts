/**
 * The SQL files a database client runs: `psql -f F` / `--file=F`, `< F`, `\i F` / `\ir F` / `\include F` inside
 * `-c`, sqlite's `.read F`, mysql's `source F` / `\. F`. With the text this command wrote to them, a rule sees the
 * statements as if they were given inline (`printf 'DROP TABLE …' > x.sql && psql -c '\i x.sql'`).
 */
import type { Invocation } from './invocation.js';
import { staticValue } from './words.js';

const CLIENT =
  /^(?:psql|mysql|mariadb|sqlite3?|duckdb|pgcli|mycli|litecli|usql|cockroach|clickhouse-client)$/;
const INCLUDE =
  /(?:^|[\n;])\s*(?:\\i[r]?|\\include(?:_relative)?|\.read|source|\\\.)\s+(['"]?)([^\s'";]+)\1/g;

export function sqlFilesOf(inv: Invocation): string[] {
  if (!CLIENT.test(inv.name)) return [];
  const out: string[] = [];
  const a = inv.args;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!.value ?? '';
    if ((v === '-f' || v === '--file') && a[i + 1]?.value) out.push(a[i + 1]!.value!);
    else if (v.startsWith('--file=')) out.push(v.slice(7));
    else if (/^-f./.test(v) && inv.name === 'psql') out.push(v.slice(2));
    for (const m of v.matchAll(INCLUDE)) out.push(m[2]!);
  }
  for (const r of inv.redirs)
    if (r.op === '<' && r.target && (r.fd === null || r.fd === '0')) {
      const t = staticValue(r.target);
      if (t) out.push(t);
    }
  return out;
}
