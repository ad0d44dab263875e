import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { MockModel, scripted } from '../support/mock-model.js';
import { E2E_IMAGE, claudeAtMockToml, prepareE2eSandbox } from '../support/e2e.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// Real Claude Code under the allowlist network: the sandbox has no interface; the model API (the mock on the
// host) is reached through ags's egress proxy, and a run whose list does not allow it fails with the reason.
describe('Claude Code under the allowlist network', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let model: MockModel;
  let repo: string;
  let port: number;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir);
    model = new MockModel(scripted([{ text: 'hello through the proxy' }]));
    port = await model.start('127.0.0.1');
    const config = writeTestConfig(host, join(tmp.dir, 'prep'), claudeAtMockToml(port), {
      image: E2E_IMAGE,
      dataDir: join(host.home, 'e2e-data'),
    });
    await prepareE2eSandbox(host, config, repo, ['claude']);
  });

  afterAll(async () => {
    await model?.stop();
    tmp?.cleanup();
  });

  const configWith = (name: string, hostLoopback: boolean) =>
    writeTestConfig(
      host,
      join(tmp.dir, name),
      claudeAtMockToml(port)
        .replace('allow_host_loopback = true', `allow_host_loopback = ${hostLoopback}`)
        .replace('[network]', '[network]\nmode = "allowlist"'),
      { image: E2E_IMAGE, dataDir: join(host.home, 'e2e-data') },
    );
  const ask = (config: string) =>
    runAgs(
      host,
      ['--config', config, '--agent', 'claude', '--', '-p', 'say hello', '--output-format', 'json'],
      {
        cwd: repo,
        timeout: 180_000,
      },
    );

  it('completes a turn with the model reached through the proxy', async () => {
    const r = await ask(configWith('allowed', true));
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toContain('ags: network: allowlist through the host proxy');
    expect(JSON.parse(String(r.stdout)).result).toContain('hello through the proxy');
  });

  it('fails when the list does not allow the model, and the refusal names the fix', async () => {
    const before = model.turnsSeen.length;
    const r = await ask(configWith('denied', false));
    expect(r.exitCode).not.toBe(0);
    expect(model.turnsSeen.length).toBe(before);
    // Claude Code shows the proxy's refusal as the API error, reason and fix included
    expect(JSON.parse(String(r.stdout)).result).toMatch(
      /API Error: 403 ags: the IP address 10\.0\.2\.2 is not on the allowlist.*allow it with --allow-domain 10\.0\.2\.2/,
    );
  });
});
