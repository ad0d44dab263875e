// The session-long guard server, bundled to dist/sandbox/guard-server.mjs. A command hook that loads the whole
// engine pays for parsing and setting it up on every tool call; this one node decides for the whole session:
//   POST /claude/pre-tool-use   Claude Code's http PreToolUse hook (guards/engine/http-hook.ts): a call costs a
//                               request, not a process start
//   POST /command/codex|gemini  the thin command hooks of Codex and Gemini CLI (guards/engine/thin-hook.ts): the
//                               hook's stdin as the body, its working directory in x-ags-cwd (URI-encoded); the
//                               answer is {exitCode, stderr}, which the hook replays
//   GET /stats                  how many calls each hook path answered, as JSON (what a test, or a user
//                               wondering whether the thin hooks reach the server, can ask)
//
//   --daemon PORT  run by ags as the sandbox's root (`podman exec --user 0:0`): starts the server detached and
//                  exits 0 once it listens (printing its pid), or 1 with one line saying why it cannot
//   --serve PORT   the server itself (what --daemon starts)
//   --wait PORT    the sandbox's prelude, before the agent starts: exits 0 once the server answers, else 1
//
// The port is below 1024 and the sandbox keeps net.ipv4.ip_unprivileged_port_start at 1024, so only this
// server, started with the capability to bind it, can listen there: should it die, the agent cannot take its
// place, and the hook's `onFailure: "block"` blocks every call instead.
import { spawn } from 'node:child_process';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  answerClaudeHttp,
  answerCommandHttp,
  COMMAND_HOOK_EVENTS,
  type CommandHookAgent,
  type HttpAnswer,
} from '../engine/http-hook.js';
import { loadHookPolicy } from '../engine/hook.js';

const HOST = '127.0.0.1';
const HOOK_PATH = '/claude/pre-tool-use';
const COMMAND_PREFIX = '/command/';
const READY_PATH = '/ready';
const READY_TEXT = 'ags guard server\n';
const STATS_PATH = '/stats';
/** Calls answered per hook path, since the server started. */
const calls: Record<string, number> = { claude: 0, codex: 0, gemini: 0 };
/** A Write of a large file carries its content: far above any command, far below what would strain memory. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/**
 * Connections at once: Claude Code keeps one or a few alive. Past this an idle one is closed to make room (a
 * client holding many idle connections shuts out no one), and when none is idle the new one is (its call then
 * fails, which blocks it).
 */
const MAX_CONNECTIONS = 64;
const WAIT_MS = 30_000;

function fail(line: string): never {
  process.stderr.write(`ags: guard server: ${line}\n`);
  process.exit(1);
}

function portOf(arg: string | undefined): number {
  const port = Number(arg);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`bad port ${String(arg)}`);
  return port;
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function serve(port: number): void {
  // once, as the command hook does per call: the policy file is the run's read-only session file
  const loaded = loadHookPolicy();
  if (loaded.error) fail(`cannot read the guard policy: ${loaded.error}`);
  const server = createServer(
    { requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 30_000, maxHeaderSize: 16 * 1024 },
    (req, res) => handle(req, res, loaded),
  );
  limitConnections(server);
  server.on('clientError', (_err, socket) => socket.destroy());
  server.on('error', (err) => fail(`cannot listen on ${HOST}:${port}: ${err.message}`));
  server.listen({ port, host: HOST, exclusive: true }, () => {
    process.stdout.write('ready\n');
    // the parent (--daemon) is gone after this: nothing may write to its pipes again
    process.stdout.on('error', () => {});
    process.stderr.on('error', () => {});
  });
}

function limitConnections(server: Server): void {
  const busy = new Map<Socket, boolean>();
  server.on('connection', (socket: Socket) => {
    if (busy.size >= MAX_CONNECTIONS) {
      const idle = [...busy].find(([, b]) => !b)?.[0];
      if (!idle) return socket.destroy();
      idle.destroy();
      busy.delete(idle);
    }
    busy.set(socket, false);
    socket.on('close', () => busy.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    busy.set(req.socket, true);
    res.on('finish', () => busy.has(req.socket) && busy.set(req.socket, false));
  });
}

function handle(req: IncomingMessage, res: ServerResponse, loaded: ReturnType<typeof loadHookPolicy>): void {
  if (req.method === 'GET' && req.url === READY_PATH) return send(res, 200, READY_TEXT, 'text/plain');
  if (req.method === 'GET' && req.url === STATS_PATH) return send(res, 200, `${JSON.stringify(calls)}\n`);
  const refuse = (status: number, why: string) => {
    res.setHeader('connection', 'close');
    send(res, status, JSON.stringify({ error: why }));
    req.resume();
  };
  const answer = route(req, loaded);
  if (req.method !== 'POST' || !answer) return refuse(404, 'not found');
  if (req.headers['content-encoding'] && req.headers['content-encoding'] !== 'identity')
    return refuse(415, 'encoded body');
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return refuse(413, 'body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (c: Buffer) => {
    if (over) return;
    size += c.length;
    if (size > MAX_BODY_BYTES) {
      over = true;
      chunks.length = 0;
      refuse(413, 'body too large');
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on('error', () => res.destroy());
  req.on('end', () => {
    if (over) return;
    let answered;
    try {
      answered = answer(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      // a status Claude Code treats as a failed hook (with onFailure "block", a block); a thin command hook
      // decides for itself then
      return send(res, 500, JSON.stringify({ error: `guard failed: ${(err as Error).message}` }));
    }
    send(res, answered.status, answered.body);
  });
}

/** The answering function of a hook path, or null for any other path. */
function route(
  req: IncomingMessage,
  loaded: ReturnType<typeof loadHookPolicy>,
): ((body: string) => HttpAnswer) | null {
  const url = req.url ?? '';
  if (url === HOOK_PATH)
    return (body) => {
      calls.claude!++;
      return answerClaudeHttp(body, loaded);
    };
  if (!url.startsWith(COMMAND_PREFIX)) return null;
  const agent = url.slice(COMMAND_PREFIX.length);
  if (!Object.hasOwn(COMMAND_HOOK_EVENTS, agent)) return null;
  const cwd = cwdHeader(req.headers['x-ags-cwd']);
  return (body) => {
    calls[agent]!++;
    return answerCommandHttp(agent as CommandHookAgent, body, loaded, cwd);
  };
}

/** The hook's working directory: an absolute path, or nothing (then the input's own cwd must do). */
function cwdHeader(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const cwd = decodeURIComponent(value);
    return cwd.startsWith('/') && !cwd.includes('\0') ? cwd : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the server detached and waits until it listens (exit 0) or fails (its line, exit 1). */
function daemon(port: number): void {
  const child = spawn(process.execPath, [process.argv[1]!, '--serve', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const timer = setTimeout(() => fail(`did not listen within ${WAIT_MS / 1000} s`), WAIT_MS);
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  child.stdout!.on('data', (c: Buffer) => {
    if (!c.toString('utf8').includes('ready')) return;
    clearTimeout(timer);
    child.unref();
    process.stdout.write(`${String(child.pid)}\n`);
    process.exit(0);
  });
  child.on('exit', (code) => {
    clearTimeout(timer);
    const line = err.trim().split('\n').at(-1) ?? '';
    process.stderr.write(`${line || `ags: guard server: exited with ${String(code)} before it listened`}\n`);
    process.exit(1);
  });
}

/** The prelude's check: polls the ready path until the server answers as itself. */
function wait(port: number): void {
  const deadline = Date.now() + WAIT_MS;
  const retry = () => {
    if (Date.now() > deadline)
      fail(`no answer on ${HOST}:${port} within ${WAIT_MS / 1000} s: the agent is not started unguarded`);
    setTimeout(attempt, 20);
  };
  const attempt = () => {
    const req = get({ host: HOST, port, path: READY_PATH, timeout: 1000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => (res.statusCode === 200 && body === READY_TEXT ? process.exit(0) : retry()));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', retry);
  };
  attempt();
}

const [mode, arg] = process.argv.slice(2);
if (mode === '--serve') serve(portOf(arg));
else if (mode === '--daemon') daemon(portOf(arg));
else if (mode === '--wait') wait(portOf(arg));
else fail('usage: guard-server.mjs --daemon|--serve|--wait PORT');
