/**
 * Database clients that run shell commands from their own input: sqlite3's `.shell CMD` / `.system CMD`, psql's
 * `\! CMD`, the mysql/mariadb client's `system CMD` and `\! CMD`, found in `-c`/`-e`/`-cmd` values, positional SQL
 * and literal stdin (heredocs, here-strings, `echo … |`). Each command is parsed as shell like any other.
 */
import type { Invocation } from './invocation.js';

const SQLITE = /^\s*\.(?:shell|system)\s+(.+)$/gm;
const MYSQL = /^\s*(?:system|\\!)\s+(.+)$/gm;
const ESCAPES = new Map<string, RegExp>([
  ['sqlite3', SQLITE],
  ['sqlite', SQLITE],
  ['psql', /\\!\s*(.+)$/gm],
  ['mysql', MYSQL],
  ['mariadb', MYSQL],
]);

/** The shell commands a database client runs through its escapes, with how they were reached. */
export function clientShellEscapes(inv: Invocation): Array<{ text: string; how: string }> {
  const re = ESCAPES.get(inv.name);
  if (!re) return [];
  const texts = inv.args.map((a) => a.value).filter((v): v is string => v !== null && !/^-/.test(v));
  if (inv.stdin?.kind === 'literal' && inv.stdin.text) texts.push(inv.stdin.text);
  const out: Array<{ text: string; how: string }> = [];
  for (const t of texts) {
    for (const m of t.matchAll(re)) out.push({ text: m[1]!.trim(), how: `${inv.name} shell escape` });
  }
  return out;
}
