/**
 * Tools used for a job that is not theirs: awk's network files as a remote shell (`/inet/tcp/…` with a coprocess
 * `|&`), socat moving a credential file to a socket (`FILE:~/.netrc TCP:h:p`), delete packages run by a package
 * runner or installed (`npx rimraf ~/.config`, `trash ~/.ssh`), MongoDB updates with an empty filter, SQL read from
 * a file the same command wrote (`mysql -e "$(cat /tmp/q.sql)"`), and a container's environment read from outside
 * (`docker inspect --format '{{.Config.Env}}'`, `docker exec c env`).
 */
import { resolveLexical } from '../paths.js';
import type { Invocation } from '../shell/invocation.js';
import { staticValue } from '../shell/words.js';
import { dangerousTarget, writtenFiles } from './code-runners.js';
import { DROP, TRUNCATE, deleteWithoutWhere, normalizeSql, updateWithoutWhere } from './database.js';
import { toolWords } from './db-tools.js';
import { LOCAL_HOST } from './sinks.js';
import type { Rule, RuleContext } from './types.js';

const AWKS = ['awk', 'gawk', 'mawk', 'nawk', 'busybox-awk'];
/** gawk's network special files; the host is the fourth part (`/inet/tcp/LPORT/HOST/RPORT`). */
const INET = /\/inet[46]?\/(?:tcp|udp)\/[^/"]*\/([^/"]*)/;
/** What runs a command in awk: system(), a pipe to or from a command, a coprocess other than the socket. */
const AWK_RUNS = /\bsystem\s*\(|\|\s*"(?:ba|z|da)?sh"|\b(\w+)\s*\|&?\s*getline|\|&\s*(\w+)/g;

function awkReverseShell(inv: Invocation, ctx: RuleContext): string | false {
  const code = inv.code?.lang === 'awk' ? inv.code.text : null;
  if (!code) return false;
  const m = INET.exec(code);
  if (!m) return false;
  // a literal loopback host is a local service (a health check); a host from a variable could be anywhere
  if (m[1] && LOCAL_HOST.test(m[1])) return false;
  const sock = /(\w+)\s*=\s*"\/inet/.exec(code)?.[1];
  for (const r of code.matchAll(AWK_RUNS)) {
    const v = r[1] ?? r[2];
    if (v === undefined || (v !== sock && v !== 'getline'))
      return `awk ${m[0]} runs commands (${r[0].trim()})`;
  }
  for (const f of code.matchAll(/getline\s*<\s*"([^"]+)"/g)) {
    const abs = resolveLexical(f[1]!, { cwd: inv.cwd, home: ctx.home });
    if (ctx.sensitive.match(abs)) return `awk sends ${f[1]} to ${m[0]}`;
  }
  return false;
}

/** socat addresses: files read, and remote sockets. */
const SOCAT_FILE = /^(?:FILE|OPEN|GOPEN|READ|CREATE|PIPE):([^,]+)/i;
const SOCAT_NET =
  /^(?:TCP[46]?|UDP[46]?|SCTP[46]?|OPENSSL|SSL|DTLS|SOCKS[45]A?|PROXY|UDP-SENDTO|TCP-CONNECT):(\[[^\]]+\]|[^:,]+)/i;

function socatSendsCredential(inv: Invocation, ctx: RuleContext): string | false {
  let file: string | null = null;
  let host: string | null = null;
  for (const a of inv.args) {
    const v = a.value ?? a.text;
    const f = SOCAT_FILE.exec(v);
    if (f) file = f[1]!;
    const n = SOCAT_NET.exec(v);
    if (n && !/LISTEN/i.test(v)) host = n[1]!.replace(/^\[|\]$/g, '');
  }
  if (!file || !host || LOCAL_HOST.test(host)) return false;
  const abs = resolveLexical(file, { cwd: inv.cwd, home: ctx.home });
  const hit = ctx.sensitive.match(abs);
  return hit ? `socat ${file} → ${host}` : false;
}

/** Delete tools by package or program name (a package runner's tool, or installed). */
const DELETERS =
  /^(?:rimraf|del-cli|del|trash|trash-cli|trash-put|rm-cli|rmrf|premove|rimraf-cli|delete-cli|gio)(?:@.*)?$/;

function deletePackage(inv: Invocation, ctx: RuleContext): string | false {
  const words = toolWords(inv);
  const tool = words[0] ?? '';
  if (!DELETERS.test(tool)) return false;
  let ops = words.slice(1);
  if (tool === 'gio') {
    if (ops[0] !== 'trash' && ops[0] !== 'remove') return false;
    ops = ops.slice(1);
  }
  for (const o of ops) {
    if (o === '' || o.startsWith('-') || o.startsWith('!')) continue;
    const why = dangerousTarget(o.replace(/\/\*\*?$/, ''), ctx, inv.cwd);
    if (why) return `${tool} ${o} (${why})`;
  }
  return false;
}

/** MongoDB updates of every document: an empty filter (`updateMany({}, …)`, `update({}, …, {multi: true})`). */
const MONGO_UPDATE_ALL =
  /\.(?:updateMany|update_many|replaceMany)\s*\(\s*\{\s*\}|\.update\s*\(\s*\{\s*\}[^;]*\bmulti\s*:\s*true/;

function mongoText(inv: Invocation): string {
  return inv.args.map((a) => a.value ?? '').join(' ') + (inv.stdin?.text ?? '');
}

const SQL_CLIENTS = [
  'psql',
  'mysql',
  'mariadb',
  'sqlite3',
  'sqlite',
  'duckdb',
  'clickhouse-client',
  'sqlcmd',
  'usql',
  'pgcli',
  'mycli',
  'cockroach',
];

/** SQL a client runs from `$(cat F)` / `$(< F)` of a file the same command wrote. */
function writtenSql(inv: Invocation, ctx: RuleContext): string | false {
  const files = writtenFiles(ctx);
  if (files.size === 0) return false;
  for (const s of inv.subs) {
    const names =
      s.name === 'cat'
        ? s.args.map((a) => a.value)
        : s.name === '' || s.name === ':'
          ? s.redirs.filter((r) => r.op === '<' && r.target).map((r) => staticValue(r.target!))
          : [];
    for (const n of names) {
      if (!n) continue;
      const text = files.get(resolveLexical(n, { cwd: s.cwd, home: ctx.home }));
      if (text === undefined) continue;
      const sql = normalizeSql(text);
      if (DROP.test(sql) || TRUNCATE.test(sql) || deleteWithoutWhere(sql) || updateWithoutWhere(sql))
        return `${inv.name} runs ${n}: ${sql.slice(0, 50)}`;
    }
  }
  return false;
}

/** `docker inspect` formats and `jq` paths that print the container's environment. */
const ENV_FIELD = /\.(?:Config\.)?Env\b/;
const WITH_VALUE = new Set([
  '-e',
  '--env',
  '-u',
  '--user',
  '-w',
  '--workdir',
  '--env-file',
  '-c',
  '--container',
  '-n',
  '--namespace',
  '--context',
]);

function containerEnv(inv: Invocation): string | false {
  const v = inv.args.map((a) => a.value ?? a.text);
  if (/^(?:docker|podman|nerdctl)$/.test(inv.name)) {
    let i = 0;
    if (v[0] === 'container' || v[0] === 'image') i = 1;
    if (v[i] === 'inspect') {
      const fmt = v.find(
        (x, k) => /^--format=|^-f./.test(x) || (/^(?:-f|--format)$/.test(v[k - 1] ?? '') && k > i),
      );
      if (fmt && ENV_FIELD.test(fmt)) return `${inv.name} inspect ${fmt}`;
      const jq = inv.downstream.find((d) => d.name === 'jq' || d.name === 'grep');
      if (jq && jq.args.some((a) => ENV_FIELD.test(a.value ?? '') || /^"?Env"?$/.test(a.value ?? '')))
        return `${inv.name} inspect | ${jq.name} Env`;
      return false;
    }
  }
  if (/^(?:docker|podman|nerdctl|kubectl|oc)$/.test(inv.name) && v.includes('exec')) {
    let k = v.indexOf('exec') + 1;
    const dashdash = v.indexOf('--', k);
    if (inv.name === 'kubectl' || inv.name === 'oc') k = dashdash === -1 ? k + 1 : dashdash + 1;
    else {
      while (k < v.length && v[k]!.startsWith('-')) k += WITH_VALUE.has(v[k]!) ? 2 : 1;
      k++;
    }
    let cmd = v.slice(k);
    // `docker exec c sh -c 'printenv'`: the shell's command string
    if (/^(?:ba|da|z)?sh$/.test(cmd[0] ?? '') && cmd[1] === '-c') cmd = (cmd[2] ?? '').trim().split(/\s+/);
    const dumps =
      (/^(?:env|printenv)$/.test(cmd[0] ?? '') && cmd.slice(1).every((x) => /^-(?:0|-null)$/.test(x))) ||
      (cmd[0] === 'export' && cmd[1] === '-p' && cmd.length === 2);
    return dumps ? `${inv.name} exec … ${cmd.join(' ')}` : false;
  }
  return false;
}

export const toolMisuseRules: Rule[] = [
  {
    id: 'net.awk-reverse-shell',
    pack: 'net',
    reason:
      'awk opens a network connection (/inet/tcp) and runs commands or sends a credential file through it (a remote shell); ask the user',
    commands: AWKS,
    match: awkReverseShell,
  },
  {
    id: 'exfil.socat-file',
    pack: 'exfil',
    reason: 'socat sends a credential file to a remote socket; ask the user',
    commands: ['socat'],
    match: socatSendsCredential,
  },
  {
    id: 'fs.delete-package',
    pack: 'fs',
    reason:
      'a delete tool (rimraf, del-cli, trash) removes the home directory, the workspace, a system directory or credentials; delete only specific paths',
    match: deletePackage,
  },
  {
    id: 'db.mongo-update-all',
    pack: 'db',
    reason:
      'updates every document of a MongoDB collection (an empty filter); add a real filter, or ask the user',
    // mongosh scripts, and driver code (`coll.update_many({}, …)` in python -c, node -e)
    match: (inv) =>
      inv.code?.text
        ? MONGO_UPDATE_ALL.test(inv.code.text)
        : (inv.name === 'mongo' || inv.name === 'mongosh') && MONGO_UPDATE_ALL.test(mongoText(inv)),
  },
  {
    id: 'db.written-sql',
    pack: 'db',
    reason:
      'runs DROP/TRUNCATE or an unfiltered DELETE/UPDATE read from a file this command wrote; write the statements out plainly, or ask the user',
    commands: SQL_CLIENTS,
    match: writtenSql,
  },
  {
    id: 'cred.container-env',
    pack: 'cred',
    reason:
      "prints a container's environment (its API keys and passwords); read the one setting you need, or ask the user",
    commands: ['docker', 'podman', 'nerdctl', 'kubectl', 'oc'],
    match: containerEnv,
  },
];
