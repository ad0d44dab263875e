import { chmodSync } from 'node:fs';
import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
  request as httpRequest,
} from 'node:http';
import { type Socket, connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { socketPathProblem } from '../util/unix-socket.js';
import type { Allowlist } from './allowlist.js';
import { type Resolve, decideEgress, systemResolve } from './egress-decision.js';

/** One line of the proxy's log: every decision, and for allowed connections the bytes each way once closed. */
export interface EgressLogEntry {
  method: string;
  host: string;
  port: number;
  allowed: boolean;
  reason?: string;
  address?: string;
  bytesOut?: number;
  bytesIn?: number;
}

export interface EgressProxyOptions {
  socketPath: string;
  allowlist: Allowlist;
  /** Client connections open at once; more are closed as they arrive. */
  maxConnections: number;
  log: (entry: EgressLogEntry) => void;
  /**
   * The refusal text the agent sees, naming what would allow the destination; `hostLoopback` when it was refused
   * for being the host's loopback, which no allowlist entry alone opens.
   */
  denialHint: (host: string, hostLoopback: boolean) => string;
  resolve?: Resolve;
  /** Names dialled at a fixed address without the allowlist: the host-services name when host loopback is allowed. */
  hostAliases?: ReadonlyMap<string, string>;
  /** How long a client may take to send its request headers (slow senders hold connections). */
  headersTimeoutMs?: number;
}

export interface EgressProxy {
  close(): Promise<void>;
}

const MAX_HEADER_BYTES = 16 * 1024;
const HEADERS_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;

/** Headers that describe one hop, not the request: never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The host egress proxy: HTTP CONNECT and plain absolute-URI HTTP on a Unix socket, which is the sandbox's only
 * way out. Each destination is decided by the allowlist (src/network/egress-decision.ts) and dialled at the
 * address that was checked. After CONNECT the connection is a byte tunnel to that one destination; a plain
 * request is forwarded with its Host header rewritten to the checked name, so a request to an allowed address
 * cannot name another site served from the same address.
 */
export async function startEgressProxy(opts: EgressProxyOptions): Promise<EgressProxy> {
  const tooLong = socketPathProblem(opts.socketPath);
  if (tooLong) throw new Error(`its socket ${tooLong}`);
  const resolve = opts.resolve ?? systemResolve;
  const server: Server = createServer({
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: opts.headersTimeoutMs ?? HEADERS_TIMEOUT_MS,
    // node checks that timeout only this often (30 s by default: long enough for slow senders to pile up)
    connectionsCheckingInterval: Math.min(1_000, opts.headersTimeoutMs ?? HEADERS_TIMEOUT_MS),
    requestTimeout: 0, // uploads and long polls may take long; slow headers are what headersTimeout stops
  });
  server.maxConnections = opts.maxConnections;
  const open = new Set<Duplex>();
  server.on('connection', (s: Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => s.destroy());
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    // end, not destroy: a destroyed socket drops the answer unsent; a client still sending is cut off shortly after
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    setTimeout(() => socket.destroy(), 1_000).unref();
  });
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    void tunnel(req, client, head, opts, resolve);
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void forward(req, res, opts, resolve);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.socketPath, () => {
      server.off('error', fail);
      ok();
    });
  });
  // the container user reaches it through the bind mount; the session dir around it is private to the user
  try {
    chmodSync(opts.socketPath, 0o666);
  } catch (err) {
    // a listening server keeps the process alive: the caller's error must not leave it behind
    server.close();
    throw err;
  }
  return {
    close: () =>
      new Promise<void>((ok) => {
        for (const s of open) s.destroy();
        server.close(() => ok());
      }),
  };
}

/** `host:port` of a CONNECT request (IPv6 in brackets), or null when it is not exactly that. */
export function parseAuthority(target: string | undefined): { host: string; port: number } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/@\s]+):(\d{1,5})$/.exec(target ?? '');
  return m ? { host: m[1]!.toLowerCase(), port: Number(m[2]) } : null;
}

async function tunnel(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  opts: EgressProxyOptions,
  resolve: Resolve,
): Promise<void> {
  client.on('error', () => client.destroy());
  const target = parseAuthority(req.url);
  if (!target) {
    refuseRaw(client, 400, 'Bad Request', 'ags: CONNECT needs host:port');
    return;
  }
  const decision = await decideEgress(target.host, target.port, opts.allowlist, resolve, opts.hostAliases);
  if (!decision.allowed) {
    opts.log({ method: 'CONNECT', ...target, allowed: false, reason: decision.reason });
    // the reason in the status line too: many clients show a failed CONNECT's status line and never its body
    const text = `ags: ${decision.reason}; ${opts.denialHint(target.host, decision.hostLoopback === true)}`;
    refuseRaw(client, 403, statusPhrase(text), text);
    return;
  }
  const upstream = connect({ host: decision.address, port: target.port, timeout: CONNECT_TIMEOUT_MS });
  let bytesOut = head.length;
  let bytesIn = 0;
  let established = false;
  upstream.once('timeout', () => upstream.destroy(new Error('connect timeout')));
  upstream.once('connect', () => {
    established = true;
    upstream.setTimeout(0);
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.on('data', (d: Buffer) => (bytesIn += d.length));
    client.on('data', (d: Buffer) => (bytesOut += d.length));
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', () => {
    if (!established) refuseRaw(client, 502, 'Bad Gateway', `ags: could not connect to ${target.host}`);
    else client.destroy();
  });
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => {
    client.destroy();
    opts.log({
      method: 'CONNECT',
      ...target,
      allowed: true,
      address: decision.address,
      bytesOut,
      bytesIn,
    });
  });
}

async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  opts: EgressProxyOptions,
  resolve: Resolve,
): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '');
  } catch {
    return refuse(res, 400, 'ags: a proxy request needs an absolute http:// URL');
  }
  if (url.protocol !== 'http:' || url.username || url.password)
    return refuse(res, 400, 'ags: only plain http:// URLs go through the proxy without CONNECT');
  const host = url.hostname.toLowerCase();
  const port = url.port ? Number(url.port) : 80;
  const decision = await decideEgress(host, port, opts.allowlist, resolve, opts.hostAliases);
  if (!decision.allowed) {
    opts.log({ method: req.method ?? 'GET', host, port, allowed: false, reason: decision.reason });
    return refuse(
      res,
      403,
      `ags: ${decision.reason}; ${opts.denialHint(host, decision.hostLoopback === true)}`,
    );
  }
  let bytesOut = 0;
  let bytesIn = 0;
  const upstream = httpRequest({
    host: decision.address,
    port,
    method: req.method,
    path: `${url.pathname}${url.search}`,
    headers: { ...endToEndHeaders(req.headers), host: url.host },
    setHost: false,
    agent: false,
    timeout: CONNECT_TIMEOUT_MS,
  });
  upstream.once('timeout', () => upstream.destroy(new Error('timeout')));
  upstream.on('response', (up) => {
    upstream.setTimeout(0);
    res.writeHead(up.statusCode ?? 502, endToEndHeaders(up.headers));
    up.on('data', (d: Buffer) => (bytesIn += d.length));
    up.pipe(res);
    up.on('end', () =>
      opts.log({
        method: req.method ?? 'GET',
        host,
        port,
        allowed: true,
        address: decision.address,
        bytesOut,
        bytesIn,
      }),
    );
  });
  upstream.on('error', () => {
    if (!res.headersSent) refuse(res, 502, `ags: could not reach ${host}`);
    else res.destroy();
  });
  req.on('data', (d: Buffer) => (bytesOut += d.length));
  req.pipe(upstream);
}

function endToEndHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase()),
  );
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(k) && !named.has(k) && v !== undefined) out[k] = v;
  }
  return out;
}

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  res.end(`${text}\n`);
}

/** Text made safe for an HTTP status line: printable ASCII only, bounded. */
function statusPhrase(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

function refuseRaw(socket: Duplex, status: number, phrase: string, text: string): void {
  const body = `${text}\n`;
  if (socket.writable)
    socket.end(
      `HTTP/1.1 ${status} ${phrase}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
}
