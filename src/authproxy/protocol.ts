/**
 * The messages between the host's auth proxy and the in-sandbox browser shim, one JSON text frame each.
 * Everything the shim sends is untrusted: each frame is size-limited by the websocket server, parsed here
 * against a strict schema, and a frame that fails (unknown type, extra key, oversized field) closes the
 * connection. Bodies travel base64-encoded so they stay binary-safe.
 */
import { z } from 'zod';

/** The largest frame either side accepts, in bytes (a base64 body chunk plus its envelope). */
export const MAX_FRAME = 256 * 1024;
/** The largest body chunk, in raw bytes; base64 makes it 4/3 larger. */
export const MAX_CHUNK = 128 * 1024;
/** The longest URL the shim may ask the host to open. */
export const MAX_URL = 8 * 1024;
/** The most headers, and the longest name and value, relayed either way. */
export const MAX_HEADERS = 100;
const MAX_HEADER_NAME = 256;
const MAX_HEADER_VALUE = 8 * 1024;

/** The header carrying the per-session token on the websocket upgrade. */
export const TOKEN_HEADER = 'x-ags-auth-token';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const base64 = z
  .string()
  .max(Math.ceil(MAX_CHUNK / 3) * 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/);
const headerName = z
  .string()
  .min(1)
  .max(MAX_HEADER_NAME)
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);
const headerValue = z
  .string()
  .max(MAX_HEADER_VALUE)
  .regex(/^[\t\x20-\x7e\x80-\xff]*$/);
/** Headers as an ordered list of pairs, so that repeated headers (Set-Cookie) survive. */
const headers = z.array(z.tuple([headerName, headerValue])).max(MAX_HEADERS);

// shim → host
export const OpenRequest = z.strictObject({
  type: z.literal('open'),
  id,
  url: z.string().min(1).max(MAX_URL),
});
export const ResponseHead = z.strictObject({
  type: z.literal('response-head'),
  relay: id,
  status: z.number().int().min(100).max(599),
  headers,
});
export const ResponseBody = z.strictObject({ type: z.literal('response-body'), relay: id, data: base64 });
export const ResponseEnd = z.strictObject({ type: z.literal('response-end'), relay: id });
export const ResponseError = z.strictObject({
  type: z.literal('response-error'),
  relay: id,
  message: z.string().max(500),
});
export const ShimMessage = z.discriminatedUnion('type', [
  OpenRequest,
  ResponseHead,
  ResponseBody,
  ResponseEnd,
  ResponseError,
]);
export type ShimMessage = z.infer<typeof ShimMessage>;

// host → shim
export const OpenResult = z.strictObject({
  type: z.literal('open-result'),
  id,
  /** opened: the host browser has the URL; with `callback`, requests to it will follow as `request`. */
  outcome: z.enum(['opened', 'refused']),
  message: z.string().max(1000),
  callback: z
    .strictObject({ port: z.number().int().min(1).max(65535), path: z.string().max(MAX_URL) })
    .optional(),
});
export const RelayRequest = z.strictObject({
  type: z.literal('request'),
  relay: id,
  flow: id,
  port: z.number().int().min(1).max(65535),
  method: z.string().regex(/^[A-Z]{1,16}$/),
  path: z.string().min(1).max(MAX_URL),
  headers,
  body: base64,
});
export const FlowEnd = z.strictObject({
  type: z.literal('flow-end'),
  flow: id,
  reason: z.enum(['done', 'timeout', 'closed']),
});
export const HostMessage = z.discriminatedUnion('type', [OpenResult, RelayRequest, FlowEnd]);
export type HostMessage = z.infer<typeof HostMessage>;

/** A frame as a message of `schema`, or null when it is not JSON or does not match exactly. */
export function parseFrame<T>(schema: z.ZodType<T>, frame: string): T | null {
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Hop-by-hop headers: about one connection, never relayed to the other side. */
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
  'content-length',
]);

/** Node's raw header list ([name, value, name, value…]) as relayable pairs, bounded; bad ones dropped. */
export function relayableHeaders(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length && out.length < MAX_HEADERS; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    if (!headerName.safeParse(name).success || !headerValue.safeParse(value).success) continue;
    out.push([name, value]);
  }
  return out;
}
