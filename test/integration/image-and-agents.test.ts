import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, podman } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

const IMAGE = 'localhost/ags-it-image:latest';

// `ags update-image` builds the real config/Containerfile (its apt steps reach the Debian mirror) on the
// offline base; `ags update-agents claude` installs Claude Code into a fresh tools volume with npm, in the sandbox.
describe('update-image and update-agents, for real', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let config: string;
  let repo: string;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
    config = writeTestConfig(host, tmp.dir, '', { image: IMAGE });
  });

  afterAll(() => tmp?.cleanup());

  it('update-image builds the Containerfile from a local base image, with visible progress', async () => {
    const r = await runAgs(host, ['--config', config, 'update-image', '--base-image', host.image], {
      cwd: repo,
      timeout: 600_000,
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toMatch(/STEP \d+\/\d+/);
    expect(String(r.stderr)).toContain(`ags: image ${IMAGE} is ready`);
    expect((await podman(host, ['image', 'exists', IMAGE])).exitCode).toBe(0);
    const tools = await runAgs(
      host,
      ['--config', config, '--agent', 'shell', '--', '-c', 'rg --version && jq --version && tmux -V'],
      {
        cwd: repo,
      },
    );
    expect(tools.exitCode, String(tools.stderr)).toBe(0);
    expect(String(tools.stdout)).toMatch(/ripgrep/);
  });

  it('update-agents installs Claude Code into the tools volume and reports its version', async () => {
    const r = await runAgs(host, ['--config', config, 'update-agents', 'claude'], {
      cwd: repo,
      timeout: 600_000,
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toMatch(/^claude\s+@anthropic-ai\/claude-code\s+\d+\.\d+\.\d+ \(new\)$/m);
    expect(existsSync(join(tmp.dir, 'data', 'tools', 'bin', 'claude'))).toBe(true);
    // the installed CLI runs inside the sandbox, from the read-only tools volume
    const v = await runAgs(
      host,
      ['--config', config, '--agent', 'shell', '--', '-c', 'claude --version; touch /opt/ags/tools/x'],
      {
        cwd: repo,
      },
    );
    expect(String(v.stdout)).toMatch(/\(Claude Code\)/);
    expect(String(v.stderr)).toMatch(/Read-only file system/);
  });

  it('an unknown agent name is a usage error (exit 2)', async () => {
    const r = await runAgs(host, ['--config', config, 'update-agents', 'nope'], { cwd: repo });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/^ags: unknown agent 'nope'/);
  });
});

describe('a missing image on first run', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;

  beforeAll(() => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
  });

  afterAll(async () => {
    await podman(host, ['rmi', '--force', `localhost/ags-it-first-run:${process.pid}`]);
    tmp?.cleanup();
  });

  it('is built after saying so, then the run goes on', async () => {
    const image = `localhost/ags-it-first-run:${process.pid}`;
    const repo = await makeTestRepo(host, tmp.dir, {}, { git: false });
    const config = writeTestConfig(host, tmp.dir, '', { image, sandbox: `base_image = "${host.image}"` });
    const r = await runAgs(
      host,
      ['--config', config, '--agent', 'shell', '--', '-c', 'echo ran-in-new-image'],
      {
        cwd: repo,
        timeout: 600_000,
      },
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toContain(`ags: image ${image} is missing; building it now (first run only)`);
    expect(String(r.stdout).trim().split('\n').pop()).toBe('ran-in-new-image');
  });
});
