import type { ServerResponse } from 'node:http';
import { type RecordedHttp, RecordingServer, sendJson, sendSse } from './mock-http.js';

/**
 * A local stand-in for the OpenAI Responses API (`POST /v1/responses`), enough for a real Codex CLI to run a
 * session: text replies, or one function call, as server-sent events (or JSON when not streaming), every request
 * recorded.
 */

/** A reply that calls one of the tools the request offers (`arguments` is the JSON object, not yet a string). */
export interface FunctionCallReply {
  functionCall: { name: string; arguments: Record<string, unknown> };
}
/** A reply that calls a freeform ("custom") tool with raw text input, as Codex's code-mode `exec` takes. */
export interface CustomToolCallReply {
  customToolCall: { name: string; input: string };
}
export type ResponsesReply = string | FunctionCallReply | CustomToolCallReply;

/** The names of the function tools a request offers the model. */
export function toolNames(req: ResponsesRequest): string[] {
  return (req.tools ?? [])
    .map((t) => (t as { name?: unknown }).name)
    .filter((n): n is string => typeof n === 'string');
}

/** The outputs of the (function or custom) tool calls the request hands back to the model, in order. */
export function functionCallOutputs(req: ResponsesRequest): string[] {
  if (!Array.isArray(req.input)) return [];
  return req.input
    .filter((i) => i.type === 'function_call_output' || i.type === 'custom_tool_call_output')
    .map((i) => (typeof i.output === 'string' ? i.output : JSON.stringify(i.output)));
}

export interface ResponsesInputItem {
  type?: string;
  role?: string;
  content?: string | Array<{ type?: string; text?: string }>;
  [key: string]: unknown;
}

export interface ResponsesRequest {
  model?: string;
  stream?: boolean;
  instructions?: string;
  input?: string | ResponsesInputItem[];
  tools?: unknown[];
  [key: string]: unknown;
}

/** The text of one input item's content. */
export function itemText(item: ResponsesInputItem): string {
  if (typeof item.content === 'string') return item.content;
  return (item.content ?? []).map((c) => c.text ?? '').join('\n');
}

/** What the request tells the model before the user speaks: `instructions` plus system and developer messages. */
export function responsesInstructionsText(req: ResponsesRequest): string {
  const parts = req.instructions ? [req.instructions] : [];
  if (Array.isArray(req.input)) {
    for (const item of req.input) {
      if (item.role === 'system' || item.role === 'developer') parts.push(itemText(item));
    }
  }
  return parts.join('\n');
}

/** The developer messages alone, in order. */
export function developerMessages(req: ResponsesRequest): string[] {
  return Array.isArray(req.input) ? req.input.filter((i) => i.role === 'developer').map(itemText) : [];
}

export class MockResponsesApi extends RecordingServer<ResponsesRequest> {
  private ids = 0;
  private readonly reply: (req: ResponsesRequest, turn: number) => ResponsesReply;
  private turns = 0;

  constructor(reply: (req: ResponsesRequest, turn: number) => ResponsesReply = () => 'done.') {
    super();
    this.reply = reply;
  }

  /** Every /responses request body, in order. */
  get turnsSeen(): ResponsesRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/responses')).map((r) => r.body);
  }

  protected route(req: RecordedHttp<ResponsesRequest>, res: ServerResponse): boolean {
    if (req.method !== 'POST' || !req.path.endsWith('/responses')) return false;
    const reply = this.reply(req.body, this.turns++);
    const n = ++this.ids;
    if (typeof reply !== 'string') {
      this.sendFunctionCall(req.body, res, n, reply);
      return true;
    }
    const text = reply;
    const item = {
      type: 'message',
      id: `msg_mock_${n}`,
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text, annotations: [] }],
    };
    const response = responseOf(req.body, n, item);
    if (!req.body.stream) {
      sendJson(res, 200, response);
      return true;
    }
    const part = { item_id: item.id, output_index: 0, content_index: 0 };
    sendSse(
      res,
      (
        [
          ['response.created', { response: { ...response, status: 'in_progress', output: [] } }],
          [
            'response.output_item.added',
            { output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
          ],
          [
            'response.content_part.added',
            { ...part, part: { type: 'output_text', text: '', annotations: [] } },
          ],
          ['response.output_text.delta', { ...part, delta: text }],
          ['response.output_text.done', { ...part, text }],
          ['response.content_part.done', { ...part, part: item.content[0] }],
          ['response.output_item.done', { output_index: 0, item }],
          ['response.completed', { response }],
        ] as Array<[string, Record<string, unknown>]>
      ).map(([type, data], i) => [type, { type, sequence_number: i, ...data }]),
    );
    return true;
  }

  private sendFunctionCall(
    body: ResponsesRequest,
    res: ServerResponse,
    n: number,
    reply: FunctionCallReply | CustomToolCallReply,
  ): void {
    const call = { id: `fc_mock_${n}`, call_id: `call_mock_${n}`, status: 'completed' };
    const item =
      'functionCall' in reply
        ? {
            type: 'function_call',
            ...call,
            name: reply.functionCall.name,
            arguments: JSON.stringify(reply.functionCall.arguments),
          }
        : {
            type: 'custom_tool_call',
            ...call,
            name: reply.customToolCall.name,
            input: reply.customToolCall.input,
          };
    const response = responseOf(body, n, item);
    if (!body.stream) {
      sendJson(res, 200, response);
      return;
    }
    sendSse(
      res,
      (
        [
          ['response.created', { response: { ...response, status: 'in_progress', output: [] } }],
          ['response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress' } }],
          ['response.output_item.done', { output_index: 0, item }],
          ['response.completed', { response }],
        ] as Array<[string, Record<string, unknown>]>
      ).map(([type, data], i) => [type, { type, sequence_number: i, ...data }]),
    );
  }
}

function responseOf(body: ResponsesRequest, n: number, item: object) {
  return {
    id: `resp_mock_${n}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'completed',
    model: body.model ?? 'mock',
    output: [item],
    usage: {
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 15,
    },
  };
}
