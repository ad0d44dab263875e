/** Pack `db`: statements and tools that drop or empty databases. */
import type { Invocation } from '../shell/invocation.js';
import type { Rule } from './types.js';
import { dropsOnlyOwn, dropsOwnDatabase } from './created-here.js';

const DROP =
  /\bDROP\s+(?:DATABASE|SCHEMA|TABLE|KEYSPACE|COLLECTION)\b|\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?[\w."`[\]]+\s+DROP\s+(?!CONSTRAINT\b|INDEX\b|KEY\b|PRIMARY\b|FOREIGN\b|CHECK\b|DEFAULT\b|TRIGGER\b)/i;
const TRUNCATE = /\bTRUNCATE\b(?:\s+TABLE)?\s+[\w."`[\]]/i;

function deleteWithoutWhere(sql: string): boolean {
  for (const stmt of sql.split(';')) {
    const t = stmt.trim();
    if (!/\bDELETE\s+FROM\s+[\w."`[\]]+/i.test(t)) continue;
    if (!/\bWHERE\b|\bLIMIT\b/i.test(t) || alwaysTrueWhere(t)) return true;
  }
  return false;
}

function updateWithoutWhere(sql: string): boolean {
  return sql
    .split(';')
    .some(
      (stmt) =>
        /^\s*UPDATE\s+[\w."`[\]]+(?:\s+(?:AS\s+)?\w+)?\s+SET\b/i.test(stmt) &&
        (!/\bWHERE\b/i.test(stmt) || alwaysTrueWhere(stmt)),
    );
}

/**
 * A WHERE clause that holds for every row: `WHERE 1=1`, `WHERE true`, `WHERE 1`, `WHERE x = x`, `WHERE '' = ''`,
 * `WHERE 2 > 1`, `WHERE NOT false`, or any of them OR-ed onto a real condition (`WHERE id = 3 OR 1 = 1`).
 */
export function alwaysTrueWhere(stmt: string): boolean {
  const m = /\bWHERE\b([\s\S]*?)(?:\bORDER\s+BY\b|\bLIMIT\b|\bRETURNING\b|$)/i.exec(stmt);
  if (!m) return false;
  return m[1]!.split(/\bOR\b/i).some((d) => tautology(d));
}

function tautology(cond: string): boolean {
  const c = cond.replace(/[()]/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
  if (/^(?:true|not false|not 0|1|-?[1-9]\d*|'' is not null|1 is not null)$/.test(c)) return true;
  const cmp = /^([\w.'"`]+) ?(=|==|<>|!=|>=|<=|>|<|is) ?([\w.'"`]+)$/.exec(c);
  if (!cmp) return false;
  const [, l, op, r] = cmp as unknown as [string, string, string, string];
  if (l === r) return op === '=' || op === '==' || op === '>=' || op === '<=' || op === 'is';
  const a = Number(l);
  const b = Number(r);
  if (!Number.isFinite(a) || !Number.isFinite(b) || /[a-z_'"`]/.test(l + r)) return false;
  return op === '<>' || op === '!='
    ? a !== b
    : op === '>'
      ? a > b
      : op === '<'
        ? a < b
        : op === '>='
          ? a >= b
          : op === '<='
            ? a <= b
            : a === b;
}

/**
 * SQL as the server reads it, for keyword matching: comments become a space (`DROP/**\/TABLE` is `DROP TABLE`) and
 * string literals become empty (`SELECT 'DROP TABLE x'` drops nothing).
 */
export function normalizeSql(sql: string, comment = ' '): string {
  // one left-to-right pass, as the server lexes: a `--` inside a string is text, a quote inside a comment is too.
  // MySQL runs the body of `/*! … */` (and `/*!50000 … */`), so that body is code, not a comment.
  return sql.replace(/\/\*[\s\S]*?(?:\*\/|$)|--[^\n]*|'(?:[^']|'')*(?:'|$)|\$\$[\s\S]*?(?:\$\$|$)/g, (m) => {
    const run = /^\/\*!(?:\d{5,6})?([\s\S]*?)(?:\*\/)?$/.exec(m);
    if (run) return ` ${normalizeSql(run[1]!, comment)} `;
    return m.startsWith('/*') || m.startsWith('--') ? comment : "''";
  });
}

/**
 * Also the text with comments removed outright: `DR/**\/OP` is no keyword to PostgreSQL or MySQL (a comment is a
 * space there, so it is a syntax error), but nobody writes it except to slip `DROP` past a matcher.
 */
function sqlForms(sql: string): string {
  return normalizeSql(sql) + ';\n' + normalizeSql(sql, '');
}

/** MongoDB calls that drop or empty a database or collection (in mongosh, or in driver code). */
export const MONGO_WIPE =
  /\.(?:dropDatabase|drop|dropCollection|drop_database|drop_collection)\s*\(|\.(?:deleteMany|remove|delete_many)\s*\(\s*(?:\{\s*\})?\s*\)/;

const REDIS_CLIENTS = ['redis-cli', 'valkey-cli', 'keydb-cli'];

const SQL_CLIENTS = [
  'psql',
  'mysql',
  'mariadb',
  'sqlite3',
  'sqlite',
  'duckdb',
  'clickhouse-client',
  'clickhouse',
  'cockroach',
  'sqlcmd',
  'usql',
  'pgcli',
  'mycli',
  'litecli',
  'snowsql',
  'bq',
  'cqlsh',
  'trino',
  'presto',
];
const SQL_FLAGS = new Set([
  '-c',
  '--command',
  '-e',
  '--execute',
  '-q',
  '--query',
  '-Q',
  '-cmd',
  '--sql',
  '-s',
]);

/** The SQL text an invocation of a database client runs: -c/-e/-q values, sqlite positional SQL, and its stdin. */
export function sqlOf(inv: Invocation): string {
  const parts: string[] = [];
  const a = inv.args;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!.value ?? '';
    const eq = v.indexOf('=');
    // a computed value counts as written (`psql -c "drop table $t"` drops whatever $t is)
    if (SQL_FLAGS.has(v)) parts.push(a[i + 1]?.value ?? a[i + 1]?.text ?? '');
    else if (eq > 0 && SQL_FLAGS.has(v.slice(0, eq))) parts.push(v.slice(eq + 1));
    else if (/^-e./.test(v) && inv.name !== 'sqlite3') parts.push(v.slice(2));
    // bundled short flags ending in the SQL one: `psql -Atc SQL`, `mysql -Ne SQL`
    else if (/^-[A-Za-z]{2,}$/.test(v) && /[ceq]$/.test(v) && !/^sqlite/.test(inv.name))
      parts.push(a[i + 1]?.value ?? a[i + 1]?.text ?? '');
  }
  if (/^(?:sqlite3?|duckdb|bq|cqlsh)$/.test(inv.name)) {
    for (const x of a) if (x.value && !x.value.startsWith('-') && /\s/.test(x.value)) parts.push(x.value);
  }
  if (inv.stdin?.kind === 'literal' && inv.stdin.text) parts.push(inv.stdin.text);
  if (inv.sqlFiles) parts.push(inv.sqlFiles);
  return parts.join(';\n');
}

const sqlOfNormalized = (inv: Invocation): string =>
  SQL_CLIENTS.includes(inv.name) ? normalizeSql(sqlOf(inv)) : '';

const sql = (id: string, reason: string, test: (s: string) => boolean): Rule => ({
  id,
  pack: 'db',
  reason,
  commands: SQL_CLIENTS,
  match: (inv) => test(sqlForms(sqlOf(inv))),
});

/** Cypher that deletes every node a MATCH without WHERE finds: `MATCH (n) DETACH DELETE n`. */
const CYPHER_WIPE =
  /\bMATCH\s*\([^)]*\)(?:\s*<?-\s*\[[^\]]*\]\s*->?\s*\([^)]*\))*\s*(?:(?:OPTIONAL\s+)?MATCH\s*\([^)]*\)\s*)*(?:WITH\s+\w+\s+)?(?:DETACH\s+)?DELETE\b/i;
const CYPHER_CLIENTS = ['cypher-shell', 'mgconsole', 'neo4j-shell'];

/** A string literal in SQL that spells a destructive statement: the query prints statements to be run. */
const DESTRUCTIVE_LITERAL =
  /'[^']*\b(?:drop\s+(?:table|database|schema|view)|truncate\b|delete\s+from)\b[^']*'/i;

/**
 * `sqlite3 db "SELECT 'DROP TABLE ' || name …" | sqlite3 db`: one client generates destructive statements and
 * another (or the same one through `$(…)`) runs them. The generating query is harmless alone; the pair is a drop.
 */
function runsGeneratedSql(inv: Invocation): string | false {
  const fed = [...(inv.stdin && inv.stdin.kind !== 'literal' ? inv.upstream : []), ...inv.subs];
  for (const u of fed) {
    if (!SQL_CLIENTS.includes(u.name)) continue;
    const m = DESTRUCTIVE_LITERAL.exec(sqlOf(u));
    if (m) return `${u.name} generates ${m[0].slice(0, 40)}`;
  }
  return false;
}

export const databaseRules: Rule[] = [
  {
    id: 'db.generated-sql',
    pack: 'db',
    reason: 'runs DROP/TRUNCATE/DELETE statements that another query generates (one per table); ask the user',
    commands: SQL_CLIENTS,
    match: runsGeneratedSql,
  },
  {
    id: 'db.drop',
    pack: 'db',
    reason: 'DROP DATABASE/SCHEMA/TABLE or ALTER TABLE … DROP COLUMN destroys data; ask the user',
    commands: SQL_CLIENTS,
    match: (inv, ctx) => {
      const s = sqlForms(sqlOf(inv));
      if (!DROP.test(s)) return false;
      // a scratch database or table this command created first (ALTER … DROP is always judged)
      const alter = /\bALTER\s+TABLE\b[\s\S]*\bDROP\b/i.test(s);
      return alter || !dropsOnlyOwn(inv, normalizeSql(sqlOf(inv)), ctx, sqlOfNormalized);
    },
  },
  sql('db.truncate', 'TRUNCATE empties a table; ask the user', (s) => TRUNCATE.test(s)),
  sql(
    'db.delete-without-where',
    'DELETE without WHERE (or with one that is always true, WHERE 1=1) empties the table; add a real WHERE clause, or ask the user',
    deleteWithoutWhere,
  ),
  sql(
    'db.update-without-where',
    'UPDATE without WHERE (or with one that is always true) rewrites every row; add a real WHERE clause, or ask the user',
    updateWithoutWhere,
  ),
  {
    id: 'db.graph-wipe',
    pack: 'db',
    reason:
      'deletes every node of a graph database (MATCH without WHERE … DELETE, DROP DATABASE); ask the user',
    commands: CYPHER_CLIENTS,
    match: (inv) => {
      const text = [
        ...inv.args.map((a) => a.value ?? ''),
        inv.stdin?.kind === 'literal' ? (inv.stdin.text ?? '') : '',
      ]
        .join('\n')
        .replace(/\s+/g, ' ');
      const m = CYPHER_WIPE.exec(text) ?? /\bDROP\s+DATABASE\b/i.exec(text);
      return m ? m[0].slice(0, 80) : false;
    },
  },
  {
    id: 'db.redis-flush',
    pack: 'db',
    reason:
      'FLUSHALL/FLUSHDB deletes every key (also inside EVAL scripts or sent raw over a socket); ask the user',
    commands: [...REDIS_CLIENTS, 'nc', 'ncat', 'netcat', 'socat', 'telnet'],
    match: (inv) => {
      const stdin = inv.stdin?.kind === 'literal' ? (inv.stdin.text ?? '') : '';
      if (!REDIS_CLIENTS.includes(inv.name)) return /\bflush(?:all|db)\b/i.test(stdin);
      return (
        inv.args.some((a) => /\bflush(?:all|db)\b/i.test(a.value ?? '')) || /\bflush(?:all|db)\b/i.test(stdin)
      );
    },
  },
  {
    id: 'db.redis-mass-delete',
    pack: 'db',
    reason:
      'deletes every key a scan of all keys returns (--scan / KEYS * piped to DEL); use a narrow --pattern, or ask the user',
    commands: REDIS_CLIENTS,
    match: (inv) => {
      if (!inv.appendsArgs || !inv.args.some((a) => /^(?:del|unlink)$/i.test(a.value ?? ''))) return false;
      const scan = inv.upstream.find((u) => REDIS_CLIENTS.includes(u.name));
      if (!scan) return false;
      const v = scan.args.map((a) => a.value ?? '*');
      const k = v.findIndex((x) => /^keys$/i.test(x));
      const p = v.findIndex((x) => x === '--pattern');
      const pattern = k !== -1 ? v[k + 1] : v.includes('--scan') ? (p !== -1 ? v[p + 1] : '*') : null;
      return pattern !== null && pattern !== undefined && /^\**$/.test(pattern)
        ? `${scan.display.slice(0, 60)} | xargs ${inv.name} del`
        : false;
    },
  },
  {
    id: 'db.dropdb',
    pack: 'db',
    reason: 'drops a whole database; ask the user',
    commands: ['dropdb', 'mysqladmin', 'mariadb-admin'],
    match: (inv, ctx) =>
      (inv.name === 'dropdb' || inv.args.some((a) => a.value === 'drop')) &&
      !dropsOwnDatabase(inv, ctx, sqlOfNormalized),
  },
  {
    id: 'db.mongo-drop',
    pack: 'db',
    reason: 'drops a MongoDB database or collection; ask the user',
    commands: ['mongo', 'mongosh'],
    match: (inv) => {
      const text = inv.args.map((a) => a.value ?? '').join(' ') + (inv.stdin?.text ?? '');
      return MONGO_WIPE.test(text);
    },
  },
];

export const _test = { deleteWithoutWhere, updateWithoutWhere, DROP, TRUNCATE };
export { DROP, TRUNCATE, deleteWithoutWhere, updateWithoutWhere };
