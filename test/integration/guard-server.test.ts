import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/host.js';

// The built guard server (dist/sandbox/guard-server.mjs) on the host's loopback, as Claude Code's http hook
// reaches it inside the sandbox: over kept-alive connections, and against garbage, oversized bodies, stalled
// clients and floods. Every answer that is not a plain allow must be one Claude Code blocks on (a deny, or a
// failure it turns into a block with onFailure "block"). In-sandbox start-up (root, port below 1024) is in
// test/e2e/guard-server-claude.test.ts.
const SERVER = join(REPO_ROOT, 'dist', 'sandbox', 'guard-server.mjs');
const HOOK_PATH = '/claude/pre-tool-use';

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function startDaemon(port: number, env: Record<string, string>) {
  return execa('node', [SERVER, '--daemon', String(port)], { env, extendEnv: false, reject: false });
}

function post(
  port: number,
  body: string | Buffer,
  agent?: Agent,
  path = HOOK_PATH,
): Promise<{ status: number; body: string; socket: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, socket: req.socket }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const call = (command: string) =>
  JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, cwd: '/tmp' });
const denied = (r: { status: number; body: string }) =>
  r.status === 200 && JSON.parse(r.body).hookSpecificOutput?.permissionDecision === 'deny';

describe('the guard server', () => {
  let dir: string;
  let port: number;
  let pid: number;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ags-guard-server-'));
    writeFileSync(join(dir, 'policy.json'), '{}\n');
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: '/home/dev',
      AGS_WORKSPACE: dir,
      AGS_GUARD_POLICY: join(dir, 'policy.json'),
    };
    port = await freePort();
    const r = await startDaemon(port, env);
    expect(r.exitCode, r.stderr).toBe(0);
    pid = Number(r.stdout.trim());
    expect(pid).toBeGreaterThan(0);
  });

  afterAll(() => {
    if (pid) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers over one kept-alive connection: a block with its reason, an allow as {}', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const a = await post(port, call('rm -rf ~'), agent);
    expect(denied(a)).toBe(true);
    expect(JSON.parse(a.body).hookSpecificOutput.permissionDecisionReason).toMatch(
      /^blocked by ags guard \(fs\.rm-recursive-home\)/,
    );
    const b = await post(port, call('ls'), agent);
    expect(b).toMatchObject({ status: 200, body: '{}' });
    expect(b.socket).toBe(a.socket);
    agent.destroy();
  });

  it('blocks garbage, refuses other paths and oversized bodies with a status Claude Code blocks on', async () => {
    expect(denied(await post(port, 'not json{'))).toBe(true);
    expect((await post(port, call('ls'), undefined, '/other')).status).toBe(404);
    const big = Buffer.alloc(33 * 1024 * 1024, 0x20);
    const r = await post(port, big).catch((e: Error) => ({ status: -1, body: e.message, socket: null }));
    // a 413, or the connection cut while the client still sends: both are failures, never an allow
    expect(r.status === 413 || r.status === -1, r.body).toBe(true);
  });

  it('a stalled client holds up no one else', async () => {
    const stalled = connect(port, '127.0.0.1');
    await new Promise<void>((r) => stalled.on('connect', () => r()));
    stalled.write(`POST ${HOOK_PATH} HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n{"tool_`);
    expect(denied(await post(port, call('rm -rf ~')))).toBe(true);
    stalled.destroy();
  });

  it('idle connections held open by another client shut out no one', async () => {
    const idle = Array.from({ length: 100 }, () => connect(port, '127.0.0.1'));
    await Promise.all(idle.map((s) => new Promise<void>((r) => s.on('connect', () => r()))));
    const agent = new Agent({ keepAlive: false });
    expect(denied(await post(port, call('rm -rf ~'), agent))).toBe(true);
    for (const s of idle) s.destroy();
  });

  it('survives a flood: no block ever comes back as an allow, and it answers afterwards', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        post(port, call(i % 2 ? 'rm -rf ~' : 'ls')).then(
          (r) => ({ i, ...r }),
          () => ({ i, status: -1, body: '', socket: null }),
        ),
      ),
    );
    for (const r of results) {
      if (r.i % 2 && r.status === 200) expect(denied(r)).toBe(true);
      if (r.status !== -1 && r.status !== 200) expect(r.status).toBeGreaterThanOrEqual(400);
    }
    expect(denied(await post(port, call('rm -rf ~')))).toBe(true);
  });

  it('fails to start with one line: its port taken, or its policy unreadable', async () => {
    const taken = await startDaemon(port, env);
    expect(taken.exitCode).toBe(1);
    expect(taken.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^ags: guard server: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/),
    ]);
    const noPolicy = await startDaemon(await freePort(), {
      ...env,
      AGS_GUARD_POLICY: join(dir, 'missing.json'),
    });
    expect(noPolicy.exitCode).toBe(1);
    expect(noPolicy.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^ags: guard server: cannot read the guard policy: /),
    ]);
  });

  it('--wait returns once the server answers as itself', async () => {
    expect((await execa('node', [SERVER, '--wait', String(port)], { reject: false })).exitCode).toBe(0);
  });
});
