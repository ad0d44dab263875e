/**
 * sqlite3's own file access: the SQL functions `readfile`/`writefile`/`edit`/`load_extension` and the dot
 * commands that open files (`.read`, `.import`, `.output`, `.once`, `.load`), plus `ATTACH`/`VACUUM INTO`, which
 * create a file. A read of a credential file is a credential read, a write to a file that runs code later (or a
 * credential or system file) is the same write the shell rules block, and loading native code is running it.
 */
import { resolveLexical, runsLater, stateFile } from '../paths.js';
import type { Invocation } from '../shell/invocation.js';
import { sqlOf } from './database.js';
import { isSystemFile } from './machine.js';
import type { Rule, RuleContext } from './types.js';

const SQLITE = ['sqlite3', 'sqlite', 'litecli'];

type Access = { op: 'read' | 'write'; path: string | null; how: string };

/** A SQL string literal ('x', "x", X'hex'), or null when the argument is computed (a column, `'a'||'b'`). */
function literal(arg: string): string | null {
  const t = arg.trim();
  let m = /^'((?:[^']|'')*)'$/.exec(t);
  if (m) return m[1]!.replace(/''/g, "'");
  m = /^"((?:[^"]|"")*)"$/.exec(t);
  if (m) return m[1]!.replace(/""/g, '"');
  m = /^x'([0-9a-f]*)'$/i.exec(t);
  if (m && m[1]!.length % 2 === 0) return Buffer.from(m[1]!, 'hex').toString('latin1');
  return null;
}

/** The first argument of a call whose `(` is at `open`: the text up to the first top-level `,` or `)`. */
function firstArg(sql: string, open: number): { text: string; more: boolean } {
  let depth = 0;
  let quote = '';
  for (let i = open + 1; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && depth-- === 0) return { text: sql.slice(open + 1, i), more: false };
    else if (c === ',' && depth === 0) return { text: sql.slice(open + 1, i), more: true };
  }
  return { text: sql.slice(open + 1), more: false };
}

/** A computed argument that is built to hide a path (`'/home/dev/.ss'||'h/id_rsa'`, `char(47,…)`), not a column. */
const BUILT = /\|\||\bchar\s*\(|\bunhex\s*\(|\bconcat\s*\(|\bprintf\s*\(|\bformat\s*\(|\breplace\s*\(/i;

/** The files the SQL and dot commands of one sqlite3 call open, and native code or programs it runs. */
function accesses(sql: string): { files: Access[]; runs: string | null } {
  const files: Access[] = [];
  let runs: string | null = null;
  for (const m of sql.matchAll(/\b(readfile|writefile|edit|load_extension)\s*\(/gi)) {
    const fn = m[1]!.toLowerCase();
    const arg = firstArg(sql, m.index + m[0].length - 1);
    if (fn === 'load_extension') runs ??= `load_extension(${arg.text.trim().slice(0, 60)})`;
    // edit(TEXT, EDITOR) runs EDITOR as a program
    else if (fn === 'edit') {
      if (arg.more) runs ??= 'edit(…, EDITOR)';
    } else {
      const path = literal(arg.text);
      if (path !== null || BUILT.test(arg.text))
        files.push({
          op: fn === 'readfile' ? 'read' : 'write',
          path,
          how: `${fn}(${arg.text.trim().slice(0, 60)})`,
        });
    }
  }
  for (const m of sql.matchAll(
    /^[ \t]*\.(read|import|output|once|load|open|backup|save|restore)[ \t]+(.*)$/gim,
  )) {
    const cmd = m[1]!.toLowerCase();
    // sqlOf joins the pieces with `;\n`, which a dot command does not take
    const words = (m[2]!.replace(/;\s*$/, '').match(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\S+/g) ?? []).filter(
      (w) => !w.startsWith('-'),
    );
    // `.backup ?DB? FILE`, `.restore ?DB? FILE`: the file is the last word; `.import FILE TABLE`: the first
    const first = (/^(?:backup|save|restore)$/.test(cmd) ? words[words.length - 1] : words[0]) ?? '';
    const path = literal(first) ?? first;
    if (cmd === 'load') runs ??= `.load ${path}`;
    else if (path.startsWith('|')) runs ??= `.${cmd} ${path}`;
    else if (path !== '')
      files.push({
        op: cmd === 'read' || cmd === 'import' || cmd === 'open' || cmd === 'restore' ? 'read' : 'write',
        path,
        how: `.${cmd} ${path}`,
      });
  }
  for (const m of sql.matchAll(
    /\b(?:attach(?:\s+database)?|vacuum(?:\s+\w+)?\s+into)\s+('(?:[^']|'')*'|"(?:[^"]|"")*")/gi,
  ))
    files.push({ op: 'write', path: literal(m[1]!), how: m[0].slice(0, 80) });
  return { files, runs };
}

const accessesOf = (inv: Invocation) => accesses(sqlOf(inv));
const abs = (p: string, ctx: RuleContext) => resolveLexical(p, { cwd: ctx.cwd, home: ctx.home });

export const sqliteFileRules: Rule[] = [
  {
    id: 'cred.sqlite-file',
    pack: 'cred',
    reason:
      'reads a credential or .env file through sqlite3 (readfile, .read, .import); ask the user for what you need instead',
    commands: SQLITE,
    match: (inv, ctx) => {
      for (const f of accessesOf(inv).files) {
        if (f.op !== 'read') continue;
        if (f.path === null) return `${f.how} (a path built at run time)`;
        const hit = ctx.sensitive.match(abs(f.path, ctx));
        if (hit) return `${hit.entry} via ${f.how}`;
      }
      return false;
    },
  },
  {
    id: 'write.sqlite-file',
    pack: 'write',
    reason:
      'writes a credential, system or run-later file (shell startup, git hooks or config) through sqlite3 (writefile, .output, ATTACH); ask the user',
    commands: SQLITE,
    match: (inv, ctx) => {
      for (const f of accessesOf(inv).files) {
        if (f.op !== 'write') continue;
        if (f.path === null) return `${f.how} (a path built at run time)`;
        const p = abs(f.path, ctx);
        const kind =
          (ctx.sensitive.match(p, true) ? 'credential' : null) ??
          runsLater(p, ctx.home) ??
          stateFile(p) ??
          (isSystemFile(p, true) ? 'system file' : null);
        if (kind) return `${kind}: ${p} via ${f.how}`;
      }
      return false;
    },
  },
  {
    id: 'exec.sqlite-code',
    pack: 'exec',
    reason:
      'makes sqlite3 load native code (load_extension, .load) or run a program (edit with an editor, a |command file); run what you need directly',
    commands: SQLITE,
    match: (inv) => accessesOf(inv).runs ?? false,
  },
];
