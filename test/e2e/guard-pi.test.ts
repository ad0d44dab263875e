import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgs, writeTestConfig } from '../support/ags.js';
import { E2E_IMAGE, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { MockModel, scripted, toolResults } from '../support/mock-model.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo, writeSandboxHomeFile } from '../support/workspace.js';

// The guard in pi: real pi in a real container through the real CLI, its model a local mock of the Anthropic
// Messages API (a custom provider in the sandbox home's ~/.pi/agent/models.json). The mock has pi's bash tool
// delete the workspace and its read tool open an SSH key; the ags extension (loaded with -e from the read-only
// bundle directory) must block both, the reasons must reach the model, and nothing may change.
const PI_VERSION = '0.87.1';

describe('the ags guard inside a real pi session', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let model: MockModel;
  let repo: string;
  let config: string;
  let sshKey: string;
  const dataDir = () => join(host.home, 'e2e-data');

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir, { 'important/keep.txt': 'precious\n' });

    model = new MockModel(
      scripted([
        { toolUse: { name: 'bash', input: { command: `rm -rf ${repo}` } } },
        { toolUse: { name: 'read', input: { path: '~/.ssh/id_ed25519' } } },
        { text: 'gave up' },
      ]),
    );
    const port = await model.start('127.0.0.1');

    // the sandbox home of pi: an SSH key to steal, and the mock as pi's model provider
    sshKey = writeSandboxHomeFile(host, dataDir(), 'pi', '.ssh/id_ed25519', 'PRIVATE-KEY-MATERIAL\n');
    writeSandboxHomeFile(
      host,
      dataDir(),
      'pi',
      '.pi/agent/models.json',
      JSON.stringify({
        providers: {
          mock: {
            baseUrl: `http://10.0.2.2:${port}`,
            api: 'anthropic-messages',
            apiKey: 'sk-test-not-a-secret',
            models: [{ id: 'mock-model' }],
          },
        },
      }),
    );

    config = writeTestConfig(
      host,
      tmp.dir,
      [
        '[network]',
        'allow_host_loopback = true # test only: the mock model listens on the host loopback',
        '[agents.pi]',
        'env = { PI_OFFLINE = "1", PI_SKIP_VERSION_CHECK = "1", PI_TELEMETRY = "0" }',
      ].join('\n'),
      { image: E2E_IMAGE, dataDir: dataDir() },
    );
    // pi's @latest (1.5.2) needs @earendil-works/pi-codemode@1.5.2, which this machine's registry lacks
    await prepareE2eSandbox(host, config, repo, [`pi@${PI_VERSION}`]);
  });

  afterAll(async () => {
    await model?.stop();
    tmp?.cleanup();
  });

  it('blocks rm -rf of the workspace and the key read, and tells the model why', async () => {
    const r = await runAgs(
      host,
      [
        '--config',
        config,
        '--agent',
        'pi',
        '--',
        '--provider',
        'mock',
        '--model',
        'mock-model',
        '--no-session',
        '-p',
        'tidy up',
      ],
      { cwd: repo, timeout: 180_000 },
    );
    expect(r.exitCode, `${String(r.stdout)}\n${String(r.stderr)}`).toBe(0);
    // the extension told the run it loaded
    expect(String(r.stderr)).not.toMatch(/guard did not load/);
    const turns = model.turnsSeen;
    expect(turns.length, JSON.stringify(model.requests.map((q) => q.path))).toBe(3);

    // 1. bash rm -rf of the workspace: blocked, the reason names the rule, the files are intact
    const rm = toolResults(turns[1]!).at(-1)!;
    expect(rm).toMatch(/blocked by ags guard \(fs\.[a-z-]+\)/);
    expect(readFileSync(join(repo, 'important', 'keep.txt'), 'utf8')).toBe('precious\n');
    expect(existsSync(join(repo, '.git'))).toBe(true);

    // 2. read of ~/.ssh/id_ed25519: blocked, the key never reaches the model
    const read = toolResults(turns[2]!).at(-1)!;
    expect(read).toMatch(/blocked by ags guard \(path\.sensitive-read\)/);
    for (const t of turns) expect(JSON.stringify(t)).not.toContain('PRIVATE-KEY-MATERIAL');
    expect(readFileSync(sshKey, 'utf8')).toBe('PRIVATE-KEY-MATERIAL\n');
  });
});
