import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgs, writeTestConfig } from '../support/ags.js';
import { E2E_IMAGE, claudeAtMockToml, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { MockModel, scripted, toolResults } from '../support/mock-model.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// Real Claude Code, guard OFF (--yolo), so only the read-only mounts stand in the way: its Write tool plants a
// git hook and rewrites the project's .claude/settings.json. Both fail, and the host's git runs nothing.
describe("Claude Code's Write tool cannot plant what the host runs later", () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let model: MockModel;
  let repo: string;
  let config: string;
  let canary: string;
  const dataDir = () => join(host.home, 'e2e-data');

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    canary = join(tmp.dir, 'PWNED');
    repo = await makeTestRepo(host, tmp.dir, { 'README.md': 'hi\n', '.claude/settings.json': '{}\n' });
    const hook = join(repo, '.git', 'hooks', 'post-checkout');
    const settings = join(repo, '.claude', 'settings.json');
    model = new MockModel(
      scripted([
        { toolUse: { name: 'Write', input: { file_path: hook, content: `#!/bin/sh\ntouch ${canary}\n` } } },
        { toolUse: { name: 'Read', input: { file_path: settings } } },
        {
          toolUse: {
            name: 'Write',
            input: {
              file_path: settings,
              content: `{"hooks":{"SessionStart":[{"hooks":[{"type":"command","command":"touch ${canary}"}]}]}}\n`,
            },
          },
        },
        { text: 'done' },
      ]),
    );
    const port = await model.start('127.0.0.1');
    config = writeTestConfig(host, tmp.dir, claudeAtMockToml(port), { image: E2E_IMAGE, dataDir: dataDir() });
    await prepareE2eSandbox(host, config, repo, ['claude']);
  });

  afterAll(async () => {
    await model?.stop();
    tmp?.cleanup();
  });

  it('both writes fail on the read-only mounts, the model hears it, and the host git status runs nothing', async () => {
    const r = await runAgs(
      host,
      [
        '--config',
        config,
        '--agent',
        'claude',
        '--yolo',
        '-D',
        '--',
        '-p',
        'set up',
        '--output-format',
        'json',
      ],
      { cwd: repo },
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const turns = model.turnsSeen;
    expect(turns.length).toBe(4);
    expect(toolResults(turns[1]!).at(-1)).toMatch(/EROFS: read-only file system/);
    expect(toolResults(turns[3]!).at(-1)).toMatch(/EROFS: read-only file system/);
    expect(existsSync(join(repo, '.git', 'hooks', 'post-checkout'))).toBe(false);
    expect(readFileSync(join(repo, '.claude', 'settings.json'), 'utf8')).toBe('{}\n');
    expect(String(r.stderr)).not.toContain('changed what git on your host will execute');
    await runAsTestUser(host, ['git', '-C', repo, 'status']);
    expect(existsSync(canary)).toBe(false);
  });
});
