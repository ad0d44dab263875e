import { describe, expect, it } from 'vitest';
import {
  HostMessage,
  MAX_URL,
  ShimMessage,
  parseFrame,
  relayableHeaders,
} from '../../../src/authproxy/protocol.js';
import { portInUseMessage } from '../../../src/authproxy/callback-listener.js';

describe('parseFrame', () => {
  it('accepts a well-formed open request', () => {
    expect(
      parseFrame(ShimMessage, JSON.stringify({ type: 'open', id: 'r1', url: 'https://x.example/' })),
    ).toEqual({
      type: 'open',
      id: 'r1',
      url: 'https://x.example/',
    });
  });
  it.each([
    ['not JSON', '{'],
    ['an unknown type', JSON.stringify({ type: 'exec', id: 'r1' })],
    ['an extra key', JSON.stringify({ type: 'open', id: 'r1', url: 'https://x/', port: 1 })],
    ['a bad id', JSON.stringify({ type: 'open', id: '../x', url: 'https://x/' })],
    ['an oversized URL', JSON.stringify({ type: 'open', id: 'r1', url: `https://x/${'a'.repeat(MAX_URL)}` })],
    ['a body that is not base64', JSON.stringify({ type: 'response-body', relay: 'a', data: 'a b' })],
    [
      'a header with CR LF',
      JSON.stringify({ type: 'response-head', relay: 'a', status: 200, headers: [['x', 'a\r\nb']] }),
    ],
    [
      'an impossible status',
      JSON.stringify({ type: 'response-head', relay: 'a', status: 1000, headers: [] }),
    ],
  ])('rejects %s', (_what, frame) => {
    expect(parseFrame(ShimMessage, frame)).toBeNull();
  });
  it('rejects a shim message the host would send', () => {
    expect(
      parseFrame(ShimMessage, JSON.stringify({ type: 'flow-end', flow: 'a', reason: 'done' })),
    ).toBeNull();
    expect(
      parseFrame(HostMessage, JSON.stringify({ type: 'flow-end', flow: 'a', reason: 'done' })),
    ).not.toBeNull();
  });
});

describe('relayableHeaders', () => {
  it('keeps repeated headers in order and drops hop-by-hop ones', () => {
    expect(
      relayableHeaders([
        'Set-Cookie',
        'a=1',
        'Connection',
        'close',
        'set-cookie',
        'b=2',
        'Content-Length',
        '3',
      ]),
    ).toEqual([
      ['Set-Cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
  });
});

describe('portInUseMessage', () => {
  it('names the port and the options that move it', () => {
    const m = portInUseMessage(1455);
    expect(m).toContain('1455');
    expect(m).toContain('MCP_OAUTH_CALLBACK_PORT');
    expect(m).toContain('mcp_oauth_callback_port');
  });
});
