import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerNameFor } from '../../src/plan/build.js';
import { AGS_BIN, giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, podman, runAsTestUser } from '../support/host.js';
import { filesContaining, podmanStateDirs, waitFor } from '../support/podman-state.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

/** The command lines of every process on the machine that contain `needle`. */
function processesWithArg(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (cmdline.includes(needle)) found.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

// A [[secret]] canary (random, long) must reach the agent's environment and nothing else: not podman's argv,
// not `podman inspect`, and not podman's storage (its state database keeps freed pages) after the run.
describe('secret values stay out of the engine', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;
  let runtime: string;
  const canary = `ags-canary-${randomBytes(24).toString('hex')}`;
  const canarySha = createHash('sha256').update(canary).digest('hex');
  const env = () => ({ XDG_RUNTIME_DIR: runtime, AGS_TEST_CANARY: canary });

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir);
    runtime = join(tmp.dir, 'run');
    await execa('mkdir', ['-m', '700', runtime]);
    giveToTestUser(host, runtime);
    config = writeTestConfig(
      host,
      tmp.dir,
      '[[secret]]\nenv = "CANARY_SECRET"\nfrom_env = "AGS_TEST_CANARY"\n',
    );
  });

  afterAll(() => tmp?.cleanup());

  for (const mode of [[], ['--root'], ['--tmux']] as const) {
    const label = mode.length ? mode.join(' ') : 'a default run';
    it(`${label}: the agent sees the value; argv, inspect and podman's storage never do`, async () => {
      const tag = mode.length ? mode[0]!.replace(/^--/, '') : 'default';
      const seen = join(repo, `seen-${tag}`);
      const go = join(repo, `go-${tag}`);
      // the agent proves it has the value (its hash only: its output is logged by conmon) and waits
      const script = `printf %s "$CANARY_SECRET" | sha256sum > ${seen}; while [ ! -e ${go} ]; do sleep 0.2; done`;
      // --tmux needs a terminal; `script` gives ags one (a pty) without involving a tmux on the host
      const agsArgs = ['--config', config, '--agent', 'shell', ...mode, '--', '-c', script];
      const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
      const run =
        tag === 'tmux'
          ? runAsTestUser(
              host,
              ['script', '-qec', [process.execPath, AGS_BIN, ...agsArgs].map(quote).join(' '), '/dev/null'],
              // stdin stays open until the end: at EOF, script would type ^D into the terminal
              { cwd: repo, env: env(), stdin: 'pipe' },
            )
          : runAgs(host, agsArgs, { cwd: repo, env: env() });
      // release the agent and wait for the run whatever happens: a container left running would keep its
      // netns and runtime state in this test's runtime dir, which afterAll removes
      let ended = false;
      void run.finally(() => (ended = true));
      const finish = async () => {
        writeFileSync(go, '');
        giveToTestUser(host, go);
        const r = await run;
        run.stdin?.end();
        return r;
      };
      try {
        // the shell creates the file before sha256sum writes to it: wait for the whole line
        await waitFor('the agent to report the hash', () => {
          if (ended) throw new Error('the run ended before the agent reported');
          return existsSync(seen) && readFileSync(seen, 'utf8').endsWith('\n');
        });
        expect(readFileSync(seen, 'utf8').split(' ')[0]).toBe(canarySha);

        // this run's container: the name without the pid of ags
        const prefix = containerNameFor(repo, 0).replace(/0$/, '');
        const ps = await podman(host, ['ps', '--format', '{{.Names}}']);
        const names = String(ps.stdout)
          .split('\n')
          .filter((n) => n.startsWith(prefix));
        expect(names.length, String(ps.stderr)).toBe(1);
        for (const name of names) {
          const inspect = await podman(host, ['inspect', name], { env: env() });
          expect(inspect.exitCode, String(inspect.stderr)).toBe(0);
          expect(String(inspect.stdout)).not.toContain(canary);
        }
        expect(processesWithArg(canary)).toEqual([]);
        // while it runs, too (the container's OCI spec exists now): only ags's own env file holds the value
        const ownEnvFile = new RegExp(`^${join(runtime, 'ags')}/session-\\d+/secrets/env$`);
        const now = await filesContaining(await podmanStateDirs(host, env()), canary);
        expect(now.filter((f) => !ownEnvFile.test(f))).toEqual([]);
        expect(now.length).toBe(1);
      } catch (err) {
        await finish();
        throw err;
      }
      const r = await finish();
      expect(r.exitCode, String(r.stderr)).toBe(0);
      expect(String(r.stdout) + String(r.stderr)).not.toContain(canary);
      const dirs = await podmanStateDirs(host, env());
      // the search covers podman's state database, where `--env-file` values used to stay
      expect(dirs.some((d) => existsSync(join(d, 'storage', 'libpod', 'bolt_state.db')))).toBe(true);
      expect(await filesContaining(dirs, canary)).toEqual([]);
    });
  }

  it('the entry execs the agent (its parent is the init), and the secrets dir is read-only inside', async () => {
    const r = await runAgs(
      host,
      [
        '--config',
        config,
        '--agent',
        'shell',
        '--',
        '-c',
        'echo "ppid=$PPID"; touch /run/ags-secrets/x 2>&1; ls /run/ags-secrets; env | grep -c "^ags_entry_"',
      ],
      { cwd: repo, env: env() },
    );
    expect(r.exitCode, String(r.stderr)).toBe(1); // grep -c found no entry variables left behind
    const out = String(r.stdout);
    expect(out).toContain('ppid=1\n');
    expect(out).toMatch(/Read-only file system/);
    expect(out).toMatch(/^env$/m);
    expect(out.trim().endsWith('0')).toBe(true);
  });
});
