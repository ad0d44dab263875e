/**
 * Static file servers started on a directory that holds the home, the root or a credential file: anyone who can
 * reach the port downloads the keys. Serving the workspace, ./dist or a build directory is a dev server.
 * Each server is data: how it is recognised, which options name its root, and whether the first operand does.
 */
import { isWithin, resolveLexical } from '../paths.js';
import type { Arg, Invocation } from '../shell/invocation.js';
import { argPath } from './args.js';
import type { Rule, RuleContext } from './types.js';

interface Server {
  commands: readonly string[];
  /** Whether this call starts the server (`python3 -m http.server`, `php -S`, `ruby -run -e httpd`). */
  starts: (v: ReadonlyArray<string | null>) => boolean;
  /** Options whose value is the served directory. */
  rootOpts: readonly string[];
  /** Other options that take a separate value. */
  withArg: readonly string[];
  /** The served directory is the first operand after these words (none: it is only given by an option). */
  operandAfter?: (v: ReadonlyArray<string | null>) => number;
}

const PY_MODULES = new Set(['http.server', 'SimpleHTTPServer', 'RangeHTTPServer', 'uploadserver']);
const after = (word: string) => (v: ReadonlyArray<string | null>) => v.indexOf(word) + 1;
const NODE_OPTS = [
  '-p',
  '--port',
  '-a',
  '--address',
  '-c',
  '-l',
  '--listen',
  '-i',
  '--interfaces',
  '-b',
  '--bind',
];

const SERVERS: readonly Server[] = [
  {
    commands: ['python', 'python3', 'python2'],
    starts: (v) => v.some((x, i) => x === '-m' && PY_MODULES.has(v[i + 1] ?? '')),
    rootOpts: ['-d', '--directory'],
    withArg: ['-b', '--bind', '-m'],
  },
  {
    commands: ['php'],
    starts: (v) => v.includes('-S'),
    rootOpts: ['-t', '--docroot'],
    withArg: ['-S', '-c', '-d'],
  },
  {
    commands: ['httpd'],
    starts: (v) => !v.includes('-d'),
    rootOpts: ['-h'],
    withArg: ['-p', '-c', '-r', '-u'],
  },
  {
    commands: ['ruby'],
    starts: (v) =>
      (v.includes('-run') || v.some((x, i) => x === '-r' && v[i + 1] === 'un')) && v.includes('httpd'),
    rootOpts: ['--document-root'],
    withArg: ['-p', '--port', '-b', '--bind-address'],
    operandAfter: after('httpd'),
  },
  {
    commands: [
      'http-server',
      'serve',
      'live-server',
      'static-server',
      'miniserve',
      'darkhttpd',
      'sirv',
      'servor',
    ],
    starts: () => true,
    rootOpts: ['--root'],
    withArg: NODE_OPTS,
    operandAfter: () => 0,
  },
  {
    commands: ['updog', 'jwebserver'],
    starts: () => true,
    rootOpts: ['-d', '--directory'],
    withArg: NODE_OPTS,
  },
  { commands: ['ws'], starts: () => true, rootOpts: ['-d', '--directory'], withArg: NODE_OPTS },
  {
    commands: ['caddy'],
    starts: (v) => v[0] === 'file-server',
    rootOpts: ['--root', '-r'],
    withArg: ['--listen', '-l', '--domain'],
  },
  {
    commands: ['twistd'],
    starts: (v) => v.includes('web'),
    rootOpts: ['--path'],
    withArg: ['--listen', '--port'],
  },
  {
    commands: ['rclone'],
    starts: (v) => v[0] === 'serve',
    rootOpts: [],
    withArg: ['--addr', '--user', '--pass', '--config'],
    operandAfter: () => 2,
  },
];

const BY_NAME = new Map<string, Server>(SERVERS.flatMap((s) => s.commands.map((c) => [c, s] as const)));

/** The served directory's argument, 'cwd' when none is given, or null when this call serves nothing. */
function servedRoot(inv: Invocation): Arg | 'cwd' | null {
  const s = BY_NAME.get(inv.name);
  const v = inv.args.map((a) => a.value);
  if (!s || !s.starts(v)) return null;
  for (let i = 0; i < inv.args.length; i++) {
    const x = v[i];
    if (x === null || x === undefined) continue;
    if (s.rootOpts.includes(x)) return inv.args[i + 1] ?? null;
    const eq = x.indexOf('=');
    if (eq > 0 && s.rootOpts.includes(x.slice(0, eq)))
      return { ...inv.args[i]!, value: x.slice(eq + 1), text: x.slice(eq + 1), tilde: x[eq + 1] === '~' };
  }
  if (s.operandAfter) {
    for (let i = s.operandAfter(v); i < inv.args.length; i++) {
      const x = v[i];
      if (x !== null && x !== undefined && x.startsWith('-')) {
        if (s.withArg.includes(x)) i++;
        continue;
      }
      // a port (`http-server 8080`) is not a directory
      if (x !== null && /^\d+$/.test(x ?? '')) continue;
      return inv.args[i]!;
    }
  }
  return 'cwd';
}

/** Why serving this directory exposes secrets, or null. */
function exposes(root: string, ctx: RuleContext): string | null {
  for (const sample of [
    ctx.home + '/.ssh/id_rsa',
    '/run/ags-secrets/env',
    '/proc/self/environ',
    '/etc/shadow',
  ])
    if (isWithin(sample, root)) return `${root} holds ${sample}`;
  const hit = ctx.sensitive.match(root) ?? ctx.sensitive.below(root);
  return hit ? `${root} holds ${hit.entry}` : null;
}

/** `socat TCP-LISTEN:P FILE:F`: each client that connects reads F (or the directory listing's files). */
function socatServes(inv: Invocation, ctx: RuleContext): string | null {
  const addrs = inv.args.map((a) => a.value ?? '').filter((v) => !v.startsWith('-'));
  if (
    !addrs.some((v) =>
      /^(?:tcp[46]?|udp[46]?|ssl|openssl|sctp|unix)-?(?:listen|l|recvfrom|recv)[:,]/i.test(v),
    )
  )
    return null;
  for (const v of addrs) {
    const m = /^(?:file|open|gopen|read):([^,]*)/i.exec(v);
    if (!m) continue;
    const p = resolveLexical(m[1]!, { cwd: ctx.cwd, home: ctx.home });
    const hit = ctx.sensitive.match(p);
    if (hit) return `socat listens and serves ${p} (${hit.entry})`;
  }
  return null;
}

export const fileServerRules: Rule[] = [
  {
    id: 'exfil.serve-files',
    pack: 'exfil',
    reason:
      'serves the home, / or a credential file on a port: anyone who connects downloads keys and tokens; serve the project or its build directory',
    commands: [...BY_NAME.keys(), 'socat'],
    match: (inv, ctx) => {
      if (inv.name === 'socat') return socatServes(inv, ctx) ?? false;
      const r = servedRoot(inv);
      if (r === null) return false;
      const root = r === 'cwd' ? ctx.cwd : argPath(r, ctx);
      const why = root === null ? null : exposes(root, ctx);
      return why ? `${inv.name}: ${why}` : false;
    },
  },
];
