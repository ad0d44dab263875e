import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mount } from '../../../src/plan/types.js';
import { claimMountpoints } from '../../../src/session/mountpoint-sharing.js';
import { hasEnded, identityOf, isRunning } from '../../../src/session/process-identity.js';
import { helperFile, removeStaleSessions, sessionPaths } from '../../../src/session/session-dir.js';

const children: ChildProcess[] = [];
function sleeper(): ChildProcess {
  const c = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(c);
  return c;
}
const exited = (c: ChildProcess) =>
  new Promise<void>((r) => (c.exitCode !== null ? r() : c.once('exit', () => r())));

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('process identities', () => {
  it('name this process as running, and a process that ended (or a reused pid) as ended', async () => {
    const me = identityOf(process.pid)!;
    expect(me).toMatch(new RegExp(`^${process.pid}:\\d+:[0-9a-f-]+:\\d+$`));
    expect(isRunning(me)).toBe(true);
    expect(hasEnded(me)).toBe(false);

    const c = sleeper();
    const id = identityOf(c.pid!)!;
    expect(isRunning(id)).toBe(true);
    c.kill('SIGTERM');
    await exited(c);
    expect(isRunning(id)).toBe(false);
    expect(hasEnded(id)).toBe(true);

    const [pid, start, boot, ns] = me.split(':');
    // the same pid started at another time is another process
    expect(hasEnded(`${pid}:${Number(start) + 1}:${boot}:${ns}`)).toBe(true);
    // an earlier boot's process has ended; another pid namespace's cannot be judged; nor can garbage
    expect(hasEnded(`${pid}:${start}:00000000-0000-0000-0000-000000000000:${ns}`)).toBe(true);
    expect(isRunning(`${pid}:${start}:00000000-0000-0000-0000-000000000000:${ns}`)).toBe(false);
    expect(hasEnded(`${pid}:${start}:${boot}:1`)).toBe(false);
    expect(hasEnded('garbage')).toBe(false);
  });
});

describe('stale session dirs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ags-sessions-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A session dir as a run of `owner` would have left it, with its ssh-agent recorded as `agent`. */
  function session(pid: number, owner: string | null, agent?: string) {
    const paths = sessionPaths(dir, pid);
    mkdirSync(paths.publicDir, { recursive: true });
    if (owner) writeFileSync(paths.ownerFile, `${owner}\n`);
    if (agent) writeFileSync(helperFile(paths, 'ssh-agent'), `${agent}\n`);
    return paths;
  }

  it("removes a dead run's dir and stops the ssh-agent it recorded; keeps live runs and strangers", async () => {
    const dead = sleeper();
    const deadId = identityOf(dead.pid!)!;
    dead.kill('SIGKILL');
    await exited(dead);
    const agent = sleeper();
    const stranger = sleeper();
    const [, start, boot, ns] = identityOf(stranger.pid!)!.split(':');
    const live = sleeper();

    const killed = session(dead.pid!, deadId, identityOf(agent.pid!)!);
    // a recorded helper whose pid now belongs to another process (another start time) is not signalled
    const reused = session(
      dead.pid! + 100000,
      `${dead.pid! + 100000}:1:${boot}:${ns}`,
      `${stranger.pid}:${Number(start) + 7}:${boot}:${ns}`,
    );
    const running = session(live.pid!, identityOf(live.pid!)!);

    expect(removeStaleSessions(dir).sort()).toEqual([killed.root, reused.root].sort());
    await exited(agent);
    expect(agent.signalCode).toBe('SIGTERM');
    expect(stranger.exitCode === null && stranger.signalCode === null).toBe(true);
    expect(existsSync(running.root)).toBe(true);
  });

  it('without an owner file, judges by the pid alone', () => {
    const live = sleeper();
    session(live.pid!, null);
    expect(removeStaleSessions(dir)).toEqual([]);
  });
});

describe('mount points shared by runs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ags-shared-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are removed by the last run that uses them, never under a run still going', () => {
    const home = join(dir, 'home');
    const runtime = join(dir, 'run');
    mkdirSync(home);
    const mounts: Mount[] = [
      { source: home, target: '/home/u', mode: 'rw', why: 'home', showInHint: false },
      {
        source: join(dir, 'repo'),
        target: '/home/u/src/repo',
        mode: 'rw',
        why: 'workdir',
        showInHint: false,
      },
    ];
    // two runs, each owned by a live process
    const [a, b] = [sleeper(), sleeper()].map((c) => {
      const paths = sessionPaths(runtime, c.pid!);
      mkdirSync(paths.publicDir, { recursive: true });
      writeFileSync(paths.ownerFile, identityOf(c.pid!)!);
      return paths;
    });
    const releaseA = claimMountpoints(mounts, a!, runtime, () => {});
    const releaseB = claimMountpoints(mounts, b!, runtime, () => {});
    expect(existsSync(join(home, 'src', 'repo'))).toBe(true);
    // run A ends first (its session dir goes too), while B's container still mounts on the point
    releaseA();
    rmSync(a!.root, { recursive: true });
    expect(existsSync(join(home, 'src', 'repo'))).toBe(true);
    releaseB();
    expect(readdirSync(home)).toEqual([]);
  });

  it('take over the lock of a run that was killed holding it', async () => {
    const home = join(dir, 'home');
    const runtime = join(dir, 'run');
    mkdirSync(home);
    const killed = sleeper();
    const killedId = identityOf(killed.pid!)!;
    killed.kill('SIGKILL');
    await exited(killed);
    const self = sessionPaths(runtime, process.pid);
    mkdirSync(self.publicDir, { recursive: true });
    writeFileSync(join(runtime, 'mountpoints.lock'), killedId);
    const release = claimMountpoints(
      [
        { source: home, target: '/home/u', mode: 'rw', why: 'home', showInHint: false },
        { source: join(dir, 'repo'), target: '/home/u/repo', mode: 'rw', why: 'workdir', showInHint: false },
      ],
      self,
      runtime,
      () => {},
    );
    expect(readdirSync(home)).toEqual(['repo']);
    rmSync(self.root, { recursive: true });
    release();
    expect(readdirSync(home)).toEqual([]);
    expect(existsSync(join(runtime, 'mountpoints.lock'))).toBe(false);
  });
});
