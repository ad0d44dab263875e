import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { MockModel, scripted, systemText } from '../support/mock-model.js';
import { E2E_IMAGE, claudeAtMockToml, prepareE2eSandbox } from '../support/e2e.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// The product's main job end to end: `ags --agent claude -- -p ...` starts the real Claude Code in the sandbox,
// which talks to the mock model on the host; the request carries the ags prompt hint in its system prompt.
describe('ags --agent claude against the mock model', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let model: MockModel;
  let repo: string;
  let config: string;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir);
    model = new MockModel(scripted([{ text: 'hello from the mock' }]));
    const port = await model.start('127.0.0.1');
    config = writeTestConfig(host, tmp.dir, claudeAtMockToml(port), {
      image: E2E_IMAGE,
      dataDir: join(host.home, 'e2e-data'),
    });
    await prepareE2eSandbox(host, config, repo, ['claude']);
  });

  afterAll(async () => {
    await model?.stop();
    tmp?.cleanup();
  });

  it('runs a prompt and the model sees the ags hint in the system prompt', async () => {
    const r = await runAgs(
      host,
      ['--config', config, '--agent', 'claude', '--', '-p', 'say hello', '--output-format', 'json'],
      {
        cwd: repo,
      },
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(JSON.parse(String(r.stdout)).result).toContain('hello from the mock');
    const system = systemText(model.turnsSeen[0]!);
    expect(system).toContain('# ags sandbox');
    expect(system).toContain('host.containers.internal');
    expect(system).toContain(`The workspace is ${repo}`);
  });
});
