// The sandbox's browser: `node auth-browser.mjs URL`, run as $BROWSER and as xdg-open, x-www-browser,
// sensible-browser and open (small sh wrappers ags puts first on PATH).
//
// There is no browser in the sandbox. This asks the host's auth proxy (a websocket on the Unix socket ags
// mounts in, with the session's token from the file next to it) to open URL in the user's browser. For a login
// URL the host listens on the callback port named in it and sends each request the browser makes there back
// here; this replays it to the agent's own listener on the sandbox's loopback and tells the host its status
// (and a redirect's target). It holds no policy: the host decides what is opened and what the browser sees.
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  HostMessage,
  MAX_FRAME,
  type ShimMessage,
  TOKEN_HEADER,
  parseFrame,
  relayableHeaders,
} from '../../src/authproxy/protocol.js';

/**
 * Says why on stderr and, when stderr goes elsewhere (agents start the browser with its output discarded), on
 * the sandbox's terminal too, so that a refused login is not a silent wait.
 */
const fail = (text: string, code = 1): never => {
  const line = `ags: ${text}\n`;
  process.stderr.write(line);
  if (!process.stderr.isTTY) {
    try {
      writeFileSync('/dev/tty', `\r\n${line.replace(/\n/g, '\r\n')}`);
    } catch {
      /* no terminal */
    }
  }
  process.exit(code);
};

const url = process.argv.slice(2).find((a) => !a.startsWith('-'));
if (!url) fail('usage: a browser command takes the URL to open', 2);
const dir = process.env.AGS_AUTH_PROXY_DIR;
if (!dir) fail('no auth proxy in this sandbox ([auth_proxy] is off), so no browser can be opened');

let token = '';
try {
  token = readFileSync(join(dir!, 'token'), 'utf8').trim();
} catch {
  fail('the auth proxy token is missing, so no browser can be opened');
}

const ws = new WebSocket(`ws+unix:${join(dir!, 'sock')}:/`, {
  headers: { [TOKEN_HEADER]: token },
  maxPayload: MAX_FRAME,
  perMessageDeflate: false,
});
const send = (msg: ShimMessage) => ws.send(JSON.stringify(msg));
/** The login flow the host opened for this URL: the only port requests are replayed to. */
let flow: { id: string; port: number } | null = null;
const requestId = `r${process.pid}`;

ws.on('unexpected-response', (_req, res) => {
  fail(
    res.statusCode === 409
      ? 'another browser request from this sandbox is still in progress; try again when it is done'
      : `the auth proxy refused the connection (HTTP ${res.statusCode})`,
  );
});
ws.on('error', (err) => fail(`cannot reach the auth proxy: ${err.message}`));
ws.on('close', () =>
  fail(
    flow
      ? 'the auth proxy went away before the login was done'
      : 'the auth proxy went away before it answered',
  ),
);
ws.on('open', () => send({ type: 'open', id: requestId, url: url! }));

function replay(msg: Extract<HostMessage, { type: 'request' }>): void {
  if (!flow || msg.flow !== flow.id || msg.port !== flow.port) {
    send({ type: 'response-error', relay: msg.relay, message: 'not the port of this login' });
    return;
  }
  const body = Buffer.from(msg.body, 'base64');
  // the host relays no Host header: the one the browser sent named this same port on the host's localhost
  const headers = [
    'host',
    `localhost:${flow.port}`,
    ...msg.headers.flat(),
    'content-length',
    String(body.length),
  ];
  const attempt = (host: string) => {
    const req = httpRequest(
      { host, port: flow!.port, method: msg.method, path: msg.path, headers },
      (res) => {
        // the host answers the browser with its own page: only the status, and where a redirect goes, matter
        const location = relayableHeaders(res.rawHeaders).find(([n]) => n.toLowerCase() === 'location');
        send({
          type: 'response-head',
          relay: msg.relay,
          status: res.statusCode ?? 502,
          headers: location ? [location] : [],
        });
        res.resume();
        res.on('end', () => send({ type: 'response-end', relay: msg.relay }));
        res.on('error', (err) =>
          send({ type: 'response-error', relay: msg.relay, message: err.message.slice(0, 400) }),
        );
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      // the agent's listener may be on 127.0.0.1 or on ::1 only
      if (host === '127.0.0.1' && err.code === 'ECONNREFUSED') return attempt('::1');
      send({
        type: 'response-error',
        relay: msg.relay,
        message: `the agent's listener: ${err.message}`.slice(0, 400),
      });
    });
    req.end(body);
  };
  attempt('127.0.0.1');
}

ws.on('message', (data) => {
  const msg = parseFrame(HostMessage, String(data));
  if (!msg) fail('the auth proxy sent a message this shim does not understand');
  switch (msg!.type) {
    case 'open-result':
      if (msg!.id !== requestId) return;
      if (msg!.outcome === 'refused') fail(`the host did not open the URL: ${msg!.message}`);
      if (!msg!.callback) {
        ws.close();
        process.exit(0);
      }
      flow = { id: requestId, port: msg!.callback!.port };
      return;
    case 'request':
      return replay(msg!);
    case 'flow-end':
      if (flow && msg!.flow === flow.id) {
        if (msg!.reason === 'timeout') fail('the login was not completed in time');
        ws.close();
        process.exit(0);
      }
  }
});
