import type { ServerResponse } from 'node:http';
import { type RecordedHttp, RecordingServer, sendJson } from './mock-http.js';

/**
 * A local stand-in for the Anthropic Messages API, enough for a real Claude Code binary to run a session:
 * `POST /v1/messages` answered as server-sent events (or JSON when not streaming), `count_tokens`, and a
 * record of every request so tests can inspect system prompts and tool results.
 */

export type MockReply = { text: string } | { toolUse: { name: string; input: Record<string, unknown> } };

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

export class MockModel extends RecordingServer<MessagesRequest> {
  private turns = 0;
  private ids = 0;

  constructor(private readonly respond: Responder = scripted([])) {
    super();
  }

  /** Agent-turn requests only (those offering tools), in order. */
  get turnsSeen(): MessagesRequest[] {
    return this.requests
      .filter((r) => r.path.startsWith('/v1/messages') && isAgentTurn(r.body))
      .map((r) => r.body);
  }

  protected route(req: RecordedHttp<MessagesRequest>, res: ServerResponse): boolean {
    if (req.method === 'POST' && req.path === '/v1/messages/count_tokens') {
      sendJson(res, 200, { input_tokens: 42 });
      return true;
    }
    if (req.method !== 'POST' || req.path !== '/v1/messages') return false;
    const reply = isAgentTurn(req.body) ? this.respond(req.body, this.turns++) : { text: 'ok' };
    if (req.body.stream) this.stream(res, req.body, reply);
    else sendJson(res, 200, this.message(req.body, reply));
    return true;
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
