import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// `ags doctor` against the real rootless podman of the test user.
describe('ags doctor', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
  });

  afterAll(() => tmp?.cleanup());

  it('passes on a provisioned host: rootless podman, runtime, network, id ranges, image, a real start', async () => {
    const config = writeTestConfig(host, join(tmp.dir, 'ok'));
    const r = await runAgs(host, ['--config', config, 'doctor'], { cwd: repo });
    expect(r.exitCode, String(r.stdout)).toBe(0);
    const out = String(r.stdout);
    for (const line of [
      /^OK {3}podman: version \d+\./m,
      /^OK {3}rootless: /m,
      /^OK {3}network open: slirp4netns \/\S+$/m,
      /^OK {3}network allowlist: the egress proxy answers on a Unix socket; forwarder \/\S+\/dist\/sandbox\/net-forward\.mjs$/m,
      /^OK {3}network none: needs nothing/m,
      /^OK {3}\/etc\/subuid: range for /m,
      /^OK {3}\/dev\/net\/tun: usable/m,
      /^OK {3}storage: overlay/m,
      /^OK {3}init: \/\S+$/m,
      new RegExp(`^OK {3}image: ${host.image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'),
      /^OK {3}sandbox start: a rootless container ran node v\d+/m,
    ]) {
      expect(out).toMatch(line);
    }
    expect(out).not.toMatch(/^FAIL/m);
  });

  it('fails (exit 1) on a missing image and names the fix', async () => {
    const config = writeTestConfig(host, join(tmp.dir, 'missing'), '', {
      image: 'localhost/ags-no-such-image:none',
    });
    const r = await runAgs(host, ['--config', config, 'doctor'], { cwd: repo });
    expect(r.exitCode).toBe(1);
    expect(String(r.stdout)).toMatch(
      /^FAIL image: localhost\/ags-no-such-image:none is missing\n {5}fix: run `ags update-image`$/m,
    );
  });

  /** A containers.conf for the test user only (CONTAINERS_CONF) whose init_path names no file. */
  const withoutInitBinary = () => {
    const conf = join(tmp.dir, 'no-init.conf');
    writeFileSync(conf, '[engine]\ninit_path = "/nonexistent/ags-test/catatonit"\n');
    giveToTestUser(host, conf);
    return { CONTAINERS_CONF: conf };
  };

  it("fails (exit 1) when podman's init binary is missing, and names catatonit or init = false", async () => {
    const config = writeTestConfig(host, join(tmp.dir, 'no-init'));
    const r = await runAgs(host, ['--config', config, 'doctor'], { cwd: repo, env: withoutInitBinary() });
    const out = String(r.stdout);
    expect(r.exitCode, out).toBe(1);
    const fix =
      ' {5}fix: install catatonit \\(Debian/Ubuntu: sudo apt install catatonit\\), or set \\[runtime\\] init = false in the config';
    expect(out).toMatch(
      new RegExp(
        `^FAIL init: /nonexistent/ags-test/catatonit \\(podman's init_path, set in .*no-init\\.conf\\) is missing.*\\n${fix}$`,
        'm',
      ),
    );
    // the probe starts as a run does (with --init), so it fails on the same missing binary
    expect(out).toMatch(
      new RegExp(`^FAIL sandbox start: .*container-init binary not found.*\\n${fix}$`, 'm'),
    );
  });

  it('with [runtime] init = false: no init check, and the probe starts without --init', async () => {
    const config = writeTestConfig(host, join(tmp.dir, 'init-off'), '', { runtime: 'init = false' });
    const r = await runAgs(host, ['--config', config, 'doctor'], { cwd: repo, env: withoutInitBinary() });
    const out = String(r.stdout);
    expect(r.exitCode, out).toBe(0);
    expect(out).toMatch(/^OK {3}init: off \(\[runtime\] init = false\)/m);
    expect(out).toMatch(/^OK {3}sandbox start: a rootless container ran node v\d+/m);
  });
  it('a missing [[mount]] source is a FAIL finding after every other check ran; create = true makes nothing', async () => {
    const missing = join(tmp.dir, 'mounts', 'no-such-source');
    const toCreate = join(tmp.dir, 'mounts', 'made-by-a-run');
    const config = writeTestConfig(
      host,
      join(tmp.dir, 'mounts'),
      `[[mount]]\nhost = "${missing}"\nmode = "ro"\n\n[[mount]]\nhost = "${toCreate}"\nmode = "rw"\ncreate = true\n`,
    );
    const r = await runAgs(host, ['--config', config, 'doctor'], { cwd: repo });
    const out = String(r.stdout);
    expect(r.exitCode, `${out}${String(r.stderr)}`).toBe(1);
    expect(String(r.stderr)).toBe('');
    expect(out).toMatch(
      new RegExp(
        `^FAIL mounts: mount\\[0\\]: host path ${missing} does not exist: a run refuses to start\n {5}fix: create it`,
        'm',
      ),
    );
    // the checks after it still ran, the probe included (without the refused mount)
    expect(out).toMatch(/^OK {3}podman: version/m);
    expect(out).toMatch(/^OK {3}sandbox start: a rootless container ran node v\d+/m);
    expect(existsSync(toCreate)).toBe(false);
  });

  it('creates no create = true mount source (a run makes it; doctor only says so)', async () => {
    const toCreate = join(tmp.dir, 'create-only', 'made-by-a-run');
    const config = writeTestConfig(
      host,
      join(tmp.dir, 'create-only'),
      `[[mount]]\nhost = "${toCreate}"\nmode = "rw"\ncreate = true\n`,
    );
    const r = await runAgs(host, ['--config', config, 'doctor'], { cwd: repo });
    expect(existsSync(toCreate)).toBe(false);
    expect(r.exitCode, String(r.stdout)).toBe(0);
    expect(String(r.stdout)).toMatch(
      /^OK {3}mounts: 0 host paths ready; 1 created by the first run that needs it$/m,
    );
  });

  it('network allowlist: a runtime dir too long for the proxy socket fails for an allowlist config, and the run stops', async () => {
    // XDG_RUNTIME_DIR so deep that a session's egress.sock would not fit a Unix socket path
    const runtime = join(tmp.dir, 'r'.repeat(Math.max(1, 90 - tmp.dir.length)));
    mkdirSync(runtime, { mode: 0o700 });
    giveToTestUser(host, runtime);
    const env = { XDG_RUNTIME_DIR: runtime };
    const allowlist = writeTestConfig(host, join(tmp.dir, 'net-allowlist'), '[network]\nmode = "allowlist"');
    const r = await runAgs(host, ['--config', allowlist, 'doctor'], { cwd: repo, env });
    expect(r.exitCode, String(r.stdout)).toBe(1);
    expect(String(r.stdout)).toMatch(
      /^FAIL network allowlist: the proxy socket \S+\/session-4194304\/egress\.sock would be \d+ bytes, over the 107 a Unix socket path may have: runs with network "allowlist" cannot start\n {5}fix: set XDG_RUNTIME_DIR \(or TMPDIR\) to a shorter directory$/m,
    );
    // a config whose runs are "open" only warns: --network allowlist is what would not run
    const open = writeTestConfig(host, join(tmp.dir, 'net-open'));
    const w = await runAgs(host, ['--config', open, 'doctor', '--json'], { cwd: repo, env });
    const rows = JSON.parse(String(w.stdout)) as { id: string; status: string; detail: string }[];
    expect(rows.find((x) => x.id === 'network-allowlist')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/: --network allowlist cannot run here$/) as unknown,
    });
    // and a run in that mode stops before the sandbox, exit 1, never on another network
    const run = await runAgs(host, ['--config', allowlist, '--agent', 'shell', '--', '-c', 'echo ran'], {
      cwd: repo,
      env,
    });
    expect(run.exitCode, String(run.stderr)).toBe(1);
    expect(String(run.stdout)).not.toContain('ran');
    expect(String(run.stderr)).toMatch(
      /^ags: the session directory is too deep for the Unix sockets of the run's host services: \S+\.sock would be \d+ bytes, over the 107 a Unix socket path may have$/m,
    );
  });

  it('--json: one { id, status, detail, fix } object per check, exit 1 when one fails', async () => {
    const good = writeTestConfig(host, join(tmp.dir, 'json-ok'));
    const r = await runAgs(host, ['--config', good, 'doctor', '--json'], { cwd: repo });
    expect(r.exitCode, String(r.stdout)).toBe(0);
    const rows = JSON.parse(String(r.stdout)) as {
      id: string;
      status: string;
      detail: string;
      fix: unknown;
    }[];
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['id', 'status', 'detail', 'fix']);
      expect(['ok', 'warn']).toContain(row.status);
    }
    expect(rows.map((x) => x.id)).toEqual(
      expect.arrayContaining([
        'config',
        'mounts',
        'podman',
        'rootless',
        'image',
        'sandbox-start',
        'agent-clis',
      ]),
    );
    expect(rows.find((x) => x.id === 'sandbox-start')?.detail).toMatch(/^a rootless container ran node v\d+/);

    const bad = writeTestConfig(host, join(tmp.dir, 'json-bad'), '', {
      image: 'localhost/ags-no-such-image:none',
    });
    const b = await runAgs(host, ['--config', bad, 'doctor', '--json'], { cwd: repo });
    expect(b.exitCode).toBe(1);
    const image = (JSON.parse(String(b.stdout)) as { id: string }[]).find((x) => x.id === 'image');
    expect(image).toEqual({
      id: 'image',
      status: 'fail',
      detail: 'localhost/ags-no-such-image:none is missing',
      fix: 'run `ags update-image`',
    });
  });
});
