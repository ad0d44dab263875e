import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentInstallDir } from '../support/agents.js';
import { type TestHost, loadTestHost, podman } from '../support/host.js';
import { MockModel, scripted, toolResults } from '../support/mock-model.js';
import { testUserTempDir } from '../support/tmp.js';

// The harness itself, end to end: the real Claude Code binary, in a real rootless container, talking to the
// mock model on the host. The product's own run path has its e2e tests elsewhere; this proves the pieces work.
describe('real Claude Code against the mock model, in a rootless container', () => {
  let host: TestHost;
  let model: MockModel;
  let port: number;
  let work: ReturnType<typeof testUserTempDir>;

  beforeAll(async () => {
    host = loadTestHost();
    model = new MockModel(
      scripted([
        {
          toolUse: {
            name: 'Bash',
            input: { command: 'echo from-the-sandbox > marker.txt', description: 'write' },
          },
        },
        { text: 'wrote the marker' },
      ]),
    );
    port = await model.start('127.0.0.1');
    work = testUserTempDir(host);
  });

  afterAll(async () => {
    await model?.stop();
    work?.cleanup();
  });

  it('runs a session: the model asks for a Bash tool call and Claude Code runs it inside', async () => {
    const claudeDir = agentInstallDir(host, 'claude');
    const result = await podman(host, [
      'run',
      '--rm',
      '--pull=never',
      '--userns=keep-id',
      '--cap-drop=all',
      '--security-opt=no-new-privileges',
      // test-only: reach the mock on the host's loopback (the product's default keeps this off)
      '--network=slirp4netns:allow_host_loopback=true',
      ...host.engineArgs,
      '-v',
      `${claudeDir}:/opt/claude:ro`,
      '-v',
      `${work.dir}:${work.dir}`,
      '-w',
      work.dir,
      '-e',
      `HOME=${work.dir}`,
      '-e',
      `ANTHROPIC_BASE_URL=http://10.0.2.2:${port}`,
      '-e',
      'ANTHROPIC_API_KEY=sk-ant-test-not-a-secret',
      '-e',
      'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1',
      host.image,
      '/opt/claude/node_modules/.bin/claude',
      '-p',
      'write the marker file',
      '--output-format',
      'json',
      '--dangerously-skip-permissions',
    ]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const out = JSON.parse(String(result.stdout)) as { result: string; is_error: boolean };
    expect(out.is_error).toBe(false);
    expect(out.result).toContain('wrote the marker');

    // the tool really ran inside, on the mounted workdir, as the rootless user
    const marker = join(work.dir, 'marker.txt');
    expect(existsSync(marker)).toBe(true);
    expect(readFileSync(marker, 'utf8').trim()).toBe('from-the-sandbox');

    // the mock saw the agent loop: a system prompt, then the tool result coming back
    const turns = model.turnsSeen;
    expect(turns.length).toBeGreaterThanOrEqual(2);
    expect(toolResults(turns[1]!).join('\n')).not.toMatch(/error/i);
  });
});
