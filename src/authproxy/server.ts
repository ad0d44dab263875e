/**
 * The host side of the auth proxy: a websocket server on a Unix socket in the session dir, which the sandbox
 * reaches through a bind mount. The in-sandbox browser shim connects with the session's token, asks to open a
 * URL, and for a login URL carries the browser's callback request back into the sandbox.
 *
 * Everything from the socket is hostile: a wrong or missing token never gets a websocket; one connection at a
 * time; a frame that is binary, too large, malformed, of an unknown type, or out of order (a response to a
 * request never sent) closes the connection. A URL is opened only if it is http(s) and approved, and the host
 * listens only on the callback port and path named in the approved URL, for one flow, until a timeout.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { escapeText } from '../util/terminal-text.js';
import { type ApprovalPolicy, type Ask, describeRequest, policyDecision } from './approval.js';
import { type CallbackListener, listenForCallback } from './callback-listener.js';
import type { OpenBrowser } from './opener.js';
import {
  type HostMessage,
  MAX_CHUNK,
  MAX_FRAME,
  ShimMessage,
  TOKEN_HEADER,
  parseFrame,
  relayableHeaders,
} from './protocol.js';
import { type UrlAnalysis, analyzeUrl, redactUrl } from './url-analysis.js';

export interface AuthProxyOptions {
  socketPath: string;
  /** The session's secret; the shim sends it in the TOKEN_HEADER of its upgrade request. */
  token: string;
  policy: ApprovalPolicy;
  ask: Ask;
  openBrowser: OpenBrowser;
  /** How long a question, and a login flow, may wait. */
  timeoutMs: number;
  /** One audit line (already free of query values and control characters). */
  log: (line: string) => void;
  /** Login flows waiting at once; more are refused. */
  maxFlows?: number;
}

export interface AuthProxy {
  close(): Promise<void>;
}

/** A new per-session token: 32 random bytes, hex. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

function tokenMatches(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  socket.destroy();
}

interface Flow {
  id: string;
  port: number;
  listener: CallbackListener;
  timer: NodeJS.Timeout;
}

interface Relay {
  flow: Flow;
  res: ServerResponse;
  status: number | null;
  timer: NodeJS.Timeout;
}

/** The state of one shim connection: its open requests, its login flows and the requests relayed on them. */
class Connection {
  private readonly seenIds = new Set<string>();
  private readonly flows = new Map<string, Flow>();
  private readonly relays = new Map<string, Relay>();
  private closed = false;
  /** Open requests being decided or opened (each may become a flow). */
  private opening = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: AuthProxyOptions,
    private readonly activePorts: Set<number>,
    private readonly serializeAsk: (q: () => Promise<boolean>) => Promise<boolean>,
  ) {
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('close', () => this.teardown());
    ws.on('error', () => this.teardown());
  }

  private send(msg: HostMessage): void {
    if (!this.closed) this.ws.send(JSON.stringify(msg));
  }

  /** Ends the connection for a protocol breach. */
  private breach(why: string): void {
    this.opts.log(`auth-proxy: connection closed: ${why}`);
    this.ws.close(1008, why.slice(0, 100));
    this.teardown();
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) return this.breach('a binary frame');
    const msg = parseFrame(ShimMessage, data.toString('utf8'));
    if (!msg) return this.breach('a malformed or unknown message');
    if (msg.type === 'open') {
      if (this.seenIds.has(msg.id)) return this.breach('a repeated request id');
      this.seenIds.add(msg.id);
      void this.handleOpen(msg.id, msg.url).catch((err: Error) => {
        this.opts.log(`auth-proxy: request ${msg.id} failed: ${escapeText(err.message)}`);
        this.send({
          type: 'open-result',
          id: msg.id,
          outcome: 'refused',
          message: 'the host failed to handle it',
        });
      });
      return;
    }
    const relay = this.relays.get(msg.relay);
    if (!relay) return this.breach(`a ${msg.type} for no relayed request`);
    switch (msg.type) {
      case 'response-head':
        if (relay.status !== null) return this.breach('a second response head');
        relay.status = msg.status;
        relay.res.writeHead(msg.status, [...msg.headers.flat(), 'connection', 'close']);
        return;
      case 'response-body': {
        if (relay.status === null) return this.breach('a response body before its head');
        relay.res.write(Buffer.from(msg.data, 'base64'));
        return;
      }
      case 'response-end': {
        if (relay.status === null) return this.breach('a response end before its head');
        this.finishRelay(msg.relay, relay);
        relay.res.end();
        this.opts.log(`auth-proxy: callback on port ${relay.flow.port} answered ${relay.status}`);
        // a success ends the login; an error (a wrong state, say) leaves the client waiting for another try
        if (relay.status < 400) this.endFlow(relay.flow, 'done');
        return;
      }
      case 'response-error':
        this.finishRelay(msg.relay, relay);
        this.opts.log(
          `auth-proxy: callback on port ${relay.flow.port} failed in the sandbox: ${escapeText(msg.message)}`,
        );
        if (relay.status === null) {
          relay.res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' });
          relay.res.end('ags: the login callback could not be delivered inside the sandbox\n');
        } else relay.res.destroy();
    }
  }

  private finishRelay(id: string, relay: Relay): void {
    clearTimeout(relay.timer);
    this.relays.delete(id);
  }

  private refuse(id: string, message: string): void {
    this.opts.log(`auth-proxy: request ${id} refused: ${escapeText(message)}`);
    this.send({ type: 'open-result', id, outcome: 'refused', message });
  }

  private async handleOpen(id: string, text: string): Promise<void> {
    const a = analyzeUrl(text);
    if (!a.ok) return this.refuse(id, `not opened: ${a.reason}`);
    const shown = escapeText(redactUrl(a.url), 500);
    const cbText = a.callback ? ` callback=localhost:${a.callback.port}${escapeText(a.callback.path)}` : '';
    this.opts.log(`auth-proxy: request ${id} url=${shown}${cbText}`);
    // counted from here, not from when the flow exists: requests sent all at once would each pass a later count
    if (this.flows.size + this.opening >= (this.opts.maxFlows ?? 64)) {
      return this.refuse(id, 'not opened: too many logins are waiting at once');
    }
    if (a.callback && this.activePorts.has(a.callback.port)) {
      return this.refuse(id, `not opened: a login is already waiting on port ${a.callback.port}`);
    }
    this.opening++;
    try {
      await this.approveAndOpen(id, a);
    } finally {
      this.opening--;
    }
  }

  private async approveAndOpen(id: string, a: Extract<UrlAnalysis, { ok: true }>): Promise<void> {
    const decision = policyDecision(a.url.hostname, this.opts.policy);
    let approved = decision === 'allow';
    if (decision === 'ask') {
      approved = await this.serializeAsk(() => this.opts.ask(describeRequest(a), this.opts.timeoutMs));
    }
    this.opts.log(
      `auth-proxy: request ${id} ${approved ? 'approved' : 'denied'} (${decision === 'allow' ? 'auto_allow_domains' : decision})`,
    );
    if (this.closed) return;
    if (!approved) {
      return this.refuse(
        id,
        decision === 'deny'
          ? `not opened: ${a.url.hostname} is not in [auth_proxy] auto_allow_domains and approval is "deny"`
          : 'not opened: the user did not approve it',
      );
    }
    let flow: Flow | null = null;
    if (a.callback) {
      const port = a.callback.port;
      // checked again: another request may have taken the port while this one waited for the user
      if (this.activePorts.has(port))
        return this.refuse(id, `not opened: a login is already waiting on port ${port}`);
      this.activePorts.add(port);
      let listener: CallbackListener;
      try {
        listener = await listenForCallback(port, a.callback.path, (req, res) => {
          if (flow) this.relay(flow, req, res);
          else res.writeHead(503, { connection: 'close' }).end();
        });
      } catch (err) {
        this.activePorts.delete(port);
        return this.refuse(id, (err as Error).message);
      }
      flow = {
        id,
        port,
        listener,
        timer: setTimeout(() => this.endFlow(flow!, 'timeout'), this.opts.timeoutMs),
      };
      this.flows.set(id, flow);
      if (this.closed) return this.endFlow(flow, 'closed');
    }
    try {
      await this.opts.openBrowser(a.url.href);
    } catch (err) {
      if (flow) this.endFlow(flow, 'closed');
      return this.refuse(id, `the host browser could not be started: ${(err as Error).message}`);
    }
    this.opts.log(`auth-proxy: request ${id} opened in the host browser`);
    this.send({
      type: 'open-result',
      id,
      outcome: 'opened',
      message: 'opened in the host browser',
      ...(a.callback ? { callback: { port: a.callback.port, path: a.callback.path } } : {}),
    });
  }

  /** Carries one browser request on the callback port into the sandbox. */
  private relay(flow: Flow, req: IncomingMessage, res: ServerResponse): void {
    if (this.closed || !this.flows.has(flow.id)) {
      res.writeHead(410, { connection: 'close' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_CHUNK) {
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_CHUNK || this.closed || !this.flows.has(flow.id)) return;
      const relayId = randomBytes(12).toString('hex');
      const timer = setTimeout(() => {
        if (!this.relays.delete(relayId)) return;
        if (!res.headersSent) res.writeHead(504, { connection: 'close' });
        res.end();
      }, this.opts.timeoutMs);
      this.relays.set(relayId, { flow, res, status: null, timer });
      this.opts.log(
        `auth-proxy: callback ${escapeText(req.method ?? '')} on port ${flow.port} relayed into the sandbox`,
      );
      this.send({
        type: 'request',
        relay: relayId,
        flow: flow.id,
        port: flow.port,
        method: /^[A-Z]{1,16}$/.test(req.method ?? '') ? req.method! : 'GET',
        path: req.url!,
        headers: relayableHeaders(req.rawHeaders),
        body: Buffer.concat(chunks).toString('base64'),
      });
    });
  }

  private endFlow(flow: Flow, reason: 'done' | 'timeout' | 'closed'): void {
    if (this.flows.get(flow.id) !== flow) return;
    this.flows.delete(flow.id);
    this.activePorts.delete(flow.port);
    clearTimeout(flow.timer);
    flow.listener.close();
    this.opts.log(`auth-proxy: login on port ${flow.port} ended: ${reason}`);
    this.send({ type: 'flow-end', flow: flow.id, reason });
  }

  teardown(): void {
    if (this.closed) return;
    for (const [id, relay] of this.relays) {
      this.finishRelay(id, relay);
      if (!relay.res.headersSent) relay.res.writeHead(502, { connection: 'close' });
      relay.res.end();
    }
    for (const flow of [...this.flows.values()]) this.endFlow(flow, 'closed');
    this.closed = true;
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
  }
}

/** Starts the auth proxy on `opts.socketPath`. */
export async function startAuthProxy(opts: AuthProxyOptions): Promise<AuthProxy> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false });
  const activePorts = new Set<number>();
  let current: Connection | null = null;
  let asking: Promise<unknown> = Promise.resolve();
  const serializeAsk = (q: () => Promise<boolean>): Promise<boolean> => {
    const next = asking.then(q, q).catch(() => false);
    asking = next;
    return next;
  };

  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { connection: 'close' }).end();
  });
  server.headersTimeout = 10_000;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!tokenMatches(req.headers[TOKEN_HEADER], opts.token)) {
      opts.log('auth-proxy: connection refused: missing or wrong token');
      return refuseUpgrade(socket, 401, 'Unauthorized');
    }
    if (current) {
      opts.log('auth-proxy: connection refused: another is open');
      return refuseUpgrade(socket, 409, 'Conflict');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(ws, opts, activePorts, serializeAsk);
      current = conn;
      ws.on('close', () => {
        if (current === conn) current = null;
      });
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // the container user reaches it through the bind mount; the session dir around it is private to the user
  chmodSync(opts.socketPath, 0o666);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        current?.teardown();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
