import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

/** What a user error must never show: a stack trace, or the internal-error line. */
function expectNoTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(stderr).not.toContain('internal error');
}

// Failures a new user meets, with the built CLI and real rootless podman: each is one clear line and the exit
// code of the convention (2 usage/config, 1 runtime, otherwise the agent's own).
describe('clear errors from the real CLI', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;
  let tools: string;
  const ags = (args: string[], cfg = config) => runAgs(host, ['--config', cfg, ...args], { cwd: repo });
  /** This host's config with more `[runtime.podman]` lines, and more `[runtime]` ones. */
  const configWith = (name: string, podmanLines: string, runtime = '') =>
    writeTestConfig(host, join(tmp.dir, name), podmanLines, { dataDir: join(tmp.dir, 'data'), runtime });

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir);
    config = writeTestConfig(host, tmp.dir);
    tools = join(tmp.dir, 'data', 'tools');
  });

  afterAll(() => tmp?.cleanup());

  describe('an agent that is not installed', () => {
    it('is refused before any container starts, naming `ags update-agents NAME` (exit 1)', async () => {
      expect(existsSync(join(tools, 'bin', 'claude'))).toBe(false);
      const r = await ags(['--agent', 'claude', '--', '-p', 'hello']);
      expect(r.exitCode).toBe(1);
      // exactly ags's two lines: nothing from podman or the container's init
      expect(String(r.stderr)).toBe(
        `ags: claude is not installed (no ${join(tools, 'bin', 'claude')})\n  run \`ags update-agents claude\``,
      );
    });

    it('is refused when its tools-volume link leads nowhere (a damaged install)', async () => {
      mkdirSync(join(tools, 'bin'), { recursive: true });
      symlinkSync(
        '../lib/node_modules/@earendil-works/pi-coding-agent/dist/cli.js',
        join(tools, 'bin', 'pi'),
      );
      giveToTestUser(host, join(tmp.dir, 'data'), tools, join(tools, 'bin'));
      const r = await ags(['--agent', 'pi']);
      expect(r.exitCode).toBe(1);
      expect(String(r.stderr)).toMatch(
        /^ags: pi's install is damaged \(.*\/bin\/pi leads to no file\)\n {2}run `ags update-agents pi`$/,
      );
    });
  });

  describe("podman's own 126/127 and the agent's", () => {
    it("passes the agent's own 126 and 127 through unchanged, with nothing added", async () => {
      for (const code of [126, 127]) {
        const r = await ags(['--agent', 'shell', '--', '-c', `exit ${code}`]);
        expect(r.exitCode, String(r.stderr)).toBe(code);
        expect(String(r.stderr)).not.toContain('ags:');
      }
    });

    it('reports podman failing to execute the init as podman’s, exit 1 (not the agent’s 126)', async () => {
      // the file exists but is not executable: the OCI runtime refuses to run it as the container's init
      const cfg = configWith('bad-init', 'extra_args = ["--init-path=/etc/passwd"]');
      const r = await ags(['--agent', 'shell', '--', '-c', 'true'], cfg);
      expect(r.exitCode).toBe(1);
      expect(String(r.stderr)).toMatch(/permission denied/);
      expect(String(r.stderr)).toContain(
        "ags: podman could not execute the container's first program (exit 126; its message is above)\n",
      );
    });

    it('reports a command missing from the image as podman’s 127, while the agent’s own 127 still passes', async () => {
      // without the init, podman runs the command itself: an entrypoint that is not in the image
      const missing = configWith(
        'no-init-missing',
        'extra_args = ["--entrypoint=/no-such-program"]',
        'init = false',
      );
      const r = await ags(['--agent', 'shell', '--', '-c', 'true'], missing);
      expect(r.exitCode).toBe(1);
      expect(String(r.stderr)).toMatch(/no-such-program.*not found/);
      expect(String(r.stderr)).toContain(
        "ags: podman could not find the container's first program in the image (exit 127; its message is above)\n",
      );
      const noInit = configWith('no-init', '', 'init = false');
      const own = await ags(['--agent', 'shell', '--', '-c', 'exit 127'], noInit);
      expect(own.exitCode, String(own.stderr)).toBe(127);
      expect(String(own.stderr)).not.toContain('ags:');
    });
  });

  describe('a deleted current directory', () => {
    /** Runs ags from a directory that the same shell deletes first. */
    const fromDeletedDir = (args: string[]) => {
      const dir = join(tmp.dir, `gone-${Math.random().toString(36).slice(2)}`);
      mkdirSync(dir);
      giveToTestUser(host, dir);
      const quoted = args.map((a) => `'${a}'`).join(' ');
      return runAsTestUser(
        host,
        ['sh', '-c', `cd '${dir}' && rmdir '${dir}' && exec '${process.execPath}' '${AGS_BIN}' ${quoted}`],
        { stdin: 'ignore' },
      );
    };

    it('still shows --help and `ags help`', async () => {
      for (const args of [['--help'], ['help']]) {
        const r = await fromDeletedDir(args);
        expect(r.exitCode, String(r.stderr)).toBe(0);
        expect(String(r.stdout)).toContain('Usage: ags');
      }
    });

    it('is one line (exit 2) for a run and for doctor', async () => {
      for (const args of [
        ['--config', config, '--agent', 'shell', '--', '-c', 'true'],
        ['--config', config, 'doctor'],
      ]) {
        const r = await fromDeletedDir(args);
        expect(r.exitCode).toBe(2);
        expect(String(r.stderr)).toBe(
          'ags: cannot use the current directory: it no longer exists\n  cd into an existing directory and try again',
        );
      }
    });
  });

  describe('a missing home directory', () => {
    const withHome = (home: string | null, args: string[]) =>
      runAsTestUser(
        host,
        ['env', ...(home === null ? ['-u', 'HOME'] : [`HOME=${home}`]), process.execPath, AGS_BIN, ...args],
        { cwd: repo, stdin: 'ignore' },
      );

    it('HOME naming no directory is one line (exit 2), and nothing is created under it', async () => {
      const gone = join(tmp.dir, 'no-such-home');
      for (const args of [
        ['--agent', 'shell', '--', '-c', 'true'],
        ['--config', config, '--agent', 'shell'],
        ['doctor'],
      ]) {
        const r = await withHome(gone, args);
        expect(r.exitCode, String(r.stderr)).toBe(2);
        expect(String(r.stderr)).toBe(
          `ags: HOME="${gone}" does not exist\n  set HOME to your home directory (an existing absolute path) and try again`,
        );
      }
      expect(existsSync(gone)).toBe(false);
    });

    it('a relative HOME is one line (exit 2) for every command that uses it', async () => {
      const r = await withHome('relative/home', ['config', 'path']);
      expect(r.exitCode).toBe(2);
      expect(String(r.stderr)).toMatch(/^ags: HOME="relative\/home" is not an absolute path\n/);
    });

    it('HOME unset: a real run takes the home of the password database', async () => {
      const r = await withHome(null, ['--config', config, '--agent', 'shell', '--', '-c', 'echo "$HOME"']);
      expect(r.exitCode, String(r.stderr)).toBe(0);
      expect(String(r.stdout).trim()).toBe(host.home);
    });
  });

  it('doctor reports a damaged agent package.json as a finding, not a stack trace', async () => {
    const manifest = join(tools, 'lib', 'node_modules', '@anthropic-ai', 'claude-code', 'package.json');
    mkdirSync(dirname(manifest), { recursive: true });
    writeFileSync(manifest, '{"name": "@anthropic-ai/claude-code", "version": ');
    for (let p = manifest; p !== join(tmp.dir, 'data'); p = dirname(p)) giveToTestUser(host, p);
    const r = await ags(['doctor']);
    expectNoTrace(String(r.stderr));
    expect(String(r.stdout)).toMatch(
      /^WARN agent CLIs: claude DAMAGED \(its package\.json is not valid JSON\), /m,
    );
    expect(String(r.stdout)).toMatch(/^ {5}fix: run `ags update-agents claude` to reinstall$/m);
  });
});
