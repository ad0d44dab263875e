import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/host.js';

// The terminal prompt, for real: the host side of the auth proxy runs in a tmux pane (a real pseudo-terminal,
// no DISPLAY), so it chooses the /dev/tty prompt; the built shim asks it to open a login URL; the test reads the
// question off the pane and types the answer, as a user would.

const SHIM = join(REPO_ROOT, 'dist/sandbox/auth-browser.mjs');
const socket = `ags-authprompt-${process.pid}`;
let dir: string;

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function runShim(url: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SHIM, url], {
      env: { ...process.env, AGS_AUTH_PROXY_DIR: dir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

beforeAll(async () => {
  if (!existsSync(SHIM)) throw new Error('run `node scripts/build.mjs` first');
  dir = mkdtempSync(join(tmpdir(), 'ags-authprompt-'));
  writeFileSync(join(dir, 'token'), 'a'.repeat(64));
  writeFileSync(join(dir, 'browser'), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${dir}/opened'\n`, { mode: 0o755 });
  // the host side as a process of its own, with the real way of choosing how to ask
  await build({
    stdin: {
      contents: `
        import { startAuthProxy } from './src/authproxy/server.ts';
        import { chooseAsk } from './src/authproxy/approval.ts';
        import { TerminalHandoff } from './src/session/terminal-handoff.ts';
        import { hostBrowserOpener } from './src/authproxy/opener.ts';
        const dir = process.argv[2];
        await startAuthProxy({
          socketPath: dir + '/sock', token: 'a'.repeat(64),
          policy: { autoAllowDomains: [], approval: 'prompt' },
          ask: await chooseAsk(new TerminalHandoff(), process.env),
          openBrowser: hostBrowserOpener({ BROWSER: dir + '/browser' }),
          timeoutMs: 15000, log: () => {},
        });
        process.stdout.write('auth proxy ready\\n');`,
      resolveDir: REPO_ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: join(dir, 'host.mjs'),
    logLevel: 'error',
    external: ['bufferutil', 'utf-8-validate'],
    banner: {
      js: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
    },
  });
  tmux(
    'new-session',
    '-d',
    '-x',
    '150',
    '-y',
    '40',
    `env -u DISPLAY -u WAYLAND_DISPLAY ${process.execPath} ${join(dir, 'host.mjs')} ${dir}; sleep 60`,
  );
  await until(
    'the proxy in the pane',
    () => tmux('capture-pane', '-p').includes('auth proxy ready') && existsSync(join(dir, 'sock')),
  );
});

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    /* already gone */
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('auth proxy: the terminal prompt', () => {
  const login = `https://sso.example.test/authorize?client_id=SECRETID&state=S&redirect_uri=${encodeURIComponent('http://localhost:47123/callback')}`;

  it('shows the question without query values; a "y" opens the URL', async () => {
    const shim = runShim(`https://docs.example.test/page?token=SECRETTOKEN`);
    const screen = await until('the question', () => {
      const s = tmux('capture-pane', '-p');
      return s.includes('open it? [y/N]') && s;
    });
    expect(screen).toContain('host:   docs.example.test');
    expect(screen).toContain('path:   /page');
    expect(screen).toContain('query:  token (values not shown)');
    expect(screen).not.toContain('SECRETTOKEN');
    tmux('send-keys', 'y', 'Enter');
    const { code, stderr } = await shim;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    await until('the fake browser', () => existsSync(join(dir, 'opened')));
    expect(readFileSync(join(dir, 'opened'), 'utf8')).toBe(
      'https://docs.example.test/page?token=SECRETTOKEN\n',
    );
  });

  it('names the callback port; anything but yes refuses and opens nothing', async () => {
    tmux('clear-history');
    const shim = runShim(login);
    const screen = await until('the question', () => {
      const s = tmux('capture-pane', '-p');
      return s.includes('localhost:47123') && s.includes('open it? [y/N]') && s;
    });
    expect(screen).not.toContain('SECRETID');
    tmux('send-keys', 'n', 'Enter');
    const { code, stderr } = await shim;
    expect(code).toBe(1);
    expect(stderr).toContain('the user did not approve it');
    expect(readFileSync(join(dir, 'opened'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });
});
