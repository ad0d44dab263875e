import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, giveToTestUser, runAgs, signalAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, podman, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';

// `ags --agent shell` for real: rootless podman, the offline test image, the built CLI, run as the test user.
describe('ags --agent shell in a real rootless container', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;
  /** XDG_RUNTIME_DIR for ags, so the test can look at session dirs and env files. */
  let runtime: string;

  const env = () => ({ XDG_RUNTIME_DIR: runtime, AGS_TEST_HOST_SECRET: 'host-secret-value-1234' });
  const ags = (args: string[], cwd = repo) =>
    runAgs(host, ['--config', config, ...args], { cwd, env: env() });
  /** The session dirs in ags's runtime dir (which also keeps the derived seccomp profile, no run state). */
  const sessionDirs = () =>
    existsSync(join(runtime, 'ags'))
      ? readdirSync(join(runtime, 'ags')).filter((d) => d.startsWith('session-'))
      : [];

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = join(tmp.dir, 'repo');
    runtime = join(tmp.dir, 'run');
    for (const d of [repo, join(repo, 'sub'), runtime, join(tmp.dir, 'extra')])
      mkdirSync(d, { recursive: true });
    writeFileSync(join(tmp.dir, 'extra', 'data.txt'), 'extra-data\n');
    giveToTestUser(
      host,
      repo,
      join(repo, 'sub'),
      runtime,
      join(tmp.dir, 'extra'),
      join(tmp.dir, 'extra', 'data.txt'),
    );
    await runAsTestUser(host, ['git', 'init', '-q', repo]);
    config = writeTestConfig(
      host,
      tmp.dir,
      '[[secret]]\nenv = "FROM_ENV_SECRET"\nfrom_env = "AGS_TEST_HOST_SECRET"\n',
    );
  });

  afterAll(() => tmp?.cleanup());

  it('runs a command as the user, from a script, and returns its exit code', async () => {
    const r = await ags(['--agent', 'shell', '--', '-c', 'id -u; pwd; exit 3'], join(repo, 'sub'));
    expect(r.exitCode, String(r.stderr)).toBe(3);
    const [uid, pwd] = String(r.stdout).trim().split('\n');
    expect(Number(uid)).toBe(host.uid);
    // started in the cwd, inside the repository mounted from its top level
    expect(pwd).toBe(join(repo, 'sub'));
  });

  it("passes the agent's 125 through (podman's own failure code, told apart by the --pidfile)", async () => {
    const r = await ags(['--agent', 'shell', '--', '-c', 'exit 125']);
    expect(r.exitCode, String(r.stderr)).toBe(125);
    expect(String(r.stderr)).not.toContain('podman could not start');
  });

  it('sees the workdir read-write and nothing of the real $HOME', async () => {
    writeFileSync(join(host.home, 'host-only-file'), 'secret');
    const r = await ags([
      '--agent',
      'shell',
      '--',
      '-c',
      'echo made-inside > inside.txt; test -e "$HOME/host-only-file" && echo LEAK; test -e "$HOME/.config/containers/storage.conf" && echo LEAK; echo "home=$HOME"',
    ]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).not.toContain('LEAK');
    expect(String(r.stdout)).toContain(`home=${host.home}`);
    const made = join(repo, 'inside.txt');
    expect(readFileSync(made, 'utf8')).toBe('made-inside\n');
    expect(statSync(made).uid).toBe(host.uid);
  });

  it('keeps the guard, session files and agent CLIs read-only inside', async () => {
    const r = await ags([
      '--agent',
      'shell',
      '--',
      '-c',
      'for d in /run/ags /opt/ags/sandbox /opt/ags/tools; do touch "$d/x" 2>&1 || true; done',
    ]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).match(/Read-only file system/g)?.length).toBe(3);
  });

  it('--root runs as root inside (uid 0), with a warning', async () => {
    const r = await ags(['--agent', 'shell', '--root', '--', '-c', 'id -u']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe('0');
    expect(String(r.stderr)).toContain('ags: warning: --root');
  });

  it('mounts -d directories at the same path', async () => {
    const extra = join(tmp.dir, 'extra');
    const r = await ags([
      '--agent',
      'shell',
      '-d',
      extra,
      '--',
      '-c',
      `cat ${extra}/data.txt && touch ${extra}/w`,
    ]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain('extra-data');
    expect(existsSync(join(extra, 'w'))).toBe(true);
  });

  it('passes agent arguments after -- unchanged, even ones named like ags commands', async () => {
    const r = await ags([
      '--agent',
      'shell',
      '--',
      '-c',
      'printf "%s|" "$@"',
      'x',
      'doctor',
      '--help',
      '--',
      'a b',
    ]);
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).toBe('doctor|--help|--|a b|');
  });

  it('--dry-run prints the plan and argv without any secret value and starts nothing', async () => {
    const r = await ags(['--agent', 'shell', '--dry-run', '--', '-c', 'true']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const out = JSON.parse(String(r.stdout)) as { plan: { secretEnv: string[] }; podman: string[] };
    expect(out.plan.secretEnv).toContain('FROM_ENV_SECRET');
    expect(out.podman[0]).toBe('podman');
    expect(String(r.stdout)).not.toContain('host-secret-value-1234');
    expect(sessionDirs()).toEqual([]);
  });

  it('delivers a secret from the host env inside, and removes the env file after exit', async () => {
    const r = await ags(['--agent', 'shell', '--', '-c', 'echo "secret=$FROM_ENV_SECRET"']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain('secret=host-secret-value-1234');
    expect(sessionDirs()).toEqual([]);
  });

  it('removes the env file and stops the container when ags gets SIGTERM', async () => {
    const child = runAgs(
      host,
      ['--config', config, '--agent', 'shell', '--', '-c', 'echo started; sleep 60'],
      {
        cwd: repo,
        env: env(),
        buffer: true,
      },
    );
    // wait until the container runs: the session dir with its env file exists and the agent printed
    const deadline = Date.now() + 30_000;
    let envFile: string | undefined;
    let name = '';
    while (Date.now() < deadline) {
      const s = sessionDirs().find((d) => d.startsWith('session-'));
      if (s && existsSync(join(runtime, 'ags', s, 'secrets', 'env'))) {
        envFile = join(runtime, 'ags', s, 'secrets', 'env');
        // this run's container only: other runs of the test user may be going on
        const ps = await podman(host, ['ps', '--format', '{{.Names}}']);
        name =
          String(ps.stdout)
            .split('\n')
            .find((n) => n.endsWith(`-${s.slice('session-'.length)}`)) ?? '';
        if (name) break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(envFile).toBeDefined();
    expect(name).not.toBe('');
    expect((statSync(envFile!).mode & 0o777).toString(8)).toBe('600');
    // signal ags itself (the node process under runuser), not the whole group
    signalAgs(child, 'SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(143);
    expect(existsSync(envFile!)).toBe(false);
    expect(sessionDirs()).toEqual([]);
    const ps = await podman(host, ['ps', '-a', '--format', '{{.Names}}']);
    expect(String(ps.stdout).split('\n')).not.toContain(name);
  });

  it('cleans up what a killed run left behind at the next start', async () => {
    const stale = join(runtime, 'ags', 'session-999999');
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, 'env'), 'LEFT=over\n');
    giveToTestUser(host, join(runtime, 'ags'), stale, join(stale, 'env'));
    const r = await ags(['--agent', 'shell', '--', '-c', 'true']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(existsSync(stale)).toBe(false);
  });

  it('refuses to mount the home directory itself as the workspace (exit 2)', async () => {
    const r = await ags(['--agent', 'shell', '--', '-c', 'true'], host.home);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/^ags: refusing to mount .* home directory/);
  });

  it('says podman is missing in one line, exit 1', async () => {
    const bin = join(tmp.dir, 'bin-without-podman');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['git']) {
      await execa('ln', ['-sf', `/usr/bin/${tool}`, join(bin, tool)]);
    }
    // runuser itself still needs a PATH; only ags runs without podman on it
    const r = await runAsTestUser(
      host,
      [
        'env',
        `PATH=${bin}`,
        process.execPath,
        AGS_BIN,
        '--config',
        config,
        '--agent',
        'shell',
        '--',
        '-c',
        'true',
      ],
      { cwd: repo, env: env(), stdin: 'ignore' },
    );
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(/^ags: podman is not installed or not on PATH\n {2}install podman/);
  });
});
