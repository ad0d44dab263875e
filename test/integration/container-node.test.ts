import { beforeAll, describe, expect, it } from 'vitest';
import { loadTestHost, podman, type TestHost } from '../support/host.js';

describe('the real rootless sandbox harness', () => {
  let host: TestHost;
  beforeAll(() => {
    host = loadTestHost();
  });

  it('runs node inside a rootless container as the test user', async () => {
    const result = await podman(host, [
      'run',
      '--rm',
      '--pull=never',
      '--userns=keep-id',
      '--cap-drop=all',
      '--security-opt=no-new-privileges',
      ...host.engineArgs,
      host.image,
      'node',
      '-e',
      'console.log(JSON.stringify({ version: process.version, uid: process.getuid() }))',
    ]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.exitCode).toBe(0);
    const inside = JSON.parse(String(result.stdout).trim().split('\n').pop()!) as {
      version: string;
      uid: number;
    };
    expect(inside.version).toMatch(/^v24\./);
    // keep-id maps the rootless user to the same uid inside
    expect(inside.uid).toBe(host.uid);
  });

  it('is rootless: podman itself runs unprivileged', async () => {
    const result = await podman(host, ['info', '--format', '{{.Host.Security.Rootless}}']);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout).trim()).toBe('true');
  });
});
