import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, podman } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// How a real run starts its container on this host: podman's init as PID 1 (or not), and only the resource
// limits the host's cgroups can enforce.
describe('a real run: init and resource limits', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let noInitConf: string;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
    // podman reads only this file when CONTAINERS_CONF names it: an init binary that does not exist
    noInitConf = join(tmp.dir, 'no-init.conf');
    writeFileSync(noInitConf, '[engine]\ninit_path = "/nonexistent/ags-test/catatonit"\n');
    giveToTestUser(host, noInitConf);
  });

  afterAll(() => tmp?.cleanup());

  it("runs podman's init as PID 1 by default, and prints no podman warning about resource limits", async () => {
    const config = writeTestConfig(host, join(tmp.dir, 'default'));
    const r = await runAgs(
      host,
      ['--config', config, '--agent', 'shell', '--', '-c', 'cat /proc/1/comm; exit 0'],
      {
        cwd: repo,
      },
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe('podman-init'); // podman mounts its init binary as /run/podman-init
    expect(String(r.stderr)).not.toMatch(/Resource limits are not supported/);
    expect(String(r.stderr)).toBe('');
  });

  it('--dry-run says which limits this host cannot enforce, and leaves exactly those flags out', async () => {
    const config = writeTestConfig(host, join(tmp.dir, 'limits'), '', { runtime: 'memory = "2g"' });
    const r = await runAgs(host, ['--config', config, '--agent', 'shell', '--dry-run'], { cwd: repo });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const { plan, podman: argv } = JSON.parse(String(r.stdout)) as {
      plan: { security: { unenforcedLimits: { setting: string; reason: string }[] } };
      podman: string[];
    };
    const info = await podman(host, ['info', '--format', '{{.Host.CgroupsVersion}}']);
    const unenforced = plan.security.unenforcedLimits.map((u) => u.setting);
    if (String(info.stdout).trim() === 'v1') {
      // rootless podman ignores every limit on cgroup v1 (this CI machine)
      expect(unenforced).toEqual(['pids_limit', 'memory']);
      expect(plan.security.unenforcedLimits[0]!.reason).toMatch(/cgroup v1/);
    }
    expect(argv.some((a) => a.startsWith('--pids-limit='))).toBe(!unenforced.includes('pids_limit'));
    expect(argv.includes('--memory=2g')).toBe(!unenforced.includes('memory'));
  });

  it("a missing init binary stops the run with podman's message; [runtime] init = false runs without it", async () => {
    const env = { CONTAINERS_CONF: noInitConf };
    const args = ['--agent', 'shell', '--', '-c', 'cat /proc/1/comm; exit 0'];
    const withInit = writeTestConfig(host, join(tmp.dir, 'init-on'));
    const failed = await runAgs(host, ['--config', withInit, ...args], { cwd: repo, env });
    expect(failed.exitCode).toBe(1);
    expect(String(failed.stderr)).toMatch(/container-init binary not found on the host: stat \/nonexistent/);
    expect(String(failed.stderr)).toMatch(/ags: podman could not start the container/);

    const withoutInit = writeTestConfig(host, join(tmp.dir, 'init-off'), '', { runtime: 'init = false' });
    const r = await runAgs(host, ['--config', withoutInit, ...args], { cwd: repo, env });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe('bash');
  });
});
