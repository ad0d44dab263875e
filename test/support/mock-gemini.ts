import type { ServerResponse } from 'node:http';
import { type RecordedHttp, RecordingServer, sendJson, sendSse } from './mock-http.js';

/**
 * A local stand-in for the Gemini API (`/v1beta/models/{model}:generateContent`, `:streamGenerateContent`,
 * `:countTokens`), enough for a real Gemini CLI to run a session. A request asking for JSON
 * (`responseMimeType: application/json`, as Gemini CLI's model router does) gets an object shaped by its schema;
 * every request is recorded.
 */

interface Part {
  text?: string;
  [key: string]: unknown;
}
interface Content {
  role?: string;
  parts?: Part[];
}
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
}

export interface GenerateContentRequest {
  contents?: Content[];
  systemInstruction?: Content | string;
  tools?: unknown[];
  generationConfig?: { responseMimeType?: string; responseJsonSchema?: Schema; responseSchema?: Schema };
  [key: string]: unknown;
}

function contentText(c: Content | string | undefined): string {
  if (c === undefined) return '';
  if (typeof c === 'string') return c;
  return (c.parts ?? []).map((p) => p.text ?? '').join('\n');
}

export function systemInstructionText(req: GenerateContentRequest): string {
  return contentText(req.systemInstruction);
}

/** The text of every content (user and model turns), in order. */
export function contentsText(req: GenerateContentRequest): string {
  return (req.contents ?? []).map(contentText).join('\n');
}

/** A value matching a (Gemini- or JSON-style) schema: the first enum value, 1, false, [], or "mock". */
export function valueFor(schema: Schema | undefined): unknown {
  if (schema?.enum?.length) return schema.enum[0];
  switch ((schema?.type ?? 'object').toLowerCase()) {
    case 'object':
      return Object.fromEntries(Object.entries(schema?.properties ?? {}).map(([k, v]) => [k, valueFor(v)]));
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    default:
      return 'mock';
  }
}

/** A model turn: text, or a call of one of the agent's tools. */
export type GeminiReply = string | { functionCall: { name: string; args: Record<string, unknown> } };

/** The text of every functionResponse the agent sent back in this request (tool results). */
export function functionResponses(req: GenerateContentRequest): string[] {
  const out: string[] = [];
  for (const c of (req.contents ?? []) as Array<{ parts?: Array<{ functionResponse?: unknown }> }>) {
    for (const p of c.parts ?? []) if (p.functionResponse) out.push(JSON.stringify(p.functionResponse));
  }
  return out;
}

export class MockGeminiApi extends RecordingServer<GenerateContentRequest> {
  private readonly reply: (req: GenerateContentRequest, turn: number) => GeminiReply;
  private turns = 0;

  constructor(reply: (req: GenerateContentRequest, turn: number) => GeminiReply = () => 'done.') {
    super();
    this.reply = reply;
  }

  /** Requests that offer tools: the agent's own turns (side calls such as the model router offer none). */
  get turnsSeen(): GenerateContentRequest[] {
    return this.requests
      .filter((r) => /:(stream)?generateContent$/i.test(r.path) && (r.body.tools ?? []).length > 0)
      .map((r) => r.body);
  }

  protected route(req: RecordedHttp<GenerateContentRequest>, res: ServerResponse): boolean {
    const m = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(\w+)$/.exec(req.path);
    if (req.method !== 'POST' || !m) return false;
    const [, model, method] = m;
    if (method === 'countTokens') {
      sendJson(res, 200, { totalTokens: 10 });
      return true;
    }
    if (method !== 'generateContent' && method !== 'streamGenerateContent') return false;
    const config = req.body.generationConfig ?? {};
    const reply: GeminiReply =
      config.responseMimeType === 'application/json'
        ? JSON.stringify(valueFor(config.responseJsonSchema ?? config.responseSchema))
        : this.reply(req.body, this.turns++);
    const part = typeof reply === 'string' ? { text: reply } : { functionCall: reply.functionCall };
    const response = {
      candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
      modelVersion: model,
    };
    if (method === 'generateContent') sendJson(res, 200, response);
    else if (req.query.get('alt') === 'sse') sendSse(res, [[null, response]]);
    else sendJson(res, 200, [response]);
    return true;
  }
}
