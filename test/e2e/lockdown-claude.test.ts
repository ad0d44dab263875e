import { writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { E2E_IMAGE, prepareE2eSandbox } from '../support/e2e.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { MockModel, scripted, systemText, toolResults } from '../support/mock-model.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo, writeSandboxHomeFile } from '../support/workspace.js';

/** An address of this host that is not its loopback: lockdown never reaches the host's loopback. */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('this host has no non-loopback IPv4 address for the mock model');
}

// Real Claude Code with --lockdown: the mock model is its API, allowed through [lockdown] allow_domains (the
// agent's own preset is the rest of the list), its key passed with --secret. The model drives it to read
// secrets the host holds and to reach a host the list does not name; both fail, and the turn completes, on the
// hardened sandbox lockdown runs on.
describe('Claude Code in lockdown', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let model: MockModel;
  let repo: string;
  let config: string;
  let hostSecret: string;
  const dataDir = () => join(host.home, 'e2e-data');
  const HOST_FILE_SECRET = 'host-file-secret-7f3a';
  const HOME_SECRET = 'persistent-home-secret-91c2';
  const ENV_SECRET = 'passthrough-secret-5d0e';

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir, { 'README.md': 'an untrusted repository\n' });
    hostSecret = join(tmp.dir, 'host-secret.txt');
    writeFileSync(hostSecret, `${HOST_FILE_SECRET}\n`);
    giveToTestUser(host, hostSecret);
    // in the persistent sandbox home, but on no staging list
    writeSandboxHomeFile(host, dataDir(), 'claude', '.claude/lockdown-canary.txt', `${HOME_SECRET}\n`);
    model = new MockModel(
      scripted([
        {
          toolUse: {
            name: 'Bash',
            input: {
              command: `cat ${hostSecret} ~/.claude/lockdown-canary.txt; if [ -n "\${LD_HOST_SECRET}" ]; then echo env=set; else echo env=unset; fi; echo "root=$(findmnt -no OPTIONS / | cut -d, -f1)"; findmnt -no FSTYPE /tmp`,
              description: 'look around',
            },
          },
        },
        {
          toolUse: {
            name: 'Bash',
            input: {
              command: 'curl -sS https://example.com/ 2>&1; echo "curl=$?"',
              description: 'phone home',
            },
          },
        },
        { text: 'lockdown turn done' },
      ]),
    );
    const address = hostAddress();
    const port = await model.start(address);
    config = writeTestConfig(
      host,
      tmp.dir,
      [
        '[lockdown]',
        `allow_domains = ["${address}"]`,
        "require_limits = false # this host may not enforce them; their refusal is the hardening tests' part",
        '[agents.claude]',
        `env = { ANTHROPIC_BASE_URL = "http://${address}:${port}", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = "1" }`,
      ].join('\n'),
      { image: E2E_IMAGE, dataDir: dataDir(), sandbox: 'passthrough_env = ["LD_HOST_SECRET"]' },
    );
    await prepareE2eSandbox(host, config, repo, ['claude']);
  });

  afterAll(async () => {
    await model?.stop();
    tmp?.cleanup();
  });

  it('completes a turn; reading the host secrets and reaching a non-allowed host both fail', async () => {
    const r = await runAgs(
      host,
      [
        '--config',
        config,
        '--lockdown',
        '--secret',
        'ANTHROPIC_API_KEY',
        '--agent',
        'claude',
        '-D',
        '--',
        '-p',
        'inspect this repository',
        '--output-format',
        'json',
      ],
      {
        cwd: repo,
        timeout: 180_000,
        env: { ANTHROPIC_API_KEY: 'sk-ant-test-not-a-secret', LD_HOST_SECRET: ENV_SECRET },
      },
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toMatch(/^ags: lockdown: on /m);
    expect(JSON.parse(String(r.stdout)).result).toContain('lockdown turn done');
    const turns = model.turnsSeen;
    expect(turns.length).toBe(3);
    // the key the user passed (--secret) reached the model API; the prompt hint says lockdown is on
    const first = model.requests.find((q) => q.path === '/v1/messages')!;
    expect(first.headers['x-api-key']).toBe('sk-ant-test-not-a-secret');
    expect(systemText(turns[0]!)).toContain('Lockdown: on');
    const look = toolResults(turns[1]!).at(-1)!;
    expect(look).toContain(`${hostSecret}: No such file or directory`);
    expect(look).toContain('lockdown-canary.txt: No such file or directory');
    expect(look).toContain('env=unset');
    // the hardening: Claude Code and its Bash tool run on a read-only root with /tmp a tmpfs (and clone3
    // answering ENOSYS, which its node and bash must survive)
    expect(look).toContain('root=ro');
    expect(look).toMatch(/^tmpfs$/m);
    const seen = JSON.stringify(turns);
    for (const secret of [HOST_FILE_SECRET, HOME_SECRET, ENV_SECRET]) expect(seen).not.toContain(secret);
    const phone = toolResults(turns[2]!).at(-1)!;
    expect(phone).toMatch(/CONNECT tunnel failed, response 403/);
    expect(phone).not.toContain('curl=0');
  }, 240_000);
});
