/**
 * The host end of one login callback: an HTTP server on 127.0.0.1:PORT and [::1]:PORT, the addresses a browser
 * may use for `localhost`, bound before the browser is sent to the login page. It answers only the one path the
 * login URL named; everything else gets 404 and goes nowhere.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { answerBrowser } from './relay-policy.js';

export type CallbackHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface CallbackListener {
  close(): void;
}

/** The option of each agent that moves a callback port, for the "port in use" error. */
const PORT_OPTIONS =
  'MCP_OAUTH_CALLBACK_PORT or `claude mcp add --callback-port` (Claude Code), mcp_oauth_callback_port (Codex), ' +
  'OAUTH_CALLBACK_PORT (Gemini CLI), oauth.callbackPort (opencode, pi)';
const FIXED_PORTS: Record<number, string> = {
  1455: 'Codex and opencode sign in to ChatGPT on the fixed port 1455: stop what uses it on the host',
  19876: 'opencode MCP OAuth uses 19876 unless its oauth.callbackPort is set',
};

/** The one-line message for a callback port the host cannot listen on. */
export function portInUseMessage(port: number): string {
  const fixed = FIXED_PORTS[port];
  return (
    `the login callback port ${port} is already in use on the host, so the login cannot come back into the sandbox; ` +
    (fixed ? `${fixed}; ` : '') +
    `move it with ${PORT_OPTIONS}`
  );
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Listens for `path` on both loopback addresses; throws (with the port-in-use message) if either is taken. */
export async function listenForCallback(
  port: number,
  path: string,
  handle: CallbackHandler,
): Promise<CallbackListener> {
  const servers: Server[] = [];
  const close = () => {
    for (const s of servers) {
      // no new connections; answers being written finish (each says `connection: close`), then stragglers go
      s.close();
      s.closeIdleConnections();
      setTimeout(() => s.closeAllConnections(), 1000).unref();
    }
  };
  const onRequest: CallbackHandler = (req, res) => {
    const url = req.url ?? '';
    const reqPath = url.split('?')[0];
    if (!url.startsWith('/') || reqPath !== path) {
      answerBrowser(res, { kind: 'not-callback' });
      return;
    }
    handle(req, res);
  };
  for (const host of ['127.0.0.1', '::1']) {
    const server = createServer(onRequest);
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    try {
      await listen(server, port, host);
      servers.push(server);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // a host without IPv6 has no [::1] to bind: the browser cannot use it either
      if (host === '::1' && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
      close();
      if (code === 'EADDRINUSE') throw new Error(portInUseMessage(port));
      if (code === 'EACCES')
        throw new Error(
          `the login callback port ${port} cannot be listened on by an unprivileged user; move it with ${PORT_OPTIONS}`,
        );
      throw new Error(`cannot listen on localhost:${port} for the login callback: ${(err as Error).message}`);
    }
  }
  return { close };
}
