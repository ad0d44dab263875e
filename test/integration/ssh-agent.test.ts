import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';

// sandbox.ssh_keys: a dedicated ssh-agent holds only the configured key; the sandbox can use it through the
// mounted socket but never sees the key file, and the agent is gone after the run.
describe('the dedicated ssh-agent', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;
  let pub: string;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = join(tmp.dir, 'repo');
    mkdirSync(repo);
    mkdirSync(join(tmp.dir, 'keys'));
    mkdirSync(join(tmp.dir, 'run'), { mode: 0o700 });
    giveToTestUser(host, repo, join(tmp.dir, 'keys'), join(tmp.dir, 'run'));
    const key = join(tmp.dir, 'keys', 'ags_ed25519');
    const gen = await runAsTestUser(host, [
      'ssh-keygen',
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'ags-it',
      '-f',
      key,
    ]);
    expect(gen.exitCode, String(gen.stderr)).toBe(0);
    pub = readFileSync(`${key}.pub`, 'utf8').split(' ')[1]!;
    config = writeTestConfig(host, tmp.dir, '', { sandbox: `ssh_keys = ["${key}"]` });
  });

  afterAll(() => tmp?.cleanup());

  it('offers the configured key inside, and stops the agent afterwards', async () => {
    const r = await runAgs(
      host,
      [
        '--config',
        config,
        '--agent',
        'shell',
        '--',
        '-c',
        'ssh-add -L; ls ~/.ssh 2>/dev/null; echo "sock=$SSH_AUTH_SOCK"',
      ],
      { cwd: repo, env: { XDG_RUNTIME_DIR: join(tmp.dir, 'run') } },
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain(pub);
    expect(String(r.stdout)).toContain('sock=/run/ags-ssh/agent.sock');
    expect(String(r.stdout)).not.toContain('ags_ed25519');
    const left = await runAsTestUser(host, [
      'pgrep',
      '-u',
      String(host.uid),
      '-f',
      `ssh-agent -s -a ${tmp.dir}`,
    ]);
    expect(String(left.stdout).trim()).toBe('');
  });
});
