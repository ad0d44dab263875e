import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One HTTP request a mock model server received, body parsed as JSON when it is JSON. */
export interface RecordedHttp<B> {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: B;
}

/**
 * The plumbing the mock model APIs share: a server on an ephemeral port that records every request (so tests
 * can read system prompts and instructions) and hands it to `route`. Unknown routes answer 404 with the path.
 */
export abstract class RecordingServer<B extends object> {
  readonly requests: RecordedHttp<B>[] = [];
  private server: Server | undefined;

  async start(host = '127.0.0.1'): Promise<number> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Answers one recorded request; returns false when no route matches. */
  protected abstract route(req: RecordedHttp<B>, res: ServerResponse): boolean;

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body = {} as B;
    try {
      if (raw) body = JSON.parse(raw) as B;
    } catch {
      // not JSON: recorded as an empty body
    }
    const url = new URL(req.url ?? '/', 'http://mock');
    const recorded = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    this.requests.push(recorded);
    if (!this.route(recorded, res)) {
      sendJson(res, 404, { error: { code: 404, message: `mock: no route ${req.method} ${url.pathname}` } });
    }
  }
}

export function sendJson(res: ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
}

/** Server-sent events; an event name of null sends a bare `data:` line (the Gemini and Chat styles). */
export function sendSse(res: ServerResponse, events: Array<[string | null, unknown]>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [event, data] of events) {
    res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  }
  res.end();
}
