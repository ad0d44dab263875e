import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerNameFor } from '../../src/plan/build.js';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, podman, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { linkInSandboxHome, makeTestRepo, writeSandboxHomeFile } from '../support/workspace.js';

/** This host may not enforce the lockdown limits (rootless cgroup v1); their refusal is the hardening's test. */
const LIMITS = 'require_limits = false';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T> | T, ms = 60_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(100);
  }
}

/** An address of this host that is not its loopback: where a listed server is reached through the proxy. */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('this host has no non-loopback IPv4 address for the allowlisted server');
}

const listen = async (address: string, reply: string): Promise<{ server: Server; port: number }> => {
  const server = createServer((req, res) => res.end(`${reply} ${req.url}`));
  await new Promise<void>((r) => server.listen(0, address, r));
  return { server, port: (server.address() as AddressInfo).port };
};

// `--lockdown` through the built CLI in real rootless containers: each property of the threat posture is one
// assertion, against a config that asks for everything lockdown must leave out.
describe('lockdown', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let runtime: string;
  let config: string;
  let data: string;
  let listed: { server: Server; port: number };
  let loopback: { server: Server; port: number };
  let address: string;
  const env = () => ({
    XDG_RUNTIME_DIR: runtime,
    LD_PASS: 'passthrough-value',
    LD_SRC: 'configured-secret-value',
    LD_ASKED_SRC: 'asked-secret-value',
  });
  const sessionDirs = () =>
    existsSync(join(runtime, 'ags'))
      ? readdirSync(join(runtime, 'ags')).filter((n) => n.startsWith('session-'))
      : [];
  const run = (args: string[], script: string, agent = 'shell') =>
    runAgs(host, ['--config', config, '--lockdown', ...args, '--agent', agent, '--', '-c', script], {
      cwd: repo,
      env: env(),
    });
  const fetchLine = (label: string, url: string) =>
    `echo "${label} $(node -e 'fetch(${JSON.stringify(url)}).then(async (r) => console.log(r.status, await r.text()), () => console.log("ERR"))')"`;
  const connectLine = (label: string, authority: string) =>
    `echo "${label} $(node -e 'const c = require("net").connect(3128, "127.0.0.1", () => c.write("CONNECT ${authority} HTTP/1.1\\r\\n\\r\\n")); c.on("data", (d) => { console.log(String(d).split("\\r\\n")[0]); c.destroy(); }); c.on("error", () => console.log("ERR"))')"`;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    // a repository whose overlay is not even TOML: lockdown must not read it
    repo = await makeTestRepo(host, tmp.dir, {
      '.ags/config.toml': 'this is [[[ not toml\n',
      'README.md': 'hi\n',
    });
    runtime = join(tmp.dir, 'run');
    mkdirSync(runtime, { mode: 0o700 });
    const mounted = join(tmp.dir, 'mounted');
    mkdirSync(mounted);
    writeFileSync(join(mounted, 'marker'), 'host file\n');
    mkdirSync(join(tmp.dir, 'keys'));
    giveToTestUser(host, runtime, mounted, join(mounted, 'marker'), join(tmp.dir, 'keys'));
    const key = join(tmp.dir, 'keys', 'id');
    const gen = await runAsTestUser(host, ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', key]);
    expect(gen.exitCode, String(gen.stderr)).toBe(0);
    address = hostAddress();
    listed = await listen(address, 'listed host says');
    loopback = await listen('127.0.0.1', 'host loopback says');
    data = join(tmp.dir, 'data');
    config = writeTestConfig(
      host,
      tmp.dir,
      [
        '[network]',
        'allow_host_loopback = true',
        '[lockdown]',
        `allow_domains = ["${address}"]`,
        LIMITS,
        '[[secret]]',
        'env = "LD_SECRET"',
        'from_env = "LD_SRC"',
        '[[secret]]',
        'env = "LD_ASKED"',
        'from_env = "LD_ASKED_SRC"',
        '[[mount]]',
        `host = "${mounted}"`,
        'container = "/always"',
        'mode = "ro"',
        '[[mount]]',
        `host = "${mounted}"`,
        'container = "/locked"',
        'mode = "ro"',
        'when = ["lockdown"]',
      ].join('\n'),
      {
        dataDir: data,
        sandbox: `passthrough_env = ["LD_PASS"]\nssh_keys = ["${key}"]\ngit_config = "writable"\nwritable_agent_config = true`,
      },
    );
    // a stand-in for Claude Code in the tools volume (the e2e tier runs the real one): it runs its last
    // argument as a shell script, so a test sees the lockdown sandbox as the claude agent gets it
    const toolsBin = join(data, 'tools', 'bin');
    mkdirSync(toolsBin, { recursive: true });
    const fake = join(toolsBin, 'claude');
    writeFileSync(fake, '#!/bin/sh\nfor a; do last=$a; done\nexec /bin/sh -c "$last"\n');
    chmodSync(fake, 0o755);
    giveToTestUser(host, join(data, 'tools'), toolsBin, fake);
    // the persistent claude home as an earlier (maybe hostile) run left it
    const secret = join(tmp.dir, 'host-secret');
    writeFileSync(secret, 'HOST SECRET\n');
    giveToTestUser(host, secret);
    writeSandboxHomeFile(host, data, 'claude', '.claude/settings.json', '{"theme":"dark"}\n');
    writeSandboxHomeFile(host, data, 'claude', '.claude/.credentials.json', '{"token":"oauth"}\n');
    writeSandboxHomeFile(host, data, 'claude', '.claude/history.jsonl', 'old prompt\n');
    writeSandboxHomeFile(host, data, 'claude', '.claude/projects/p/session.jsonl', 'old session\n');
    linkInSandboxHome(host, data, 'claude', '.claude/CLAUDE.md', secret);
  });

  afterAll(() => {
    listed?.server.close();
    loopback?.server.close();
    tmp?.cleanup();
  });

  describe('one run of the shell, asked for everything lockdown leaves out', () => {
    let out: Map<string, string>;
    let stderr: string;
    let exitCode: number | undefined;

    beforeAll(async () => {
      const script = [
        'echo "pass ${LD_PASS:-unset}"',
        'echo "secret ${LD_SECRET:-unset}"',
        'echo "asked ${LD_ASKED:-unset}"',
        'echo "ssh ${SSH_AUTH_SOCK:-unset} $(ls -A /run/ags-ssh 2>/dev/null | wc -l)"',
        'echo "always $(cat /always/marker 2>/dev/null || echo absent)"',
        'echo "locked $(cat /locked/marker 2>/dev/null || echo absent)"',
        fetchLine('loopback-name', `http://host.containers.internal:${loopback.port}/`),
        fetchLine('loopback-address', `http://10.0.2.2:${loopback.port}/`),
        fetchLine('listed', `http://${address}:${listed.port}/ok`),
        connectLine('unlisted', 'example.com:443'),
        `echo "hooks $(touch .git/hooks/planted 2>/dev/null && echo written || echo refused)"`,
        `echo "gitconfig $(echo '[core]' >> .git/config 2>/dev/null && echo written || echo refused)"`,
        'echo "lockdown-env ${AGS_LOCKDOWN:-unset}"',
        // what the agent can do to its home must not keep the home alive after the run
        'mkdir -p ~/closed/inner && touch ~/closed/inner/f && chmod 500 ~/closed/inner ~/closed',
      ].join('\n');
      const r = await run(['--secret', 'LD_ASKED'], script);
      exitCode = r.exitCode;
      stderr = String(r.stderr);
      out = new Map(
        String(r.stdout)
          .trim()
          .split('\n')
          .map((l) => [l.split(' ')[0]!, l.slice(l.indexOf(' ') + 1)]),
      );
    });

    it('runs, with the start banner, though the repository overlay is not even TOML (it is not read)', () => {
      expect(exitCode, stderr).toBe(0);
      expect(stderr).toMatch(/^ags: lockdown: on · host paths: [^\n]*\nags: lockdown: network allowlist/m);
      expect(stderr).not.toMatch(/overlay|invalid TOML/);
    });
    it('no passthrough_env', () => expect(out.get('pass')).toBe('unset'));
    it('no [[secret]] the run did not name', () => expect(out.get('secret')).toBe('unset'));
    it('the secret named with --secret', () => expect(out.get('asked')).toBe('asked-secret-value'));
    it('no SSH agent socket', () => expect(out.get('ssh')).toBe('unset 0'));
    it('no [[mount]] without "lockdown" in its when', () => expect(out.get('always')).toBe('absent'));
    it('the [[mount]] whose when names lockdown', () => expect(out.get('locked')).toBe('host file'));
    it('no host loopback by name', () =>
      expect(out.get('loopback-name')).toMatch(
        /^(403 ags: host\.containers\.internal is not on the allowlist|ERR)/,
      ));
    it('no host loopback by address', () =>
      expect(out.get('loopback-address')).toMatch(
        /^(403 ags: the IP address 10\.0\.2\.2 is not on the allowlist|ERR)/,
      ));
    it('a host of [lockdown] allow_domains is reached', () =>
      expect(out.get('listed')).toBe('200 listed host says /ok'));
    it('a host not on the list is refused', () =>
      expect(out.get('unlisted')).toMatch(/^HTTP\/1\.1 403 ags: example\.com is not on the allowlist/));
    it('.git/hooks is read-only though git_config = "writable"', () =>
      expect(out.get('hooks')).toBe('refused'));
    it('.git/config is read-only though git_config = "writable"', () =>
      expect(out.get('gitconfig')).toBe('refused'));
    it('the guard is told it is in lockdown', () => expect(out.get('lockdown-env')).toBe('1'));
    it('leaves no session dir (staged home, secret file) behind', () => expect(sessionDirs()).toEqual([]));
  });

  it("never reaches the host's loopback, whatever the allowlist says (finding B5)", async () => {
    const p = loopback.port;
    const targets = ['127.0.0.1', '0.0.0.0', '[::ffff:127.0.0.1]', '[::1]', '[::]', 'localhost', '127.0.0.2'];
    const asked = ['0.0.0.0/0', '::/0', '127.0.0.1', '::1', '0.0.0.0', '::', 'localhost'];
    const r = await run(
      asked.flatMap((a) => ['--allow-domain', a]),
      targets.map((t, i) => connectLine(`t${i}`, `${t}:${p}`)).join('\n'),
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const lines = String(r.stdout).trim().split('\n');
    expect(lines).toHaveLength(targets.length);
    for (const [i, line] of lines.entries()) {
      expect(line, targets[i]).toMatch(
        new RegExp(
          `^t${i} HTTP/1\\.1 403 ags: .*host's own loopback, which this run cannot reach; a lockdown run never reaches`,
        ),
      );
      expect(line).not.toContain('--allow-domain');
    }
  });

  it("a repository planted and gitlinked during the run is moved aside: the host's git status runs nothing of it", async () => {
    const dir = join(tmp.dir, 'nested-plant');
    mkdirSync(dir);
    giveToTestUser(host, dir);
    const outer = await makeTestRepo(host, dir, { 'README.md': 'hi\n' });
    const git = (cwd: string, ...args: string[]) =>
      runAsTestUser(host, ['git', '-C', cwd, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
    await git(outer, 'add', '-A');
    await git(outer, 'commit', '-q', '-m', 'init');
    const marker = join(tmp.dir, 'NESTED-PWNED');
    const id = '-c user.name=t -c user.email=t@t';
    const script = [
      // a real .git directory with core.fsmonitor, staged as a gitlink of the outer repository
      `git init -q sub && git -C sub ${id} commit -q --allow-empty -m n`,
      `git -C sub config core.fsmonitor 'touch ${marker}.dir; false' && git ${id} add sub`,
      // a .git file naming a git directory planted in the outer repository's writable .git/worktrees
      'git init -q --bare .git/worktrees/x && git --git-dir=.git/worktrees/x config core.bare false',
      `git --git-dir=.git/worktrees/x config core.fsmonitor 'touch ${marker}.file; false'`,
      'mkdir linked && echo "gitdir: ../.git/worktrees/x" > linked/.git',
      `git -C linked ${id} commit -q --allow-empty -m n && git ${id} add linked`,
      'git ls-files -s | grep -c ^160000',
    ].join(' && ');
    const r = await runAgs(host, ['--config', config, '--lockdown', '--agent', 'shell', '--', '-c', script], {
      cwd: outer,
      env: env(),
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe('2');
    const err = String(r.stderr);
    expect(err).toContain(
      'ags: WARNING: this run created git repositories that git on your host would have run',
    );
    expect(err).toMatch(/moved \S*\/sub\/\.git to \S*\/sub\/\.git\.ags-quarantined-[0-9a-f]{8} and its HEAD/);
    expect(err).toMatch(/moved \S*\/linked\/\.git to \S*\/linked\/\.git\.ags-quarantined-[0-9a-f]{8}/);
    // the host's git, as the user runs it: status recurses into gitlinks by default
    const status = await runAsTestUser(host, ['git', '-C', outer, 'status']);
    expect(status.exitCode, String(status.stderr)).toBe(0);
    expect([existsSync(`${marker}.dir`), existsSync(`${marker}.file`)]).toEqual([false, false]);
    // nor inside them: neither the work tree nor the moved directory is a repository any more
    for (const d of ['sub', 'linked']) await runAsTestUser(host, ['git', '-C', join(outer, d), 'status']);
    const moved = readdirSync(join(outer, 'sub')).find((n) => n.startsWith('.git.ags-quarantined-'))!;
    await runAsTestUser(host, ['git', '-C', join(outer, 'sub', moved), 'status']);
    expect([existsSync(`${marker}.dir`), existsSync(`${marker}.file`)]).toEqual([false, false]);
  });

  it('a gitlink hidden in a split index, under node_modules, is found and moved aside (red team lock4)', async () => {
    const dir = join(tmp.dir, 'split-plant');
    mkdirSync(dir);
    giveToTestUser(host, dir);
    const outer = await makeTestRepo(host, dir, { 'README.md': 'hi\n' });
    const git = (cwd: string, ...args: string[]) =>
      runAsTestUser(host, ['git', '-C', cwd, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
    await git(outer, 'add', '-A');
    await git(outer, 'commit', '-q', '-m', 'init');
    const marker = join(tmp.dir, 'SPLIT-PWNED');
    const id = '-c user.name=t -c user.email=t@t';
    // the walk does not enter node_modules, and after --split-index the gitlink sits in .git/sharedindex.*
    const script = [
      `git init -q node_modules/x && git -C node_modules/x ${id} commit -q --allow-empty -m s`,
      `git -C node_modules/x config core.fsmonitor 'touch ${marker}; false'`,
      'git update-index --add --cacheinfo 160000,$(git -C node_modules/x rev-parse HEAD),node_modules/x',
      'git update-index --split-index',
    ].join(' && ');
    const r = await runAgs(host, ['--config', config, '--lockdown', '--agent', 'shell', '--', '-c', script], {
      cwd: outer,
      env: env(),
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toMatch(/moved \S*\/node_modules\/x\/\.git to /);
    const status = await runAsTestUser(host, ['git', '-C', outer, 'status']);
    expect(status.exitCode, String(status.stderr)).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it("a wide range does not reach the host's own addresses; naming the address does", async () => {
    const dir = join(tmp.dir, 'wide-range');
    mkdirSync(dir);
    giveToTestUser(host, dir);
    // the run's list holds no address of this host: only the ranges of the command line
    const cfg = writeTestConfig(host, dir, `[lockdown]\n${LIMITS}\n`, { dataDir: data });
    const url = `http://${address}:${listed.port}/own`;
    const go = (allow: string[], script = connectLine('own', `${address}:${listed.port}`)) =>
      runAgs(
        host,
        [
          '--config',
          cfg,
          '--lockdown',
          ...allow.flatMap((a) => ['--allow-domain', a]),
          '--agent',
          'shell',
          '--',
          '-c',
          script,
        ],
        { cwd: repo, env: env() },
      );
    const wide = await go(['0.0.0.0/0', '::/0', `${address.split('.').slice(0, 3).join('.')}.0/24`]);
    expect(wide.exitCode, String(wide.stderr)).toBe(0);
    expect(String(wide.stdout).trim()).toMatch(
      new RegExp(
        `^own HTTP/1\\.1 403 ags: the address ${address.replaceAll('.', '\\.')} is this host's own address`,
      ),
    );
    const named = await go(['0.0.0.0/0', address], fetchLine('own', url));
    expect(String(named.stdout).trim()).toBe('own 200 listed host says /own');
  });

  it('the staged claude home holds exactly the staging list; a planted symlink is not followed', async () => {
    const r = await run([], 'cd ~ && find . -type f | sort && cat .claude/settings.json', 'claude');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toBe('./.claude/settings.json\n{"theme":"dark"}');
    expect(String(r.stderr)).toContain(
      'ags: warning: lockdown: not staging ~/.claude/CLAUDE.md: it is a symlink',
    );
  });

  it('the guard is the http hook to the server, which does not start when its policy cannot be read', async () => {
    // the run's own claude settings; then the server, as the run starts it but with a missing policy (on a port
    // the agent may bind, since it runs as the agent here)
    const script = [
      `node -e 'console.log(JSON.stringify(require("/run/ags/claude-settings.json").hooks.PreToolUse[0].hooks[0]))'`,
      `/usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin AGS_LOCKDOWN=1 AGS_GUARD_POLICY=/nonexistent/policy.json node /opt/ags/sandbox/guard-server.mjs --daemon 1947 2>/tmp/err; echo "exit $?"; cat /tmp/err`,
    ].join('\n');
    const r = await run([], script, 'claude');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const [hook, exit, err] = String(r.stdout).trim().split('\n');
    expect(JSON.parse(hook!)).toEqual({
      type: 'http',
      url: 'http://127.0.0.1:947/claude/pre-tool-use',
      timeout: 10,
      onFailure: 'block',
    });
    expect(exit).toBe('exit 1');
    expect(err).toMatch(/^ags: guard server: cannot read the guard policy: /);
  });

  it('refuses to stage from an agent home that is a symlink (finding B7)', async () => {
    const dir = join(tmp.dir, 'linked-home');
    const data2 = join(dir, 'data');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(join(data2, 'homes'), { recursive: true });
    mkdirSync(join(elsewhere, '.claude'), { recursive: true });
    writeFileSync(join(elsewhere, '.claude', '.credentials.json'), '{"token":"host login"}\n');
    symlinkSync(elsewhere, join(data2, 'homes', 'shell'));
    giveToTestUser(host, dir, join(data2, 'homes'), elsewhere, join(elsewhere, '.claude'));
    const cfg = writeTestConfig(host, dir, `[lockdown]\ncopy_credentials = true\n${LIMITS}\n`, {
      dataDir: data2,
    });
    const r = await runAgs(
      host,
      ['--config', cfg, '--lockdown', '--agent', 'shell', '--', '-c', 'echo ran'],
      {
        cwd: repo,
        env: env(),
      },
    );
    expect(r.exitCode, String(r.stderr)).toBe(1);
    expect(String(r.stderr)).toMatch(/^ags: lockdown: not staging a home: .*homes\/shell is a symlink/m);
    expect(String(r.stdout)).not.toContain('ran');
    expect(sessionDirs()).toEqual([]);
  });

  it('refuses a Claude Code older than 2.1.295, whose guard fails open (exit 1, one line); a normal run warns', async () => {
    const dir = join(tmp.dir, 'old-claude');
    const data2 = join(dir, 'data');
    const tools = join(data2, 'tools');
    const pkg = join(tools, 'lib', 'node_modules', '@anthropic-ai', 'claude-code');
    mkdirSync(join(tools, 'bin'), { recursive: true });
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(tools, 'bin', 'claude'),
      '#!/bin/sh\nfor a; do last=$a; done\nexec /bin/sh -c "$last"\n',
    );
    chmodSync(join(tools, 'bin', 'claude'), 0o755);
    writeFileSync(join(pkg, 'package.json'), '{"name":"@anthropic-ai/claude-code","version":"2.1.294"}\n');
    const cfg = writeTestConfig(host, dir, `[lockdown]\n${LIMITS}\n`, { dataDir: data2 });
    if (process.getuid?.() === 0) await execa('chown', ['-R', `${host.uid}:${host.uid}`, data2]);
    const line =
      "ags: Claude Code 2.1.294 is older than 2.1.295: it ignores the hook's onFailure, so tool calls go through unchecked if the guard server stops answering; run `ags update-agents claude`";
    // a repository without the shared one's broken overlay, which only lockdown leaves unread
    const plain = await makeTestRepo(host, dir, { 'README.md': 'hi\n' });
    const go = (lockdown: string[]) =>
      runAgs(host, ['--config', cfg, ...lockdown, '--agent', 'claude', '--', '-c', 'echo ran'], {
        cwd: plain,
        env: env(),
      });
    const locked = await go(['--lockdown']);
    expect(locked.exitCode, String(locked.stderr)).toBe(1);
    expect(String(locked.stderr)).toBe(line);
    expect(String(locked.stdout)).not.toContain('ran');
    expect(sessionDirs()).toEqual([]);
    const normal = await go([]);
    expect(normal.exitCode, String(normal.stderr)).toBe(0);
    expect(String(normal.stdout)).toContain('ran');
    expect(String(normal.stderr)).toContain(line.replace(/^ags: /, 'ags: warning: '));
  });

  it('copy_credentials = true stages the login too', async () => {
    const withCreds = writeTestConfig(
      host,
      join(tmp.dir, 'creds'),
      `[lockdown]\ncopy_credentials = true\n${LIMITS}\n`,
      {
        dataDir: data,
      },
    );
    const r = await runAgs(
      host,
      ['--config', withCreds, '--lockdown', '--agent', 'claude', '--', '-c', 'cd ~ && find . -type f | sort'],
      { cwd: repo, env: env() },
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toBe('./.claude/.credentials.json\n./.claude/settings.json');
  });

  describe('refusals: exit 2, one error line, nothing started', () => {
    for (const [flags, message] of [
      [['--root'], '--root cannot be used in lockdown'],
      [['--yolo'], '--yolo cannot be used in lockdown'],
      [['--network', 'open'], '--network open cannot be used in lockdown'],
    ] as const) {
      it(flags.join(' '), async () => {
        const r = await run([...flags], 'true');
        expect(r.exitCode).toBe(2);
        expect(String(r.stderr).split('\n')[0]).toBe(`ags: ${message}`);
        expect(sessionDirs()).toEqual([]);
      });
    }

    for (const [setting, message] of [
      [
        'extra_args = ["--cap-add=SYS_ADMIN", "--security-opt=seccomp=unconfined"]',
        '[runtime.podman] extra_args cannot be used in lockdown',
      ],
      ['oci_runtime = "/bin/true"', '[runtime.podman] oci_runtime = "/bin/true" cannot be used in lockdown'],
    ] as const) {
      it(`[runtime.podman] ${setting.split(' ')[0]} (finding B6)`, async () => {
        const dir = join(tmp.dir, `runtime-${setting.split(' ')[0]}`);
        const cfg = writeTestConfig(host, dir, `${setting}\n[lockdown]\n${LIMITS}\n`);
        const r = await runAgs(
          host,
          ['--config', cfg, '--lockdown', '--agent', 'shell', '--', '-c', 'true'],
          {
            cwd: repo,
            env: env(),
          },
        );
        expect(r.exitCode, String(r.stderr)).toBe(2);
        expect(String(r.stderr).split('\n')[0]).toMatch(`ags: ${message}`);
        expect(sessionDirs()).toEqual([]);
      });
    }

    it("[agents.X] lockdown = true makes lockdown that agent's default (and refuses --root too)", async () => {
      const byDefault = writeTestConfig(host, join(tmp.dir, 'default'), '[agents.shell]\nlockdown = true\n');
      const r = await runAgs(
        host,
        ['--config', byDefault, '--root', '--agent', 'shell', '--', '-c', 'true'],
        {
          cwd: repo,
          env: env(),
        },
      );
      expect(r.exitCode).toBe(2);
      expect(String(r.stderr).split('\n')[0]).toBe('ags: --root cannot be used in lockdown');
    });
  });

  it('--dry-run shows the whole lockdown plan', async () => {
    const r = await run(['--dry-run'], 'true', 'claude');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const { plan } = JSON.parse(String(r.stdout)) as {
      plan: {
        lockdown: { home: string; sourceHome: string; staged: string[]; ignored: string[] };
        network: { mode: string; allow: string[]; hostLoopback: boolean };
      };
    };
    expect(plan.lockdown.staged).toEqual(['.claude/settings.json', '.claude/CLAUDE.md']);
    expect(plan.lockdown.sourceHome).toBe(join(data, 'homes', 'claude'));
    expect(plan.lockdown.home).toMatch(/\/session-\d+\/home$/);
    expect(plan.lockdown.ignored).toContain('[sandbox] passthrough_env');
    expect(plan.network).toMatchObject({ mode: 'proxied', hostLoopback: false });
    expect(plan.network.allow).toEqual([
      'api.anthropic.com',
      'claude.ai',
      'claude.com',
      'platform.claude.com',
      'console.anthropic.com',
      address,
    ]);
  });

  describe('cleanup on every way out', () => {
    const agsPid = async (marker: string) => {
      const r = await execa(
        'pgrep',
        [
          '-u',
          String(host.uid),
          '-f',
          `bin/ags.js --config ${config} --lockdown --secret LD_ASKED --agent shell -- -c ${marker}`,
        ],
        {
          reject: false,
        },
      );
      const pids = String(r.stdout).trim().split('\n').filter(Boolean).map(Number);
      return pids.length === 1 ? pids[0]! : null;
    };
    const containers = async (name: string) =>
      String((await podman(host, ['ps', '--all', '--quiet', '--filter', `name=^${name}$`])).stdout).trim();
    const start = (marker: string) =>
      runAgs(
        host,
        ['--config', config, '--lockdown', '--secret', 'LD_ASKED', '--agent', 'shell', '--', '-c', marker],
        { cwd: repo, env: env(), buffer: true },
      );
    const running = async (marker: string) => {
      const pid = await waitFor('ags to start', () => agsPid(marker));
      const name = containerNameFor(repo, pid);
      await waitFor('the container to run', async () => (await containers(name)) !== '');
      const session = join(runtime, 'ags', `session-${pid}`);
      return { pid, name, session };
    };
    /** kill -9 of ags and of its reaper: nothing of the run's own is left to clean up, only the next start. */
    const killWithReaper = async (killed: { pid: number; name: string }) => {
      const reaper = await waitFor('the reaper', async () => {
        const r = await execa('pgrep', ['-u', String(host.uid), '-f', `ags-reaper ${killed.name}`], {
          reject: false,
        });
        return Number(String(r.stdout).trim().split('\n')[0]) || null;
      });
      process.kill(reaper, 'SIGKILL');
      process.kill(killed.pid, 'SIGKILL');
      await pause(500);
    };

    it('SIGTERM: exit 143, and no staged home, secret file or container is left', async () => {
      const child = start('echo term; exec sleep 300');
      const { pid, name, session } = await running('echo term; exec sleep 300');
      expect(existsSync(join(session, 'home'))).toBe(true);
      expect(existsSync(join(session, 'secrets', 'env'))).toBe(true);
      process.kill(pid, 'SIGTERM');
      const r = await child;
      expect(r.exitCode).toBe(143);
      expect(existsSync(session)).toBe(false);
      expect(await containers(name)).toBe('');
    });

    it('SIGKILL of ags alone: its reaper removes container, staged home, secrets and a planted .git link at once', async () => {
      const head = join(repo, '.git', 'logs', 'HEAD');
      const script =
        'mkdir -p .git/logs && ln -sfn /tmp/reaped-target .git/logs/HEAD && echo planted; exec sleep 300';
      void start(script);
      const killed = await running(script);
      await waitFor('the link to be planted', () => {
        try {
          return lstatSync(head).isSymbolicLink();
        } catch {
          return false;
        }
      });
      expect(existsSync(join(killed.session, 'secrets', 'env'))).toBe(true);
      process.kill(killed.pid, 'SIGKILL');
      await waitFor(
        'the reaper to remove the container',
        async () => (await containers(killed.name)) === '',
        30_000,
      );
      await waitFor('the session dir with its secrets to go', () => !existsSync(killed.session), 10_000);
      await waitFor('the planted link to go', () => {
        try {
          lstatSync(head);
          return false;
        } catch {
          return true;
        }
      });
      const next = await run([], 'true');
      expect(next.exitCode, String(next.stderr)).toBe(0);
      expect(String(next.stderr)).toContain('ags finished its cleanup');
      expect(String(next.stderr)).toMatch(
        /removed a symbolic link to \/tmp\/reaped-target planted at .*\.git\/logs\/HEAD/,
      );
    });

    it('SIGKILL of ags and its reaper: a link planted in .git is removed loudly at the next start there (B4)', async () => {
      const head = join(repo, '.git', 'logs', 'HEAD');
      const script =
        'mkdir -p .git/logs && ln -sfn /tmp/b4-target .git/logs/HEAD && echo planted; exec sleep 300';
      void start(script);
      const killed = await running(script);
      await waitFor('the link to be planted', () => {
        try {
          return lstatSync(head).isSymbolicLink();
        } catch {
          return false;
        }
      });
      await killWithReaper(killed);
      expect(lstatSync(head).isSymbolicLink()).toBe(true);

      const next = await run([], 'true');
      expect(next.exitCode, String(next.stderr)).toBe(0);
      expect(String(next.stderr)).toContain(
        'an earlier ags run in this repository was killed before its cleanup',
      );
      expect(String(next.stderr)).toMatch(
        /removed a symbolic link to \/tmp\/b4-target planted at .*\.git\/logs\/HEAD/,
      );
      expect(() => lstatSync(head)).toThrow(/ENOENT/);
      await waitFor(
        'the orphaned container to go',
        async () => (await containers(killed.name)) === '',
        30_000,
      );
      // and only once: the record of the killed run is gone with its cleanup
      const again = await run([], 'true');
      expect(String(again.stderr)).not.toContain('was killed before its cleanup');
    });

    it('SIGKILL: its reaper moves a planted, gitlinked repository aside at once; the next start says so', async () => {
      const marker = join(tmp.dir, 'KILLED-PWNED');
      const id = '-c user.name=t -c user.email=t@t';
      const script = [
        `git init -q kq && git -C kq ${id} commit -q --allow-empty -m n`,
        `git -C kq config core.fsmonitor 'touch ${marker}; false' && git ${id} add kq && echo planted`,
        'exec sleep 300',
      ].join(' && ');
      void start(script);
      const killed = await running(script);
      await waitFor('the gitlink to be staged', async () => {
        const ls = await runAsTestUser(host, ['git', '-C', repo, 'ls-files', '-s', 'kq']);
        return String(ls.stdout).startsWith('160000');
      });
      process.kill(killed.pid, 'SIGKILL');
      // no next start needed: a host `git status` in between must already find nothing to run
      await waitFor(
        'the reaper to remove the container',
        async () => (await containers(killed.name)) === '',
        30_000,
      );
      await waitFor(
        'the planted repository to be moved aside',
        () => !existsSync(join(repo, 'kq', '.git')),
        30_000,
      );
      await runAsTestUser(host, ['git', '-C', repo, 'status']);
      expect(existsSync(marker)).toBe(false);
      await waitFor('the killed session dir to go', () => !existsSync(killed.session), 10_000);
      const next = await run([], 'true');
      expect(next.exitCode, String(next.stderr)).toBe(0);
      const err = String(next.stderr);
      expect(err).toContain(
        'an earlier ags run was killed; once its sandbox was gone, ags finished its cleanup',
      );
      expect(err).toMatch(/moved \S*\/kq\/\.git to \S*\/kq\/\.git\.ags-quarantined-[0-9a-f]{8}/);
      expect(err).not.toContain('killed before its cleanup');
      const again = await run([], 'true');
      expect(String(again.stderr)).not.toContain('ags finished its cleanup');
      await runAsTestUser(host, ['git', '-C', repo, 'rm', '-q', '--cached', 'kq']);
      await runAsTestUser(host, ['rm', '-rf', join(repo, 'kq')]);
    });

    it('SIGKILL of ags and its reaper: the next start removes the staged home, secrets and container; a live run keeps its own', async () => {
      const live = start('echo live; exec sleep 300');
      const other = await running('echo live; exec sleep 300');
      void start('echo killed; exec sleep 300');
      const killed = await running('echo killed; exec sleep 300');
      await killWithReaper(killed);
      expect(existsSync(join(killed.session, 'home'))).toBe(true);
      expect(existsSync(join(killed.session, 'secrets', 'env'))).toBe(true);

      const next = await run([], 'true');
      expect(next.exitCode, String(next.stderr)).toBe(0);
      expect(existsSync(killed.session)).toBe(false);
      await waitFor(
        'the orphaned container to go',
        async () => (await containers(killed.name)) === '',
        30_000,
      );
      // the concurrent lockdown run still has its home
      expect(existsSync(join(other.session, 'home'))).toBe(true);
      process.kill(other.pid, 'SIGTERM');
      await live;
      expect(sessionDirs()).toEqual([]);
    });
  });
});
