/**
 * Network sinks besides the HTTP clients of NETWORK: bash's `/dev/tcp` and `/dev/udp` redirections (also through a
 * descriptor an earlier `exec 3<>/dev/tcp/…` opened), uploads by tools whose job is something else (`gh gist
 * create`, `mail`), and git pushes to a URL or to a remote the same command just pointed somewhere.
 */
import type { Invocation } from '../shell/invocation.js';
import { staticValue } from '../shell/words.js';
import type { RuleContext } from './types.js';

export const LOCAL_HOST =
  /^(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[?::1\]?|::1|host\.containers\.internal|host\.docker\.internal)$/i;
const WRITE_OPS = new Set(['>', '>>', '>|', '<>', '&>', '&>>']);
const SOCKET = /^\/dev\/(?:tcp|udp)\/([^/]*)\//;

/** The host of a `/dev/tcp/HOST/PORT` path; `*` when the host is computed (it could be anywhere). */
function socketHost(text: string | null): string | null {
  if (text === null) return null;
  const m = SOCKET.exec(text);
  if (!m) return null;
  return m[1] === '' || /\$/.test(m[1]!) ? '*' : m[1]!;
}

function redirHost(target: Parameters<typeof staticValue>[0] | null): string | null {
  if (!target) return null;
  return socketHost(staticValue(target) ?? target.raw.replace(/["']/g, ''));
}

/** The remote host this invocation writes its output to through a socket redirection, or null. */
export function socketSink(inv: Invocation, ctx: RuleContext): string | null {
  for (const r of inv.redirs) {
    if (WRITE_OPS.has(r.op)) {
      const h = redirHost(r.target);
      if (h && !LOCAL_HOST.test(h)) return h;
    }
    if (r.op === '>&' && r.target) {
      const fd = staticValue(r.target);
      if (fd !== null && /^\d+$/.test(fd) && Number(fd) > 2) {
        const h = openedSocket(fd, ctx);
        if (h && !LOCAL_HOST.test(h)) return h;
      }
    }
  }
  return null;
}

/** The host an earlier command of the same tool call connected descriptor `fd` to (`exec 3<>/dev/tcp/h/80`). */
function openedSocket(fd: string, ctx: RuleContext): string | null {
  for (const other of ctx.script ?? []) {
    for (const r of other.redirs) {
      if (r.fd !== fd || !WRITE_OPS.has(r.op)) continue;
      const h = redirHost(r.target);
      if (h) return h;
    }
  }
  return null;
}

const GH_UPLOAD = new Set(['gist', 'issue', 'pr', 'api', 'release', 'discussion']);
const MAILERS = new Set(['mail', 'mailx', 'sendmail', 'mutt', 'msmtp', 'pastebinit', 'gist']);

/** Tools that publish what they read (a gist, an issue body, a mail): a sink for the environment or secrets. */
export function uploadSink(inv: Invocation): string | null {
  if (MAILERS.has(inv.name)) return inv.name;
  if (inv.name === 'gh') {
    const sub = inv.args.find((a) => a.value !== null && !a.value.startsWith('-'))?.value;
    if (sub && GH_UPLOAD.has(sub)) return `gh ${sub}`;
  }
  return null;
}

const NET_URL = /^(?:[a-z][a-z0-9+.-]*:\/\/(?!\/)|[^\s/@:]+@[^\s/:]+:)/i;

function isNetworkUrl(v: string): boolean {
  if (!NET_URL.test(v) || /^file:/i.test(v)) return false;
  const host = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?(\[[^\]]+\]|[^/:]+)/i.exec(v)?.[1] ?? '';
  return !LOCAL_HOST.test(host);
}

/** `git [opts] SUB args…`: the subcommand's index, skipping git's own options. */
function gitSub(inv: Invocation): number {
  const a = inv.args;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!.value;
    if (v === null) return -1;
    if (v === '-C' || v === '-c' || v === '--git-dir' || v === '--work-tree' || v === '--namespace') {
      i++;
      continue;
    }
    if (!v.startsWith('-')) return i;
  }
  return -1;
}

/** Remotes that `git remote add|set-url NAME URL` in the same tool call pointed at a network URL. */
/**
 * Remotes a git config key points at a network URL: `git config remote.NAME.pushurl URL` (or `.url`, with
 * `--add`/`--replace-all`), and `git -c remote.NAME.pushurl=URL …` for that one command.
 */
function repointedByConfig(inv: Invocation, s: number): string[] {
  const pairs: Array<[string, string | null]> = [];
  for (let i = 0; i < (s < 0 ? inv.args.length : s); i++) {
    if (inv.args[i]!.value !== '-c') continue;
    const kv = inv.args[i + 1]?.value ?? '';
    const eq = kv.indexOf('=');
    if (eq !== -1) pairs.push([kv.slice(0, eq), kv.slice(eq + 1)]);
  }
  if (s >= 0 && inv.args[s]!.value === 'config') {
    const pos = inv.args.slice(s + 1).filter((a) => !(a.value ?? '').startsWith('-'));
    const [k, v] = pos[0]?.value === 'set' ? [pos[1], pos[2]] : [pos[0], pos[1]];
    if (k?.value && v) pairs.push([k.value, v.value]);
  }
  const out: string[] = [];
  for (const [key, value] of pairs) {
    const m = /^remote\.(.+)\.(?:push)?url$/i.exec(key);
    if (m && (value === null || isNetworkUrl(value))) out.push(m[1]!);
  }
  return out;
}

function freshRemotes(ctx: RuleContext): Set<string> {
  const out = new Set<string>();
  for (const other of ctx.script ?? []) {
    if (other.name !== 'git') continue;
    const s = gitSub(other);
    for (const name of repointedByConfig(other, s)) out.add(name);
    if (s < 0 || other.args[s]!.value !== 'remote') continue;
    const rest = other.args.slice(s + 1).filter((a) => !(a.value ?? '').startsWith('-'));
    const verb = rest[0]?.value;
    if ((verb === 'add' || verb === 'set-url') && rest[1]?.value) {
      const url = rest[rest.length - 1]!;
      if (url.value === null || isNetworkUrl(url.value)) out.add(rest[1].value);
    }
  }
  return out;
}

/** `git push URL …` or `git push NAME …` where NAME was just added or re-pointed: where it goes, or false. */
export function pushToNewPlace(inv: Invocation, ctx: RuleContext): string | false {
  const s = gitSub(inv);
  if (s < 0 || inv.args[s]!.value !== 'push') return false;
  const ops = [];
  const rest = inv.args.slice(s + 1);
  for (let i = 0; i < rest.length; i++) {
    const v = rest[i]!.value;
    if (v === '--repo' || v === '-o' || v === '--push-option' || v === '--receive-pack' || v === '--exec') {
      if (v === '--repo' && rest[i + 1]) ops.push(rest[i + 1]!);
      i++;
      continue;
    }
    if (v !== null && v.startsWith('--repo=')) {
      ops.push({ ...rest[i]!, value: v.slice(7), text: v.slice(7) });
      continue;
    }
    if (v === null || !v.startsWith('-')) ops.push(rest[i]!);
  }
  const remote = ops[0];
  // a bare `git push` goes to origin (the usual upstream)
  if (!remote)
    return freshRemotes(ctx).has('origin') ? 'push to origin, pointed elsewhere in this command' : false;
  if (remote.value === null) return false;
  if (isNetworkUrl(remote.value)) return `push to ${remote.value}`;
  if (freshRemotes(ctx).has(remote.value))
    return `push to remote ${remote.value}, pointed elsewhere in this command`;
  return false;
}

/** The host of a git URL (`https://h/…`, `ssh://u@h:22/…`, `u@h:path`), or null. */
function gitUrlHost(v: string): string | null {
  const m =
    /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:]+)/i.exec(v) ?? /^[^\s/@:]+@([^\s/:]+):/.exec(v);
  return m ? m[1]!.toLowerCase() : null;
}

/**
 * `git config url.<base>.insteadOf <prefix>` (or `pushInsteadOf`, or the same as `git -c`): every URL starting
 * with prefix goes to base instead. Rewriting onto another host sends later fetches and pushes there; rewriting
 * one spelling of the same host onto another (`git@github.com:` → `https://github.com/`) is the usual use.
 */
export function gitUrlRewrite(inv: Invocation): string | false {
  const s = gitSub(inv);
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < inv.args.length - 1; i++) {
    if (inv.args[i]!.value !== '-c') continue;
    const kv = inv.args[i + 1]!.value ?? '';
    const eq = kv.indexOf('=');
    if (eq !== -1) pairs.push([kv.slice(0, eq), kv.slice(eq + 1)]);
  }
  if (s >= 0 && inv.args[s]!.value === 'config') {
    const pos = inv.args
      .slice(s + 1)
      .map((a) => a.value ?? '')
      .filter((v) => !v.startsWith('-'));
    const [key, value] = pos[0] === 'set' ? [pos[1], pos[2]] : [pos[0], pos[1]];
    if (key && value !== undefined) pairs.push([key, value]);
  }
  for (const [key, value] of pairs) {
    const m = /^url\.(.+)\.(?:push)?insteadof$/i.exec(key);
    if (!m) continue;
    const to = gitUrlHost(m[1]!);
    const from = gitUrlHost(value);
    if (to && from && to !== from && !LOCAL_HOST.test(to)) return `${from} → ${to}`;
  }
  return false;
}

/** A socket a redirection of `inv` reads or writes: `>& /dev/tcp/h/p`, `<&196` onto an fd opened to one. */
export function socketRedirect(inv: Invocation, ctx: RuleContext): string | null {
  for (const r of inv.redirs) {
    const h = redirHost(r.target);
    if (h && !LOCAL_HOST.test(h)) return h;
    if ((r.op === '>&' || r.op === '<&') && r.target) {
      const fd = staticValue(r.target);
      if (fd !== null && /^\d+$/.test(fd) && Number(fd) > 2) {
        const o = openedSocketAny(fd, ctx);
        if (o && !LOCAL_HOST.test(o)) return o;
      }
    }
  }
  return null;
}

/** The host an earlier `exec N<>/dev/tcp/…` (any direction) connected descriptor `fd` to. */
function openedSocketAny(fd: string, ctx: RuleContext): string | null {
  for (const other of ctx.script ?? [])
    for (const r of other.redirs) if (r.fd === fd && redirHost(r.target)) return redirHost(r.target);
  return null;
}
