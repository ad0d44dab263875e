import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerNameFor } from '../../src/plan/build.js';
import { AGS_BIN, giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, asTestUser, loadTestHost, podman, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { linkInSandboxHome, makeTestRepo } from '../support/workspace.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True while `pid` runs (a zombie nobody has reaped yet has ended). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `probe` until it returns something truthy; fails the test after `ms`. */
async function waitFor<T>(what: string, probe: () => Promise<T> | T, ms = 60_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(100);
  }
}

// The lifetimes of what a run holds on the host — session dir, ssh-agent, env file, mount points, container —
// on the ways a run ends early: a signal while secrets resolve, `kill -9` of ags, an interrupted install. Every
// test runs the built CLI as the rootless test user with real containers, and tells its own processes and
// containers apart from those of other test runs on the machine.
describe('what a run holds, on every way out', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  /** XDG_RUNTIME_DIR for every run here, so the test sees session dirs. */
  let runtime: string;
  let plain: string;
  let slow: string;
  const homeDirs: string[] = [];

  const sessionDirs = () =>
    existsSync(join(runtime, 'ags'))
      ? readdirSync(join(runtime, 'ags')).filter((n) => n.startsWith('session-'))
      : [];
  /** The pid of the ags node process started with `config` (runuser itself runs as root). */
  const agsPid = async (config: string) => {
    const r = await execa('pgrep', ['-u', String(host.uid), '-f', `bin/ags.js --config ${config}`], {
      reject: false,
    });
    const pids = String(r.stdout).trim().split('\n').filter(Boolean).map(Number);
    return pids.length === 1 ? pids[0]! : null;
  };
  const pgrep = async (...args: string[]) =>
    String((await execa('pgrep', args, { reject: false })).stdout)
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  const sshAgents = () => pgrep('-u', String(host.uid), '-f', `ssh-agent -s -a ${runtime}/`);
  const containers = async (filter: string) =>
    String((await podman(host, ['ps', '--all', '--quiet', '--filter', filter])).stdout).trim();
  const start = (config: string, command: string, cwd = repo) =>
    runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', command], {
      cwd,
      env: { XDG_RUNTIME_DIR: runtime },
      buffer: true,
    });

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir);
    runtime = join(tmp.dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    mkdirSync(join(tmp.dir, 'keys'));
    giveToTestUser(host, runtime, join(tmp.dir, 'keys'));
    const key = join(tmp.dir, 'keys', 'ags_ed25519');
    const gen = await runAsTestUser(host, ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', key]);
    expect(gen.exitCode, String(gen.stderr)).toBe(0);
    plain = writeTestConfig(host, join(tmp.dir, 'plain'));
    // an ssh-agent with a key loaded, then a secret command that blocks: a run that is stuck while it holds both
    slow = writeTestConfig(
      host,
      join(tmp.dir, 'slow'),
      '[[secret]]\nenv = "SLOW_SECRET"\ncommand = ["/bin/sleep", "100"]\n',
      { sandbox: `ssh_keys = ["${key}"]` },
    );
  });

  afterAll(() => {
    for (const d of homeDirs) rmSync(d, { recursive: true, force: true });
    tmp?.cleanup();
  });

  it('SIGTERM while a secret command blocks: exit 143, no session dir, no ssh-agent, no helper left', async () => {
    const child = start(slow, 'true');
    const pid = await waitFor('ags to start', () => agsPid(slow));
    const helper = await waitFor(
      'the secret command',
      async () => (await pgrep('-P', String(pid), '-x', 'sleep'))[0],
    );
    expect(await sshAgents()).toHaveLength(1);
    expect(sessionDirs()).toHaveLength(1);
    process.kill(pid, 'SIGTERM');
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(143);
    expect(String(r.stderr)).not.toMatch(/internal error|\n\s+at /);
    expect(sessionDirs()).toEqual([]);
    expect(await sshAgents()).toEqual([]);
    expect(running(helper)).toBe(false);
  });

  it('kill -9 while a secret command blocks: the next start stops the ssh-agent it left', async () => {
    const child = start(slow, 'true');
    const pid = await waitFor('ags to start', () => agsPid(slow));
    const helper = await waitFor(
      'the secret command',
      async () => (await pgrep('-P', String(pid), '-x', 'sleep'))[0],
    );
    process.kill(pid, 'SIGKILL');
    await child;
    // nothing ran the teardown: the agent with the key loaded outlives ags
    expect(await sshAgents()).toHaveLength(1);
    expect(sessionDirs()).toEqual([`session-${pid}`]);
    process.kill(helper, 'SIGKILL'); // the orphaned secret command is not what this test is about

    const next = await start(plain, 'true');
    expect(next.exitCode, String(next.stderr)).toBe(0);
    await waitFor('the stale ssh-agent to end', async () => (await sshAgents()).length === 0, 5_000);
    expect(sessionDirs()).toEqual([]);
  });

  it('kill -9 of ags while its container runs: its reaper removes the container and session dir at once', async () => {
    void start(plain, 'echo started; sleep 300');
    const pid = await waitFor('ags to start', () => agsPid(plain));
    const name = containerNameFor(repo, pid);
    await waitFor('the container to run', () => containers(`name=^${name}$`));
    process.kill(pid, 'SIGKILL');
    // nothing of ags runs any more; the container, with the run's secrets in its environment, does not run on
    await waitFor('the container to go', async () => (await containers(`name=^${name}$`)) === '', 60_000);
    // and then the rest of the run's teardown: its session dir (the secrets file with it) goes too
    await waitFor('the session dir to go', () => sessionDirs().length === 0, 10_000);
    expect(await pgrep('-u', String(host.uid), '-f', `ags-reaper ${name}`)).toEqual([]);
  });

  it('kill -9 of ags and of its reaper: the next start removes the container', async () => {
    void start(plain, 'echo started; sleep 300');
    const pid = await waitFor('ags to start', () => agsPid(plain));
    const name = containerNameFor(repo, pid);
    await waitFor('the container to run', () => containers(`name=^${name}$`));
    const reaper = await waitFor(
      'the reaper',
      async () => (await pgrep('-u', String(host.uid), '-f', `ags-reaper ${name}`))[0],
    );
    process.kill(Number(reaper), 'SIGKILL');
    process.kill(pid, 'SIGKILL');
    await pause(1000);
    expect(await containers(`name=^${name}$`)).not.toBe('');

    const next = await start(plain, 'true');
    expect(next.exitCode, String(next.stderr)).toBe(0);
    expect(await containers(`name=^${name}$`)).toBe('');
    expect(sessionDirs()).toEqual([]);
  });

  it('SIGTERM stops the container quietly (no podman or runc noise), exit 143, three times over', async () => {
    for (let i = 0; i < 3; i++) {
      const child = start(plain, 'echo started; exec sleep 300');
      const pid = await waitFor('ags to start', () => agsPid(plain));
      const name = containerNameFor(repo, pid);
      await waitFor('the container to run', async () => (await containers(`name=^${name}$`)) !== '');
      await pause(500);
      process.kill(pid, 'SIGTERM');
      const r = await child;
      expect(r.exitCode).toBe(143);
      expect(String(r.stderr)).not.toMatch(/not running|level=error|Error/);
      expect(await containers(`name=^${name}$`)).toBe('');
    }
  });

  describe('the runtime dir', () => {
    const refusal = async (env: Record<string, string>, cwd = repo) => {
      const r = await runAgs(host, ['--config', plain, '--agent', 'shell', '--', '-c', 'true'], { cwd, env });
      return { code: r.exitCode, stderr: String(r.stderr) };
    };

    it('a relative XDG_RUNTIME_DIR is refused in one line, and nothing lands in the workspace', async () => {
      const r = await refusal({ XDG_RUNTIME_DIR: 'run' });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^ags: XDG_RUNTIME_DIR=run is not an absolute path\n {2}set it to [^\n]*$/);
      expect(existsSync(join(repo, 'run'))).toBe(false);
    });

    it('a missing XDG_RUNTIME_DIR is one clear line, exit 1', async () => {
      const missing = join(tmp.dir, 'no-such-runtime-dir');
      const r = await refusal({ XDG_RUNTIME_DIR: missing });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^ags: XDG_RUNTIME_DIR=${missing} does not exist\\n {2}create it`));
      expect(existsSync(missing)).toBe(false);
    });

    it("an XDG_RUNTIME_DIR inside the workspace is refused (the sandbox would see every run's secrets)", async () => {
      const inside = join(repo, '.run');
      mkdirSync(inside, { mode: 0o700 });
      giveToTestUser(host, inside);
      const r = await refusal({ XDG_RUNTIME_DIR: inside });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^ags: refusing to mount .*: it contains (the ags|ags's) runtime directory/);
      expect(readdirSync(inside)).toEqual([]);
    });

    it('the tmp fallback inside the workspace is refused too (a workspace of /tmp holding /tmp/ags-UID)', async () => {
      // this host has no /run/user/UID for the test user, so without XDG_RUNTIME_DIR the fallback is $TMPDIR
      expect(existsSync(`/run/user/${host.uid}`)).toBe(false);
      const r = await refusal({ XDG_RUNTIME_DIR: '', TMPDIR: repo });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^ags: refusing to mount .*: it contains (the ags|ags's) runtime directory/);
      expect(r.stderr).toContain(`runtime directory ${join(repo, `ags-${host.uid}`)}`);
      expect(existsSync(join(repo, `ags-${host.uid}`))).toBe(false);
    });
  });

  describe('mount points in the sandbox home', () => {
    /** A workspace under the test user's home, so its mount point lies inside the sandbox home mount. */
    const homeRepo = async () => {
      const parent = mkdtempSync(join(host.home, 'ags-lt-'));
      homeDirs.push(parent);
      return { parent, repo: await makeTestRepo(host, parent) };
    };
    const outsideDir = (name: string) => {
      const dir = join(tmp.dir, name);
      mkdirSync(dir);
      giveToTestUser(host, dir);
      return dir;
    };

    it('a symlink planted in the sandbox home: nothing is created or removed where it points', async () => {
      const w = await homeRepo();
      const outside = outsideDir('outside-planted');
      utimesSync(outside, new Date(2020, 0, 1), new Date(2020, 0, 1));
      const name = w.parent.slice(host.home.length + 1);
      linkInSandboxHome(host, join(tmp.dir, 'plain', 'data'), 'shell', name, outside);
      const r = await start(plain, 'pwd', w.repo);
      expect(r.exitCode, String(r.stderr)).toBe(0);
      expect(String(r.stderr)).toContain(
        `${name} is a symlink or not a directory: no mount points made through it`,
      );
      // creating and removing an entry would have changed the directory's mtime
      expect(readdirSync(outside)).toEqual([]);
      expect(statSync(outside).mtime.getFullYear()).toBe(2020);
    });

    it('the agent swaps its mount point for a symlink during the run: nothing outside is removed after it', async () => {
      const w = await homeRepo();
      const outside = outsideDir('outside-swapped');
      mkdirSync(join(outside, 'repo'));
      giveToTestUser(host, join(outside, 'repo'));
      const name = w.parent.slice(host.home.length + 1);
      // as a hostile agent would: ~/<name> (holding the workspace mount point) becomes a link to a host dir
      const r = await start(
        plain,
        `cd / && mv ~/${name} ~/${name}.old && ln -s ${outside} ~/${name} && echo swapped`,
        w.repo,
      );
      expect(r.exitCode, String(r.stderr)).toBe(0);
      expect(String(r.stdout)).toContain('swapped');
      expect(existsSync(join(outside, 'repo'))).toBe(true);
    });
  });

  it('two runs in one workspace under the home: the first to end leaves the other its workspace', async () => {
    const parent = mkdtempSync(join(host.home, 'ags-lt-'));
    homeDirs.push(parent);
    const shared = await makeTestRepo(host, parent, { marker: 'x' });
    const first = start(plain, 'sleep 3', shared);
    const pid = await waitFor('the first run', () => agsPid(plain));
    await waitFor(
      'its container',
      async () => (await containers(`name=^${containerNameFor(shared, pid)}$`)) !== '',
    );
    // removing the mount point the first run made would unmount the workspace under the second
    const second = start(plain, `sleep 8; test -e ${shared}/marker && echo still-mounted`, shared);
    expect((await first).exitCode).toBe(0);
    const r = await second;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain('still-mounted');
    // the last run to end removes it
    expect(readdirSync(join(tmp.dir, 'plain', 'data', 'homes', 'shell'))).not.toContain(basename(parent));
  });

  it('interrupting update-agents stops and removes its install container, exit 130', async () => {
    const dir = join(tmp.dir, 'update');
    const config = writeTestConfig(host, dir);
    // the install container mounts the npm cache of this config: nothing else on the machine does
    const mine = `volume=${join(dir, 'cache', 'npm')}`;
    // output to a file and the exit waited for, not the end of a pipe: a podman left running holds the pipe
    const log = join(dir, 'update.log');
    const fd = openSync(log, 'w');
    const argv = [process.execPath, AGS_BIN, '--config', config, 'update-agents', 'pi@0.87.1'];
    const [file, ...args] = asTestUser(host, argv);
    const child = spawn(file!, args, { cwd: host.home, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const pid = await waitFor('ags to start', () => agsPid(config));
    await waitFor('the install container', async () => (await containers(mine)) !== '');
    process.kill(pid, 'SIGINT');
    expect(await exited, readFileSync(log, 'utf8')).toBe(130);
    expect(await containers(mine)).toBe('');
  });
});
