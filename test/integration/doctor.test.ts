import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgs, writeTestConfig } from '../support/ags.js';
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
      /^OK {3}slirp4netns: /m,
      /^OK {3}\/etc\/subuid: range for /m,
      /^OK {3}\/dev\/net\/tun: usable/m,
      /^OK {3}storage: overlay/m,
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
});
