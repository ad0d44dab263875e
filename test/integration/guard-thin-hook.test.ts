import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/host.js';

// The thin command hooks of Codex and Gemini CLI (dist/sandbox/codex-hook.cjs, gemini-hook.cjs): real processes
// against the real built guard server on loopback. The server is started with a policy holding one extra rule
// that the hook processes do not have, so a block by that rule proves the server answered; without a server, or
// with something else on the port, the hook must decide itself, with the same verdicts as before.
const SANDBOX = join(REPO_ROOT, 'dist', 'sandbox');
const SERVER = join(SANDBOX, 'guard-server.mjs');
const MARKER = 'echo only-the-server-blocks-this';
const SERVER_BLOCK = `blocked by ags guard (test.server-only): server policy [${MARKER}]`;

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const codexCall = (command: string, cwd: string | undefined = '/tmp') =>
  JSON.stringify({
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command },
    ...(cwd ? { cwd } : {}),
  });
const geminiCall = (command: string) =>
  JSON.stringify({
    hook_event_name: 'BeforeTool',
    tool_name: 'run_shell_command',
    tool_input: { command },
    cwd: '/tmp',
  });

describe('the thin command hooks and the guard server', () => {
  let dir: string;
  let port: number;
  let pid: number;
  let hookEnv: Record<string, string>;

  const hook = (bundle: string, input: string, args: string[], cwd = dir) =>
    execa('node', [join(SANDBOX, bundle), ...args], {
      input,
      env: hookEnv,
      extendEnv: false,
      reject: false,
      cwd,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ags-thin-hook-'));
    const policy = {
      extraRules: [
        { id: 'test.server-only', pattern: 'only-the-server-blocks-this', reason: 'server policy' },
      ],
    };
    writeFileSync(join(dir, 'server-policy.json'), JSON.stringify(policy));
    hookEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/dev', AGS_WORKSPACE: dir };
    port = await freePort();
    const r = await execa('node', [SERVER, '--daemon', String(port)], {
      env: { ...hookEnv, AGS_GUARD_POLICY: join(dir, 'server-policy.json') },
      extendEnv: false,
      reject: false,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    pid = Number(r.stdout.trim());
  });

  afterAll(() => {
    if (pid) process.kill(pid, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('codex-hook.cjs --server asks the server: its policy decides, exit 2 and the reason on stderr', async () => {
    const r = await hook('codex-hook.cjs', codexCall(MARKER), ['--server', String(port)]);
    expect([r.exitCode, r.stderr]).toEqual([2, SERVER_BLOCK]);
    const allowed = await hook('codex-hook.cjs', codexCall('git status'), ['--server', String(port)]);
    expect([allowed.exitCode, allowed.stderr]).toEqual([0, '']);
  });

  it('gemini-hook.cjs --server asks the server with the BeforeTool event', async () => {
    const r = await hook('gemini-hook.cjs', geminiCall(MARKER), ['--server', String(port)]);
    expect([r.exitCode, r.stderr]).toEqual([2, SERVER_BLOCK]);
    // another agent's event is not this hook's: allowed, as the engine itself would
    const other = await hook('gemini-hook.cjs', codexCall('rm -rf ~'), ['--server', String(port)]);
    expect(other.exitCode).toBe(0);
  });

  it("the hook's own working directory reaches the server for an input without a cwd", async () => {
    const r = await hook('codex-hook.cjs', codexCall('rm -rf .', undefined), ['--server', String(port)]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/\(fs\.rm-recursive-workspace\)/);
  });

  it('an input larger than a pipe buffer reaches the server whole', async () => {
    const input = codexCall(`echo ${'x'.repeat(90_000)} >/dev/null; ${MARKER}`);
    const r = await hook('codex-hook.cjs', input, ['--server', String(port)]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/\(test\.server-only\)/);
  });

  it('with no server on the port the hook decides itself, as without --server', async () => {
    const gone = await freePort();
    for (const args of [['--server', String(gone)], []]) {
      const marker = await hook('codex-hook.cjs', codexCall(MARKER), args);
      expect([marker.exitCode, marker.stderr]).toEqual([0, '']);
      const rm = await hook('codex-hook.cjs', codexCall('rm -rf ~'), args);
      expect(rm.exitCode).toBe(2);
      expect(rm.stderr).toMatch(/\(fs\.rm-recursive-home\)/);
    }
  });

  it('something else on the port (garbage, an allow it made up, a hang) is not believed', async () => {
    const answers = [
      'HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 27\r\n\r\n{"exitCode":0,"stderr":""}',
      'HTTP/1.1 500 Internal\r\ncontent-length: 26\r\n\r\n{"exitCode":0,"stderr":""}',
      'HTTP/1.1 200 OK\r\ncontent-length: 26\r\n\r\n{"exitCode":1,"stderr":""}',
      null,
    ];
    for (const answer of answers) {
      const fake: Server = createTcpServer((socket) => {
        socket.on('error', () => {});
        if (answer !== null) socket.end(answer);
      });
      await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
      const fakePort = (fake.address() as { port: number }).port;
      try {
        const r = await hook('codex-hook.cjs', codexCall('rm -rf ~'), ['--server', String(fakePort)]);
        expect(r.exitCode, String(answer)).toBe(2);
        expect(r.stderr).toMatch(/\(fs\.rm-recursive-home\)/);
      } finally {
        fake.close();
      }
    }
  }, 30_000);

  it('the server counts what it answered per hook path (GET /stats)', async () => {
    const before = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as Record<string, number>;
    await hook('codex-hook.cjs', codexCall('ls'), ['--server', String(port)]);
    await hook('codex-hook.cjs', codexCall('ls'), []);
    const after = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as Record<string, number>;
    expect(after).toEqual({ ...before, codex: before.codex! + 1 });
  });

  it('a hook whose engine bundle is missing blocks when it has to decide itself', async () => {
    const alone = mkdtempSync(join(tmpdir(), 'ags-thin-alone-'));
    try {
      copyFileSync(join(SANDBOX, 'codex-hook.cjs'), join(alone, 'codex-hook.cjs'));
      const r = await execa('node', [join(alone, 'codex-hook.cjs')], {
        input: codexCall('git status'),
        env: hookEnv,
        extendEnv: false,
        reject: false,
      });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^blocked by ags guard \(guard\.internal\): the guard engine did not load/);
      // with the server up it needs no engine of its own
      const served = await execa('node', [join(alone, 'codex-hook.cjs'), '--server', String(port)], {
        input: codexCall('git status'),
        env: hookEnv,
        extendEnv: false,
        reject: false,
      });
      expect([served.exitCode, served.stderr]).toEqual([0, '']);
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });
});
