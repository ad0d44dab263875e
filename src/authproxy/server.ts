/**
 * The host side of the auth proxy: a websocket server on a Unix socket in the session dir, which the sandbox
 * reaches through a bind mount. The in-sandbox browser shim connects with the session's token, asks to open a
 * URL, and for a login URL carries the browser's callback request back into the sandbox.
 *
 * Everything from the socket is hostile: a wrong or missing token never gets a websocket; one connection at a
 * time; a frame that is binary, too large, malformed, of an unknown type, or out of order (a response to a
 * request never sent) closes the connection. A URL is opened only if it is http(s) and approved, and the host
 * listens only on the callback port and path named in the approved URL, for one flow, until a timeout. A
 * session has at most MAX_PENDING_OPENS requests in progress and a bounded rate of browser opens; what crosses
 * the relay in each direction is relay-policy.ts's.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { escapeText } from '../util/terminal-text.js';
import { type ApprovalPolicy, type Ask, describeRequest, policyDecision } from './approval.js';
import { type CallbackListener, listenForCallback } from './callback-listener.js';
import { MAX_PENDING_OPENS, OpenRateLimit } from './open-limits.js';
import type { OpenBrowser } from './opener.js';
import { type HostMessage, MAX_CHUNK, MAX_FRAME, ShimMessage, TOKEN_HEADER, parseFrame } from './protocol.js';
import { type BrowserAnswer, answerBrowser, callbackRequest, followableRedirect } from './relay-policy.js';
import { analyzeUrl, redactUrl } from './url-analysis.js';

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
  /** Open requests in progress at once (waiting for an answer or a callback); more are refused. */
  maxPending?: number;
  /** The bound on host browser opens (its default: OPEN_BURST, then one per OPEN_REFILL_MS). */
  openLimit?: OpenRateLimit;
  /** The same bound on questions put to the user, answered or not (a refusal must not be free to repeat). */
  askLimit?: OpenRateLimit;
}

/** What all connections of one session share: the bounds hold across reconnects. */
interface SessionState {
  activePorts: Set<number>;
  /** Open requests in progress: not yet answered, or opened with a login flow that has not ended. */
  pending: number;
  openLimit: OpenRateLimit;
  askLimit: OpenRateLimit;
  serializeAsk: (q: () => Promise<boolean>) => Promise<boolean>;
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
  /** The host (and port) of the URL opened for this login: a redirect after the callback may go back to it. */
  approvedHost: string;
  listener: CallbackListener;
  timer: NodeJS.Timeout;
}

interface Relay {
  flow: Flow;
  res: ServerResponse;
  status: number | null;
  location: string | null;
  timer: NodeJS.Timeout;
}

/** The state of one shim connection: its open requests, its login flows and the requests relayed on them. */
class Connection {
  private readonly seenIds = new Set<string>();
  private readonly flows = new Map<string, Flow>();
  private readonly relays = new Map<string, Relay>();
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: AuthProxyOptions,
    private readonly session: SessionState,
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
      void this.handleOpenCounted(msg.id, msg.url).catch((err: Error) => {
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
        relay.location = msg.headers.find(([name]) => name.toLowerCase() === 'location')?.[1] ?? null;
        return;
      case 'response-body':
        // the sandbox's page never reaches the browser (relay-policy.ts says why); only its order is checked
        if (relay.status === null) return this.breach('a response body before its head');
        return;
      case 'response-end': {
        if (relay.status === null) return this.breach('a response end before its head');
        this.finishRelay(msg.relay, relay);
        const to = followableRedirect(
          relay.status,
          relay.location,
          this.opts.policy,
          relay.flow.approvedHost,
        );
        const answer: BrowserAnswer = to
          ? { kind: 'redirect', to }
          : relay.status < 400
            ? { kind: 'finished' }
            : { kind: 'agent-error', status: relay.status };
        answerBrowser(relay.res, answer);
        this.opts.log(
          `auth-proxy: callback on port ${relay.flow.port} answered ${relay.status}` +
            (to ? `, browser sent on to ${escapeText(redactUrl(to), 300)}` : ''),
        );
        // a success ends the login; an error (a wrong state, say) leaves the client waiting for another try
        if (relay.status < 400) this.endFlow(relay.flow, 'done');
        return;
      }
      case 'response-error':
        this.finishRelay(msg.relay, relay);
        this.opts.log(
          `auth-proxy: callback on port ${relay.flow.port} failed in the sandbox: ${escapeText(msg.message)}`,
        );
        answerBrowser(relay.res, { kind: 'relay-failed', status: 502 });
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

  /** handleOpen, counted in the session's requests in progress while it runs. */
  private async handleOpenCounted(id: string, text: string): Promise<void> {
    const s = this.session;
    const max = this.opts.maxPending ?? MAX_PENDING_OPENS;
    if (s.pending >= max) {
      return this.refuse(
        id,
        `not opened: ${max} browser requests from this sandbox are already waiting (for an answer or a login callback); finish or cancel one first`,
      );
    }
    s.pending += 1;
    const held = { byFlow: false };
    try {
      await this.handleOpen(id, text, held);
    } finally {
      // a flow, once made, gives the place back when it ends (endFlow), however that happens
      if (!held.byFlow) s.pending -= 1;
    }
  }

  private async handleOpen(id: string, text: string, held: { byFlow: boolean }): Promise<void> {
    const a = analyzeUrl(text);
    if (!a.ok) return this.refuse(id, `not opened: ${a.reason}`);
    const shown = escapeText(redactUrl(a.url), 500);
    const cbText = a.callback ? ` callback=localhost:${a.callback.port}${escapeText(a.callback.path)}` : '';
    this.opts.log(`auth-proxy: request ${id} url=${shown}${cbText}`);
    const { activePorts, openLimit } = this.session;
    if (a.callback && activePorts.has(a.callback.port)) {
      return this.refuse(id, `not opened: a login is already waiting on port ${a.callback.port}`);
    }
    // refused before the user is asked: a yes could not be honoured
    if (openLimit.waitSeconds() > 0) return this.refuse(id, openLimit.refusal());
    const decision = policyDecision(a.url.hostname, this.opts.policy);
    let approved = decision === 'allow';
    if (decision === 'ask') {
      // every question costs, answered or not: else a sandbox could ask again at once after each "no", until a
      // tired user says yes
      if (!this.session.askLimit.take()) {
        return this.refuse(id, this.session.askLimit.refusal().replace('browser opens', 'questions'));
      }
      // a question queued by a connection that has since gone is never put to the user
      approved = await this.session.serializeAsk(() =>
        this.closed ? Promise.resolve(false) : this.opts.ask(describeRequest(a), this.opts.timeoutMs),
      );
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
    // checked again, and spent: other opens may have used the allowance while this one waited for the user
    if (!openLimit.take()) return this.refuse(id, openLimit.refusal());
    let flow: Flow | null = null;
    if (a.callback) {
      const port = a.callback.port;
      // checked again: another request may have taken the port while this one waited for the user
      if (activePorts.has(port))
        return this.refuse(id, `not opened: a login is already waiting on port ${port}`);
      activePorts.add(port);
      let listener: CallbackListener;
      try {
        listener = await listenForCallback(port, a.callback.path, (req, res) => {
          if (flow) this.relay(flow, req, res);
          else answerBrowser(res, { kind: 'relay-failed', status: 502 });
        });
      } catch (err) {
        activePorts.delete(port);
        return this.refuse(id, (err as Error).message);
      }
      flow = {
        id,
        port,
        approvedHost: a.url.host,
        listener,
        timer: setTimeout(() => this.endFlow(flow!, 'timeout'), this.opts.timeoutMs),
      };
      this.flows.set(id, flow);
      held.byFlow = true;
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
      answerBrowser(res, { kind: 'refused', status: 410, why: 'this login is over' });
      return;
    }
    const what = callbackRequest(req.method, req.rawHeaders);
    if (!what.ok) {
      this.opts.log(
        `auth-proxy: callback ${escapeText(req.method ?? '', 20)} on port ${flow.port} not relayed: ${what.why}`,
      );
      answerBrowser(res, { kind: 'refused', status: what.status, why: what.why });
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_CHUNK) {
        answerBrowser(res, { kind: 'refused', status: 413, why: 'the callback body is too large' });
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
        answerBrowser(res, { kind: 'relay-failed', status: 504 });
      }, this.opts.timeoutMs);
      this.relays.set(relayId, { flow, res, status: null, location: null, timer });
      this.opts.log(
        `auth-proxy: callback ${escapeText(req.method ?? '')} on port ${flow.port} relayed into the sandbox`,
      );
      this.send({
        type: 'request',
        relay: relayId,
        flow: flow.id,
        port: flow.port,
        method: what.method,
        path: req.url!,
        headers: what.headers,
        body: what.withBody ? Buffer.concat(chunks).toString('base64') : '',
      });
    });
  }

  private endFlow(flow: Flow, reason: 'done' | 'timeout' | 'closed'): void {
    if (this.flows.get(flow.id) !== flow) return;
    this.flows.delete(flow.id);
    this.session.activePorts.delete(flow.port);
    this.session.pending -= 1;
    clearTimeout(flow.timer);
    flow.listener.close();
    this.opts.log(`auth-proxy: login on port ${flow.port} ended: ${reason}`);
    this.send({ type: 'flow-end', flow: flow.id, reason });
  }

  teardown(): void {
    if (this.closed) return;
    for (const [id, relay] of this.relays) {
      this.finishRelay(id, relay);
      answerBrowser(relay.res, { kind: 'relay-failed', status: 502 });
    }
    for (const flow of [...this.flows.values()]) this.endFlow(flow, 'closed');
    this.closed = true;
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
  }
}

/** Starts the auth proxy on `opts.socketPath`. */
export async function startAuthProxy(opts: AuthProxyOptions): Promise<AuthProxy> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false });
  let current: Connection | null = null;
  let asking: Promise<unknown> = Promise.resolve();
  const session: SessionState = {
    activePorts: new Set<number>(),
    pending: 0,
    openLimit: opts.openLimit ?? new OpenRateLimit(),
    askLimit: opts.askLimit ?? new OpenRateLimit(),
    // one question at a time: the next is asked when the last is answered
    serializeAsk: (q) => {
      const next = asking.then(q, q).catch(() => false);
      asking = next;
      return next;
    },
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
      const conn = new Connection(ws, opts, session);
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
