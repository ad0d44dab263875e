import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/host.js';

// The trust gate of repo overlays, end to end: the BUILT CLI (bin/ags.js) in a real git repository, with
// the real prompt answered through a pseudo-terminal (tmux). Needs `npm run build` first.

const BIN = join(REPO_ROOT, 'bin', 'ags.js');

let tmp: string;
let repo: string;
let env: Record<string, string>;

interface Shown {
  config: { agents: { claude: { env: Record<string, string> } }; mount: { host: string; mode: string }[] };
  overlay: { path: string; status: string };
  repo_root: string;
}

const OVERLAY = `[[mount]]
host = "../fixtures"
container = "/fixtures"
mode = "ro"

[agents.claude.env]
FROM_OVERLAY = "yes"
`;

function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `ags config show --json` without a terminal. */
async function showNoTty() {
  const r = await execa(process.execPath, [BIN, 'config', 'show', '--json'], {
    cwd: repo,
    env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
  return {
    code: r.exitCode,
    stderr: String(r.stderr),
    shown: JSON.parse(String(r.stdout) || 'null') as Shown,
  };
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function tmux(...args: string[]) {
  // a private server whose socket lives in the temporary directory
  const socket = join(tmp, 'tmux.sock');
  return execa('tmux', ['-S', socket, '-f', '/dev/null', ...args], {
    env: { ...env, TERM: 'xterm' },
    reject: false,
  });
}

/**
 * `ags config show --json` on a terminal (stdin and stderr are the tmux pane, stdout goes to a file),
 * answering the trust question with `answer`. Returns what the pane showed and the command's result.
 */
async function showOnTty(answer: string) {
  const n = Math.random().toString(36).slice(2);
  const out = join(tmp, `out-${n}.json`);
  const rc = join(tmp, `rc-${n}`);
  const envArgs = Object.entries(env)
    .map(([k, v]) => sh(`${k}=${v}`))
    .join(' ');
  const cmd = `cd ${sh(repo)} && env -i ${envArgs} ${sh(process.execPath)} ${sh(BIN)} config show --json > ${sh(out)}; echo $? > ${sh(rc)}; sleep 2`;
  const started = await tmux('new-session', '-d', '-x', '200', '-y', '50', '-s', n, cmd);
  expect(started.exitCode, String(started.stderr)).toBe(0);
  const pane = await waitFor('the trust prompt', async () => {
    const text = String((await tmux('capture-pane', '-p', '-t', n, '-S', '-50')).stdout);
    return text.includes('Trust this overlay? [y/N]') ? text : undefined;
  });
  await tmux('send-keys', '-t', n, answer, 'Enter');
  const code = await waitFor('the command to finish', () =>
    existsSync(rc) && readFileSync(rc, 'utf8').endsWith('\n') ? Number(readFileSync(rc, 'utf8')) : undefined,
  );
  await tmux('kill-session', '-t', n);
  return { pane, code, shown: JSON.parse(readFileSync(out, 'utf8')) as Shown };
}

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'ags.mjs'))) {
    throw new Error('dist/ is missing: run `npm run build` before the integration tier');
  }
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-trust-it-')));
  repo = join(tmp, 'repo');
  mkdirSync(join(repo, '.ags'), { recursive: true });
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(tmp, 'home'),
    XDG_CONFIG_HOME: join(tmp, 'config'),
    XDG_STATE_HOME: join(tmp, 'state'),
    XDG_CACHE_HOME: join(tmp, 'cache'),
    XDG_DATA_HOME: join(tmp, 'data'),
    GIT_CONFIG_NOSYSTEM: '1',
  };
  mkdirSync(env.HOME!);
  return execa('git', ['init', '-q', repo], { env, extendEnv: false }).then(() => {
    writeFileSync(join(repo, '.ags', 'config.toml'), OVERLAY);
  });
});

afterAll(async () => {
  if (tmp) await tmux('kill-server');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('repo overlay trust, through the built CLI', () => {
  it('without a terminal, an untrusted overlay is skipped with a warning and the run goes on', async () => {
    const r = await showNoTty();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^ags: warning: skipping the untrusted repo overlay .*\/repo\/\.ags\/config\.toml/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.shown.repo_root).toBe(repo);
    expect(r.shown.overlay.status).toBe('untrusted-skipped');
    expect(r.shown.config.agents.claude.env).toEqual({});
    expect(r.shown.config.mount).toEqual([]);
  });

  it('on a terminal it shows what the overlay widens and asks; "y" applies it', async () => {
    const r = await showOnTty('y');
    expect(r.pane).toContain('ags: it is not trusted yet');
    // relative host paths resolve against the overlay's directory, .ags/
    expect(r.pane).toContain(`mount host path ${join(repo, 'fixtures')} at /fixtures read-only`);
    expect(r.pane).toContain('set env FROM_OVERLAY="yes" for agent claude');
    expect(r.code).toBe(0);
    expect(r.shown.overlay.status).toBe('applied');
    expect(r.shown.config.agents.claude.env).toEqual({ FROM_OVERLAY: 'yes' });
    expect(r.shown.config.mount).toMatchObject([{ host: join(repo, 'fixtures'), mode: 'ro' }]);
  });

  it('once trusted, it applies without a terminal too', async () => {
    const r = await showNoTty();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.shown.overlay.status).toBe('applied');
    expect(r.shown.config.agents.claude.env).toEqual({ FROM_OVERLAY: 'yes' });
  });

  it('an edited overlay is asked about again', async () => {
    writeFileSync(join(repo, '.ags', 'config.toml'), `${OVERLAY}\n[network]\nallow_host_loopback = true\n`);
    const skipped = await showNoTty();
    expect(skipped.shown.overlay.status).toBe('untrusted-skipped');
    expect(skipped.shown.config.agents.claude.env).toEqual({});

    const declined = await showOnTty('n');
    expect(declined.pane).toContain('it changed since you trusted it');
    expect(declined.pane).toContain("let the sandbox reach the host's loopback services");
    expect(declined.shown.overlay.status).toBe('declined');
    expect(declined.shown.config.agents.claude.env).toEqual({});

    const accepted = await showOnTty('y');
    expect(accepted.shown.overlay.status).toBe('applied');
    expect(accepted.shown.config.agents.claude.env).toEqual({ FROM_OVERLAY: 'yes' });
  });

  it('`ags trust revoke` forgets it: skipped again', async () => {
    const list = await execa(process.execPath, [BIN, 'trust', 'list'], { cwd: repo, env, extendEnv: false });
    expect(String(list.stdout)).toMatch(new RegExp(`^${repo}\\t[0-9a-f]{12}\\t\\S+\\tcurrent$`));

    const revoked = await execa(process.execPath, [BIN, 'trust', 'revoke'], {
      cwd: repo,
      env,
      extendEnv: false,
    });
    expect(String(revoked.stdout)).toBe(`revoked: ${repo}`);
    const r = await showNoTty();
    expect(r.code).toBe(0);
    expect(r.shown.overlay.status).toBe('untrusted-skipped');
    expect(r.shown.config.agents.claude.env).toEqual({});
  });

  it('a forbidden key in the overlay is exit 2 with its location, before any question', async () => {
    writeFileSync(
      join(repo, '.ags', 'config.toml'),
      `${OVERLAY}\n[runtime]\nextra_args = ["--privileged"]\n`,
    );
    const r = await showNoTty();
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `ags: ${join(repo, '.ags', 'config.toml')}:10:1: runtime.extra_args: not allowed in a repo overlay: it passes arbitrary options to podman on the host\n` +
        '  set it in your user config instead (`ags config path` prints where); see docs/CONFIG.md#repo-overlays',
    );
  });
});
