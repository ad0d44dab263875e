/**
 * Databases and tables the same command created before it drops them (`createdb t && … && dropdb t`,
 * `CREATE TABLE tmp AS …; …; DROP TABLE tmp`): a scratch object the command owns, so dropping it loses nothing that
 * was there before. A drop that comes first, or names anything else, is judged as usual.
 */
import type { Invocation } from '../shell/invocation.js';
import type { RuleContext } from './types.js';

const IDENT = String.raw`[\w."\`[\]]+`;
const CREATE = new RegExp(
  String.raw`\bCREATE\s+(?:(?:TEMP|TEMPORARY|UNLOGGED|OR\s+REPLACE)\s+)*(DATABASE|SCHEMA|TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?(${IDENT})`,
  'gi',
);
const DROP_STMT = new RegExp(
  String.raw`\bDROP\s+(DATABASE|SCHEMA|TABLE|KEYSPACE|COLLECTION)\s+(?:IF\s+EXISTS\s+)?(${IDENT}(?:\s*,\s*${IDENT})*)`,
  'gi',
);
const DROPDB_WITH_ARG = new Set(['-h', '--host', '-p', '--port', '-U', '--username', '--maintenance-db']);

const key = (kind: string, name: string) =>
  `${/^(?:DATABASE|SCHEMA)$/i.test(kind) ? 'db' : 'table'}:${name.replace(/["`[\]]/g, '').toLowerCase()}`;

/** What `inv` creates: `createdb NAME`, `mysqladmin create NAME`, and CREATE statements in its SQL. */
function creates(inv: Invocation, sql: (i: Invocation) => string): string[] {
  const out: string[] = [];
  const ops = operands(inv);
  if (inv.name === 'createdb' && ops[0]) out.push(key('DATABASE', ops[0]));
  if (/^(?:mysqladmin|mariadb-admin)$/.test(inv.name) && ops[0] === 'create' && ops[1])
    out.push(key('DATABASE', ops[1]));
  for (const m of sql(inv).matchAll(CREATE)) out.push(key(m[1]!, m[2]!));
  return out;
}

function operands(inv: Invocation): string[] {
  const out: string[] = [];
  for (let i = 0; i < inv.args.length; i++) {
    const v = inv.args[i]!.value;
    if (v === null) return [];
    if (DROPDB_WITH_ARG.has(v)) i++;
    else if (!v.startsWith('-')) out.push(v);
  }
  return out;
}

/** Objects created by commands that run before `inv` in the same tool call. */
function createdBefore(inv: Invocation, ctx: RuleContext, sql: (i: Invocation) => string): Set<string> {
  const out = new Set<string>();
  for (const other of ctx.script ?? []) {
    if (other === inv) break;
    for (const k of creates(other, sql)) out.add(k);
  }
  return out;
}

/** `dropdb NAME` / `mysqladmin drop NAME` of a database created earlier in the same command. */
export function dropsOwnDatabase(inv: Invocation, ctx: RuleContext, sql: (i: Invocation) => string): boolean {
  const ops = operands(inv);
  const name = inv.name === 'dropdb' ? ops[0] : ops[0] === 'drop' ? ops[1] : undefined;
  return name !== undefined && createdBefore(inv, ctx, sql).has(key('DATABASE', name));
}

/** Every DROP in `text` (normalized SQL of `inv`) names an object created before it, here or earlier. */
export function dropsOnlyOwn(
  inv: Invocation,
  text: string,
  ctx: RuleContext,
  sql: (i: Invocation) => string,
): boolean {
  const before = createdBefore(inv, ctx, sql);
  let any = false;
  for (const m of text.matchAll(DROP_STMT)) {
    any = true;
    const here = new Set(before);
    for (const c of text.slice(0, m.index).matchAll(CREATE)) here.add(key(c[1]!, c[2]!));
    for (const n of m[2]!.split(',')) if (!here.has(key(m[1]!, n.trim()))) return false;
  }
  return any;
}
