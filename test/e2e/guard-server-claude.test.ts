import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerNameFor } from '../../src/plan/build.js';
import { runAgs, writeTestConfig } from '../support/ags.js';
import { E2E_IMAGE, claudeAtMockToml, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, asTestUser, loadTestHost } from '../support/host.js';
import { MockModel, type MockReply, toolResults } from '../support/mock-model.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// Claude Code's guard is one server for the session (guards/bin/guard-server.ts), reached by an http hook with
// onFailure "block". Real Claude Code in a real container: a destructive command is blocked with its reason, the
// agent can neither kill the server nor take its port, and when the server hangs (stopped from outside) or is
// gone (killed from outside, as a crash would) the next tool call is blocked, not let through.

/** Prints the pid of every guard-server process it can see. */
const FIND_SERVER = [
  "const fs = require('fs');",
  "for (const p of fs.readdirSync('/proc')) { if (!/^\\d+$/.test(p)) continue; let c = '';",
  "try { c = fs.readFileSync('/proc/' + p + '/cmdline', 'utf8'); } catch {}",
  // argv, not a substring: the shell running this very command has the text in its own command line
  "const a = c.split(String.fromCharCode(0)); if ((a[1] || '').endsWith('/guard-server.mjs') && a[2] === '--serve') console.log(p); }",
].join(' ');
/** Sends SIGNAL to each pid of its arguments; prints what happened to each. */
const signalPids = (signal: string) =>
  `for (const p of process.argv.slice(1)) { try { process.kill(Number(p), '${signal}'); console.log('killed ' + p); } catch (e) { console.log('kill ' + p + ': ' + e.code); } }`;
// found, then signalled: inline code that signals what a walk of /proc finds is a kill of every process to the
// guard (code.kill-all), which would block the agent's attempt before the kernel refuses it
const KILL_SERVER = `node -e "${signalPids('SIGKILL')}" $(node -e "${FIND_SERVER}")`;
const BIND_LOW_PORT =
  "require('net').createServer().listen(946, '127.0.0.1', () => { console.log('bound 946'); process.exit(0); }).on('error', (e) => console.log('bind 946: ' + e.code))";

describe('the ags guard server inside a real Claude Code session', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let model: MockModel;
  let repo: string;
  let config: string;
  let stoppedFromOutside = '';
  let killedFromOutside = '';
  const dataDir = () => join(host.home, 'e2e-data');

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir, { 'important/keep.txt': 'precious\n' });
    const bash = (command: string): MockReply => ({
      toolUse: { name: 'Bash', input: { command, description: 'step' } },
    });
    const replies: MockReply[] = [
      bash('rm -rf ~'),
      bash(`${KILL_SERVER}; node -e "${BIND_LOW_PORT}"; echo "uid=$(id -u)"`),
      bash('echo still-guarded'),
      bash(`echo SHOULD-NOT-RUN > ${repo}/while-stopped.txt`),
      bash(`echo SHOULD-NOT-RUN > ${repo}/after-kill.txt`),
      { text: 'done' },
    ];
    model = new MockModel((_req, turn) => {
      // before Claude Code gets its fourth tool call the server hangs, before the fifth it dies: stopped, then
      // killed, by the sandbox's root
      if (turn === 3) stoppedFromOutside = signalServerFromOutside(host, repo, 'SIGSTOP');
      if (turn === 4) killedFromOutside = signalServerFromOutside(host, repo, 'SIGKILL');
      return replies[turn] ?? { text: 'done.' };
    });
    const port = await model.start('127.0.0.1');
    config = writeTestConfig(host, tmp.dir, claudeAtMockToml(port), { image: E2E_IMAGE, dataDir: dataDir() });
    await prepareE2eSandbox(host, config, repo, ['claude']);
  });

  afterAll(async () => {
    await model?.stop();
    tmp?.cleanup();
  });

  it('blocks rm -rf ~ with its reason, survives the agent, and blocks every call once it hangs or is gone', async () => {
    const r = await runAgs(
      host,
      ['--config', config, '--agent', 'claude', '-D', '--', '-p', 'tidy up', '--output-format', 'json'],
      { cwd: repo },
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const turns = model.turnsSeen;
    expect(turns.length).toBe(6);
    const result = (i: number) => toolResults(turns[i]!).at(-1)!;

    // 1. the reason reaches the model
    expect(result(1)).toMatch(/blocked by ags guard \(fs\.rm-recursive-home\)/);
    // 2. the agent (the invoker's uid) may not kill the server (root's) nor bind a port below 1024
    expect(result(2)).toMatch(/kill \d+: EPERM/);
    expect(result(2)).not.toMatch(/killed \d+/);
    expect(result(2)).toContain('bind 946: EACCES');
    expect(result(2)).toMatch(/uid=[1-9]/);
    // 3. so the server still answers
    expect(result(3)).toContain('still-guarded');
    // 4. stopped from outside: the call times out, which blocks it
    expect(stoppedFromOutside).toMatch(/killed \d+/);
    expect(result(4)).toMatch(/timed out; blocking because onFailure is "block"/);
    expect(existsSync(join(repo, 'while-stopped.txt'))).toBe(false);
    // 5. killed from outside: the hook cannot connect, which blocks the call
    expect(killedFromOutside).toMatch(/killed \d+/);
    expect(result(5)).toMatch(/blocking because onFailure is "block"/);
    expect(existsSync(join(repo, 'after-kill.txt'))).toBe(false);
    expect(readFileSync(join(repo, 'important', 'keep.txt'), 'utf8')).toBe('precious\n');
  });
});

/** Signals the run's guard server as the sandbox's root (as a hang or a crash would end it); what it printed. */
function signalServerFromOutside(host: TestHost, repo: string, signal: string): string {
  const prefix = containerNameFor(repo, 0).replace(/-0$/, '-');
  const run = (args: string[]) => {
    const [file, ...rest] = asTestUser(host, ['podman', ...args]);
    return execaSync(file!, rest, { reject: false, cwd: host.home });
  };
  const names = String(run(['ps', '--format', '{{.Names}}']).stdout)
    .split('\n')
    .filter((n) => n.startsWith(prefix));
  if (names.length !== 1) return `no single container ${prefix}*: ${names.join(' ')}`;
  const r = run([
    'exec',
    '--user=0:0',
    names[0]!,
    'sh',
    '-c',
    `node -e "${signalPids(signal)}" $(node -e "${FIND_SERVER}")`,
  ]);
  return `${String(r.stdout)}${String(r.stderr)}`;
}
