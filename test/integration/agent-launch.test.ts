import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost } from '../support/host.js';
import { filesContaining, podmanStateDirs, waitFor } from '../support/podman-state.js';
import { testUserTempDir } from '../support/tmp.js';
import { makeTestRepo } from '../support/workspace.js';

describe('what the agent prints and which agent binary starts', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let config: string;
  let runtime: string;
  const env = () => ({ XDG_RUNTIME_DIR: runtime });

  beforeAll(async () => {
    host = loadTestHost();
    tmp = testUserTempDir(host);
    repo = await makeTestRepo(host, tmp.dir);
    runtime = join(tmp.dir, 'run');
    await execa('mkdir', ['-m', '700', runtime]);
    giveToTestUser(host, runtime);
    config = writeTestConfig(host, tmp.dir);
  });

  afterAll(() => tmp?.cleanup());

  // podman's default log driver (k8s-file) has conmon copy the container's stdout and stderr to
  // overlay-containers/<id>/userdata/ctr.log while it runs: a token the agent echoes would sit on disk
  it('keeps none of the agent output on disk while it runs, and still delivers it and the exit code', async () => {
    const [p1, p2] = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
    const canary = `ags-out-canary-${p1}${p2}`;
    const started = join(repo, 'started');
    const go = join(repo, 'go');
    // the two halves join only inside the container, so podman's own spec (its argv) never holds the canary
    const script = [
      `c="ags-out-canary-${p1}"; c="\${c}${p2}"`,
      'echo "$c"; echo "$c" >&2',
      `touch ${started}; while [ ! -e ${go} ]; do sleep 0.2; done; exit 5`,
    ].join('; ');
    const run = runAgs(host, ['--config', config, '--agent', 'shell', '--', '-c', script], {
      cwd: repo,
      env: env(),
    });
    let ended = false;
    void run.finally(() => (ended = true));
    const release = async () => {
      writeFileSync(go, '');
      giveToTestUser(host, go);
      return run;
    };
    try {
      await waitFor('the agent to print the canary', () => {
        if (ended) throw new Error('the run ended before the agent printed');
        return existsSync(started);
      });
      const dirs = await podmanStateDirs(host, env());
      expect(dirs.some((d) => existsSync(join(d, 'storage', 'overlay-containers')))).toBe(true);
      expect(await filesContaining(dirs, canary)).toEqual([]);
    } catch (err) {
      await release();
      throw err;
    }
    const r = await release();
    expect(r.exitCode, String(r.stderr)).toBe(5);
    expect(String(r.stdout)).toBe(canary);
    expect(String(r.stderr).split('\n')).toContain(canary);
  });

  // The sandbox home persists across runs and is the agent's: a wrapper it writes to ~/.local/bin/<command>
  // (or a `node` for a CLI's `#!/usr/bin/env node`) must not be what the next run starts, when the read-only
  // tools volume has the agent.
  it('starts the tools volume agent, not a same-named one (or a node) planted in ~/.local/bin', async () => {
    const data = join(tmp.dir, 'data');
    const toolsBin = join(data, 'tools', 'bin');
    const homeBin = join(data, 'homes', 'pi', '.local', 'bin');
    const made = [data, join(data, 'tools'), toolsBin, join(data, 'homes'), join(data, 'homes', 'pi')];
    for (const d of [toolsBin, homeBin]) mkdirSync(d, { recursive: true });
    made.push(join(data, 'homes', 'pi', '.local'), homeBin);
    const file = (path: string, text: string) => {
      writeFileSync(path, text);
      chmodSync(path, 0o755);
      made.push(path);
    };
    // a fake pi install (ags update-agents would put the real one here), run by the image's node
    file(join(toolsBin, 'pi'), '#!/usr/bin/env node\nprocess.stdout.write("the tools volume pi ran\\n");\n');
    file(join(homeBin, 'pi'), '#!/bin/sh\necho "the planted pi ran"\n');
    file(join(homeBin, 'node'), '#!/bin/sh\necho "the planted node ran"\n');
    giveToTestUser(host, ...made);

    const r = await runAgs(host, ['--config', config, '--agent', 'pi'], { cwd: repo, env: env() });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toBe('the tools volume pi ran');
    expect(String(r.stderr)).not.toMatch(/starts from its sandbox home/);

    const plan = await runAgs(host, ['--config', config, '--agent', 'pi', '--dry-run'], {
      cwd: repo,
      env: env(),
    });
    expect(String(plan.stdout)).toContain('/opt/ags/tools/bin/pi');
  });
});
