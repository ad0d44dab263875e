import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgs, writeTestConfig } from '../support/ags.js';
import { E2E_IMAGE, claudeAtMockToml, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { MockModel, scripted, toolResults } from '../support/mock-model.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

// Real Claude Code under the hardening lockdown turns on (read-only root, sized tmpfs, no nested user
// namespaces: clone3 answers ENOSYS): it must still start, run its Bash tool and finish a turn, and the
// commands it runs meet the hardening (its guard refuses `unshare` before the sandbox does). AGS_INTERNAL_HARDEN=1 stands in for --lockdown until that lands.
describe('real Claude Code in a hardened sandbox', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let model: MockModel;
  let repo: string;
  let config: string;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir);
    model = new MockModel(
      scripted([
        {
          toolUse: {
            name: 'Bash',
            input: {
              command:
                'echo "root=$(findmnt -no OPTIONS / | cut -d, -f1)"; touch /tmp/x; echo "tmp=$?"; findmnt -no FSTYPE,SIZE /tmp',
              description: 'probe the sandbox',
            },
          },
        },
        { text: 'probed the sandbox' },
      ]),
    );
    const port = await model.start('127.0.0.1');
    // this host may not enforce the limits; their refusal has its own test (test/integration/hardening.test.ts)
    config = writeTestConfig(
      host,
      tmp.dir,
      `${claudeAtMockToml(port)}\n[lockdown]\nrequire_limits = false\n`,
      {
        image: E2E_IMAGE,
        dataDir: join(host.home, 'e2e-data'),
      },
    );
    await prepareE2eSandbox(host, config, repo, ['claude']);
  });

  afterAll(async () => {
    await model?.stop();
    tmp?.cleanup();
  });

  it('completes a turn with a tool call, and the tool meets the hardening', async () => {
    const r = await runAgs(
      host,
      [
        '--config',
        config,
        '--agent',
        'claude',
        '--',
        '-p',
        'probe',
        '--dangerously-skip-permissions',
        '--output-format',
        'json',
      ],
      { cwd: repo, env: { AGS_INTERNAL_HARDEN: '1' } },
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(JSON.parse(String(r.stdout)).result).toContain('probed the sandbox');
    expect(toolResults(model.turnsSeen[1]!).join('\n')).toMatch(/root=ro\ntmp=0\ntmpfs +512M/);
  });
});
