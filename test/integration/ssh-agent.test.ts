import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { execa } from 'execa';
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
  let key: string;

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = join(tmp.dir, 'repo');
    mkdirSync(repo);
    mkdirSync(join(tmp.dir, 'keys'));
    mkdirSync(join(tmp.dir, 'run'), { mode: 0o700 });
    giveToTestUser(host, repo, join(tmp.dir, 'keys'), join(tmp.dir, 'run'));
    key = join(tmp.dir, 'keys', 'ags_ed25519');
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

  it('signs commits made in the sandbox with [sandbox] signing_key, through the agent: the host verifies them', async () => {
    const signRepo = join(tmp.dir, 'sign-repo');
    mkdirSync(signRepo);
    giveToTestUser(host, signRepo);
    const init = await runAsTestUser(host, ['git', 'init', '-q', signRepo]);
    expect(init.exitCode, String(init.stderr)).toBe(0);
    const signConfig = writeTestConfig(host, join(tmp.dir, 'sign'), '', {
      sandbox: `signing_key = "${key}"`,
    });
    const r = await runAgs(
      host,
      [
        '--config',
        signConfig,
        '--agent',
        'shell',
        '--',
        '-c',
        'ls ~/.ssh 2>/dev/null; git commit -q --allow-empty -m signed && git cat-file -p HEAD',
      ],
      { cwd: signRepo, env: { XDG_RUNTIME_DIR: join(tmp.dir, 'run') } },
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain('-----BEGIN SSH SIGNATURE-----');
    expect(String(r.stdout)).not.toContain('ags_ed25519');
    // the host checks the signature against the public key alone
    const signers = join(tmp.dir, 'allowed_signers');
    writeFileSync(signers, `* ${readFileSync(`${key}.pub`, 'utf8')}`);
    const verify = await execa(
      'git',
      [
        '-c',
        'safe.directory=*',
        '-c',
        'gpg.format=ssh',
        '-c',
        `gpg.ssh.allowedSignersFile=${signers}`,
        'verify-commit',
        'HEAD',
      ],
      { cwd: signRepo, reject: false },
    );
    expect(verify.exitCode, String(verify.stderr)).toBe(0);
    expect(String(verify.stderr)).toContain('Good "git" signature');
  });

  it('refuses a signing key without its public key, naming the fix (exit 2)', async () => {
    const bare = join(tmp.dir, 'keys', 'no-pub');
    writeFileSync(bare, 'not read\n', { mode: 0o600 });
    giveToTestUser(host, bare);
    const noPub = writeTestConfig(host, join(tmp.dir, 'nopub'), '', { sandbox: `signing_key = "${bare}"` });
    const r = await runAgs(host, ['--config', noPub, '--agent', 'shell', '--', '-c', 'true'], {
      cwd: repo,
      env: { XDG_RUNTIME_DIR: join(tmp.dir, 'run') },
    });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain(`[sandbox] signing_key: cannot read its public key "${bare}.pub"`);
    expect(String(r.stderr)).toContain(`ssh-keygen -y -f ${bare} > ${bare}.pub`);
  });
});
