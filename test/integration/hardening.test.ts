import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCgroupFacts } from '../../src/host/cgroups.js';
import { decideLimits } from '../../src/plan/limits.js';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { linkInSandboxHome, makeTestRepo } from '../support/workspace.js';

const EPERM = 1;
const ENOSYS = 38;
const MiB = 1024 * 1024;

/** Small tmpfs sizes, so that filling each is quick. */
const SIZES = { tmp: 8, var_tmp: 4, run: 1, cache: 4 };
const LOCKDOWN_TOML = [
  '[lockdown]',
  `tmp_size = "${SIZES.tmp}m"`,
  `var_tmp_size = "${SIZES.var_tmp}m"`,
  `run_size = "${SIZES.run}m"`,
  `cache_size = "${SIZES.cache}m"`,
  'pids_limit = 64',
  'memory = "512m"',
  'cpus = 1',
  'auth_proxy = true # so that its socket is checked on the read-only root too',
].join('\n');

/** perl's syscall(2) in the sandbox: 0, or the errno it failed with (a child of a clone exits 0 at once). */
const perlSyscall = (args: string, setup = '') =>
  `perl -e '${setup} $r = syscall(${args}); exit 0 if $r == 0; exit($r > 0 ? 0 : $! + 0)'; echo "$?"`;
/** clone3 with struct clone_args: flags, then exit_signal SIGCHLD, the rest zero (perl passes a variable's buffer). */
const clone3 = (flags: string) =>
  perlSyscall('435, $args, 88', `$args = pack("Q11", ${flags}, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0);`);

// The hardening of a lockdown run, in a real rootless container started by the real CLI with --lockdown; each
// property is checked against a default run too, where it differs.
describe('a hardened run (lockdown hardening)', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  /** [lockdown] require_limits = false: this suite's properties on any host; the limits have their own tests. */
  let laxConfig: string;
  let strictConfig: string;
  let runtimeDir: string;

  const run = (config: string, script: string, extra: string[] = [], harden = true) =>
    runAgs(
      host,
      [
        '--config',
        config,
        '--agent',
        'shell',
        ...(harden ? ['--lockdown'] : []),
        ...extra,
        '--',
        '-c',
        script,
      ],
      { cwd: repo, env: { XDG_RUNTIME_DIR: runtimeDir } },
    );

  /** Runs `script` hardened and returns its stdout, after checking the run succeeded. */
  const hardened = async (script: string, extra: string[] = []) => {
    const r = await run(laxConfig, script, extra);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    return String(r.stdout);
  };

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir);
    laxConfig = writeTestConfig(host, join(tmp.dir, 'lax'), `${LOCKDOWN_TOML}\nrequire_limits = false\n`);
    strictConfig = writeTestConfig(host, join(tmp.dir, 'strict'), `${LOCKDOWN_TOML}\n`);
    runtimeDir = join(tmp.dir, 'run');
    mkdirSync(runtimeDir, { mode: 0o700 });
    giveToTestUser(host, runtimeDir);
  });

  afterAll(() => tmp?.cleanup());

  it('the root filesystem is read-only', async () => {
    const r = await run(laxConfig, 'touch /usr/x; echo "usr=$?"; touch /etc/x; echo "etc=$?"');
    expect(String(r.stdout)).toBe('usr=1\netc=1');
    expect(String(r.stderr)).toContain("touch: cannot touch '/usr/x': Read-only file system");
    // a default run's root is writable (by root: the invoker may write its own files in /tmp of the image)
    const plain = await run(laxConfig, 'touch /tmp/x; echo "tmp=$?"; findmnt -no OPTIONS /', [], false);
    expect(String(plain.stdout)).toMatch(/^tmp=0\nrw,/);
  });

  it('/tmp, /var/tmp and the home are writable', async () => {
    const out = await hardened(
      'for d in /tmp /var/tmp ~ ~/.cache ~/.npm; do touch "$d/f" && echo "$d ok"; done; cd /tmp && cp /bin/true t && ./t && echo exec ok',
    );
    expect(out).toBe(
      `/tmp ok\n/var/tmp ok\n${host.home} ok\n${host.home}/.cache ok\n${host.home}/.npm ok\nexec ok`,
    );
  });

  it('each tmpfs has its configured size, and writing past it fails with ENOSPC', async () => {
    const sizes = await hardened(
      `for d in /tmp /var/tmp /run ~/.cache ~/.npm; do stat -f -c "$d %b %S" "$d"; done`,
    );
    const bytes = sizes
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([dir, blocks, blockSize]) => `${dir}=${Number(blocks) * Number(blockSize)}`);
    expect(bytes).toEqual([
      `/tmp=${SIZES.tmp * MiB}`,
      `/var/tmp=${SIZES.var_tmp * MiB}`,
      `/run=${SIZES.run * MiB}`,
      `${host.home}/.cache=${SIZES.cache * MiB}`,
      `${host.home}/.npm=${SIZES.cache * MiB}`,
    ]);
    const fill = (dir: string, mib: number) =>
      `head -c ${(mib + 1) * MiB} /dev/zero > ${dir}/fill 2>/dev/null; echo "${dir}=$?"; rm -f ${dir}/fill`;
    const r = await run(
      laxConfig,
      [
        fill('/tmp', SIZES.tmp),
        fill('/var/tmp', SIZES.var_tmp),
        fill('~/.cache', SIZES.cache),
        'head -c 1000000 /dev/zero > /tmp/fits; echo "fits=$?"',
        `head -c ${(SIZES.tmp + 1) * MiB} /dev/zero > /tmp/nospace`,
      ].join('; '),
    );
    expect(String(r.stdout)).toBe('/tmp=1\n/var/tmp=1\n~/.cache=1\nfits=0');
    expect(String(r.stderr)).toContain("head: error writing 'standard output': No space left on device");
  });

  it('nested user namespaces are refused: unshare(1), unshare(2) and clone(2) with CLONE_NEWUSER, clone3', async () => {
    const probes = [
      'unshare -r true 2>/dev/null; echo "unshare -r=$?"',
      'unshare -Ur true 2>/dev/null; echo "unshare -Ur=$?"',
      `printf 'unshare(2)='; ${perlSyscall('272, 0x10000000')}`,
      `printf 'clone(2)='; ${perlSyscall('56, 0x10000000 | 17, 0, 0, 0, 0')}`,
      `printf 'clone3='; ${clone3('0x10000000')}`,
    ].join('; ');
    expect(await hardened(probes)).toBe(
      `unshare -r=1\nunshare -Ur=1\nunshare(2)=${EPERM}\nclone(2)=${EPERM}\nclone3=${ENOSYS}`,
    );
    // podman's default profile allows every one of them
    const plain = await run(laxConfig, probes, [], false);
    expect(String(plain.stdout)).toBe('unshare -r=0\nunshare -Ur=0\nunshare(2)=0\nclone(2)=0\nclone3=0');
  });

  it('node, git and bash still start and make threads and processes (clone3 fails, libc falls back to clone)', async () => {
    const out = await hardened(
      [
        `node -e "const {Worker} = require('worker_threads'); new Worker('process.exit(7)', {eval: true}).on('exit', (c) => console.log('worker', c))"`,
        `node -e "console.log('child', require('child_process').execFileSync('/bin/echo', ['hi']).toString().trim())"`,
        'cd /tmp && git init -q g && cd g && git -c user.name=t -c user.email=t@t commit -q --allow-empty -m m && git log --format=%s',
        `bash -c 'echo bash $BASH_VERSINFO'`,
        `printf 'clone3 plain='; ${clone3('0')}`,
      ].join('; '),
    );
    expect(out).toMatch(/^worker 7\nchild hi\nm\nbash \d+\nclone3 plain=38$/);
  });

  it("ags's own mounts under /run and the egress forwarder's prelude work on the read-only root", async () => {
    const out = await hardened(
      [
        'test -r "$GIT_CONFIG_GLOBAL" && echo session ok',
        'test -S /run/ags-net/egress.sock && echo egress socket ok',
        'test -S /run/ags-auth/sock && echo auth socket ok',
        `node -e "require('net').connect(3128, '127.0.0.1').on('connect', () => { console.log('forwarder ok'); process.exit(0) })"`,
      ].join('; '),
      ['--network', 'allowlist'],
    );
    expect(out).toBe('session ok\negress socket ok\nauth socket ok\nforwarder ok');
  });

  it('a symlink planted in the persistent home cannot steer a tmpfs: lockdown runs on a fresh staged home', async () => {
    const dataDir = join(tmp.dir, 'planted', 'data');
    const config = writeTestConfig(
      host,
      join(tmp.dir, 'planted'),
      `${LOCKDOWN_TOML}\nrequire_limits = false\n`,
      {
        dataDir,
      },
    );
    // the engine resolves a mount target inside the container: in the persistent home, this tmpfs would cover
    // the session files; the staged home is made by ags for this run, so the link is not there
    linkInSandboxHome(host, dataDir, 'shell', '.npm', '/run/ags');
    const r = await run(config, 'test -L ~/.npm && echo linked; findmnt -no TARGET /run/ags; echo started');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toBe('/run/ags\nstarted');
  });

  // The limits depend on the host: where its cgroups enforce them, they are checked inside; where they cannot,
  // lockdown (require_limits = true, the default) refuses to start, and that refusal is what is checked.
  const limitsEnforceable = () =>
    decideLimits({ pidsLimit: 64, memory: '512m', cpus: 1 }, readCgroupFacts(host.uid)).unenforced.length ===
    0;

  it('pids limit: forking past it fails, or on a host that cannot enforce it the run is refused', async () => {
    if (limitsEnforceable()) {
      const out = await hardened(
        'for i in $(seq 100); do sleep 5 & done 2>/dev/null; echo "started=$(jobs -p | wc -l)"; cat /sys/fs/cgroup/pids.max',
      );
      expect(out).toMatch(/^started=\d+\n64$/);
      expect(Number(/started=(\d+)/.exec(out)![1])).toBeLessThan(64);
      return;
    }
    const r = await run(strictConfig, 'echo started');
    expect(r.exitCode).toBe(1);
    expect(String(r.stdout)).toBe('');
    expect(String(r.stderr)).toMatch(
      /^ags: \[lockdown\] cannot enforce pids_limit = 64, memory = 512m, cpus = 1 on this host \([^)]+\): set \[lockdown\] require_limits = false to run without them, or [^\n]+$/,
    );
  });

  it('memory limit: memory.max in the container, or on a host that cannot enforce it the run is refused', async () => {
    if (limitsEnforceable()) {
      const out = await run(strictConfig, 'cat /sys/fs/cgroup/memory.max');
      expect(out.exitCode, String(out.stderr)).toBe(0);
      expect(String(out.stdout)).toBe(`${512 * MiB}`);
      return;
    }
    const r = await run(strictConfig, 'cat /sys/fs/cgroup/memory.max');
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toContain('memory = 512m');
    // with require_limits = false the run starts, and says which limits it lacks
    const lax = await run(laxConfig, 'echo started');
    expect(String(lax.stdout)).toBe('started');
    for (const limit of ['pids_limit = 64', 'memory = 512m', 'cpus = 1']) {
      expect(String(lax.stderr)).toContain(`ags: warning: [lockdown] ${limit} is not applied on this host`);
    }
  });
});
