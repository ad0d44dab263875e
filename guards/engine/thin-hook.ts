/**
 * A command hook (Codex, Gemini CLI) that asks the session's guard server (guards/bin/guard-server.ts) instead
 * of loading the engine: node starts, reads stdin, sends one request and replays the answer, which costs a few
 * milliseconds over bare `node -e 0` where loading and setting up the engine costs about as much again as node
 * itself (bench/guard.mjs, docs/GUARDS.md).
 *
 * The server is a speed-up, never a source of trust the hook lacks: when it does not answer in time, answers
 * with anything but a well-formed verdict, or no `--server PORT` was given, the hook loads the engine
 * (`hook-engine.cjs`, beside this bundle) and decides itself, exactly as the server would have. The port is below
 * 1024, which the sandbox keeps for the root-owned server (agents/guard-server.ts), so the agent cannot answer in
 * its place.
 *
 * Kept free of engine imports: everything imported here is bundled into every hook process.
 */
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { CommandAnswer, CommandHookAgent } from './http-hook.js';
import { readStdinSync } from './stdin.js';

const HOST = '127.0.0.1';
/** Well under the agents' hook timeouts (10 s), so a stuck server still leaves time to decide locally. */
const SERVER_TIMEOUT_MS = 4_000;
/** An answer is a verdict line or two; anything larger is not the server's. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** `--server PORT` from argv, or null. */
export function serverPort(argv: readonly string[]): number | null {
  const i = argv.indexOf('--server');
  if (i === -1) return null;
  const port = Number(argv[i + 1]);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
}

/** The request the hook sends: HTTP/1.1, one shot, the hook's stdin as the body. */
export function serverRequest(agent: CommandHookAgent, body: string, cwd: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  const head =
    `POST /command/${agent} HTTP/1.1\r\nhost: ${HOST}\r\ncontent-type: application/json\r\n` +
    `content-length: ${bytes.length}\r\nx-ags-cwd: ${encodeURIComponent(cwd)}\r\nconnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}

/** The verdict in a server's whole response, or null when it is not a 200 with a well-formed answer. */
export function parseServerResponse(raw: Buffer): CommandAnswer | null {
  const text = raw.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1 || !/^HTTP\/1\.[01] 200 /.test(text)) return null;
  const head = text.slice(0, end).toLowerCase();
  // the server always sends a length; a chunked or otherwise framed body is not its answer
  if (!/\r\ncontent-length: \d+/.test(head) || head.includes('transfer-encoding')) return null;
  try {
    const a = JSON.parse(text.slice(end + 4)) as Partial<CommandAnswer>;
    if ((a.exitCode === 0 || a.exitCode === 2) && typeof a.stderr === 'string')
      return { exitCode: a.exitCode, stderr: a.stderr };
  } catch {
    // not JSON: not the server's answer
  }
  return null;
}

/** Sends the request and resolves to the server's verdict, or null for any failure. Never rejects. */
export function askServer(
  port: number,
  request: Buffer,
  timeoutMs = SERVER_TIMEOUT_MS,
): Promise<CommandAnswer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (a: CommandAnswer | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(a);
    };
    const socket = connect({ host: HOST, port });
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('connect', () => socket.end(request));
    socket.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_ANSWER_BYTES) return done(null);
      chunks.push(c);
    });
    socket.on('end', () => done(parseServerResponse(Buffer.concat(chunks))));
    socket.on('error', () => done(null));
    socket.on('close', () => done(parseServerResponse(Buffer.concat(chunks))));
  });
}

type CommandHookFn = (agent: string, event: string, text: string) => CommandAnswer;

/**
 * The engine, loaded from its own bundle only when the server cannot answer. A hook that exits with anything but
 * 0 or 2 is an error some agents let the call past, so an engine that cannot load blocks.
 */
function decideHere(agent: CommandHookAgent, event: string, text: string): CommandAnswer {
  try {
    const load = createRequire(__filename);
    const engine = load(join(__dirname, 'hook-engine.cjs')) as { commandHook: CommandHookFn };
    return engine.commandHook(agent, event, text);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return {
      exitCode: 2,
      stderr: `blocked by ags guard (guard.internal): the guard engine did not load (${why})\n`,
    };
  }
}

/** The whole life of a thin command-hook process: read stdin, ask the server or decide here, replay the verdict. */
export function runThinCommandHook(agent: CommandHookAgent, event: string): void {
  let text = '';
  try {
    text = readStdinSync();
  } catch {
    // unreadable input is handed on as empty, which the engine reports as a parse failure
  }
  const finish = (a: CommandAnswer) => {
    // stderr is synchronous for pipes and files, so exiting at once loses nothing and skips node's teardown
    if (a.stderr) process.stderr.write(a.stderr);
    process.exit(a.exitCode);
  };
  const port = serverPort(process.argv.slice(2));
  if (port === null) return finish(decideHere(agent, event, text));
  void askServer(port, serverRequest(agent, text, process.cwd())).then((a) =>
    finish(a ?? decideHere(agent, event, text)),
  );
}
