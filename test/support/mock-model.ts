import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Anthropic Messages API, enough for a real Claude Code binary to run a session:
 * `POST /v1/messages` answered as server-sent events (or JSON when not streaming), `count_tokens`, and a
 * record of every request so tests can inspect system prompts and tool results.
 */

export type MockReply = { text: string } | { toolUse: { name: string; input: Record<string, unknown> } };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: MessagesRequest;
}

export interface MessagesRequest {
  model?: string;
  stream?: boolean;
  system?: string | Array<{ type: string; text?: string }>;
  messages?: Array<{ role: string; content: string | Array<Record<string, unknown>> }>;
  tools?: Array<{ name: string }>;
  [key: string]: unknown;
}

/** Decides the reply to one agent turn (a request that offers tools). Side requests get a short text. */
export type Responder = (request: MessagesRequest, turn: number) => MockReply;

/** Replies in order from a list, then "done." once the list is exhausted. */
export function scripted(replies: MockReply[]): Responder {
  return (_req, turn) => replies[turn] ?? { text: 'done.' };
}

export function systemText(req: MessagesRequest): string {
  if (typeof req.system === 'string') return req.system;
  return (req.system ?? []).map((b) => b.text ?? '').join('\n');
}

/** The text of every tool_result block the agent sent back in this request. */
export function toolResults(req: MessagesRequest): string[] {
  const out: string[] = [];
  for (const m of req.messages ?? []) {
    if (typeof m.content === 'string') continue;
    for (const block of m.content) {
      if (block.type !== 'tool_result') continue;
      const c = block.content as string | Array<{ text?: string }> | undefined;
      out.push(typeof c === 'string' ? c : (c ?? []).map((x) => x.text ?? '').join('\n'));
    }
  }
  return out;
}

export class MockModel {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private turns = 0;
  private ids = 0;

  constructor(private readonly respond: Responder = scripted([])) {}

  /** Agent-turn requests only (those offering tools), in order. */
  get turnsSeen(): MessagesRequest[] {
    return this.requests
      .filter((r) => r.path.startsWith('/v1/messages') && isAgentTurn(r.body))
      .map((r) => r.body);
  }

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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: MessagesRequest = {};
    try {
      body = raw ? (JSON.parse(raw) as MessagesRequest) : {};
    } catch {
      body = {};
    }
    const path = (req.url ?? '/').split('?')[0]!;
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });

    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      return json(res, 200, { input_tokens: 42 });
    }
    if (req.method === 'POST' && path === '/v1/messages') {
      const reply = isAgentTurn(body) ? this.respond(body, this.turns++) : { text: 'ok' };
      return body.stream ? this.stream(res, body, reply) : json(res, 200, this.message(body, reply));
    }
    json(res, 404, { type: 'error', error: { type: 'not_found_error', message: `mock: no route ${path}` } });
  }

  private message(req: MessagesRequest, reply: MockReply) {
    const content =
      'text' in reply
        ? [{ type: 'text' as const, text: reply.text }]
        : [
            {
              type: 'tool_use' as const,
              id: `toolu_mock_${++this.ids}`,
              name: reply.toolUse.name,
              input: reply.toolUse.input,
            },
          ];
    return {
      id: `msg_mock_${++this.ids}`,
      type: 'message',
      role: 'assistant',
      model: req.model ?? 'mock',
      content,
      stop_reason: 'text' in reply ? 'end_turn' : 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 5 },
    };
  }

  private stream(res: ServerResponse, req: MessagesRequest, reply: MockReply): void {
    const msg = this.message(req, reply);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (event: string, data: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('message_start', { type: 'message_start', message: { ...msg, content: [], stop_reason: null } });
    const block = msg.content[0]!;
    if (block.type === 'text') {
      send('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      });
      send('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: block.text },
      });
    } else {
      send('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      send('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    send('content_block_stop', { type: 'content_block_stop', index: 0 });
    send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: msg.stop_reason, stop_sequence: null },
      usage: { output_tokens: 5 },
    });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }
}

function isAgentTurn(body: MessagesRequest): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0;
}

function json(res: ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
}
