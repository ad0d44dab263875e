import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/host.js';

// Lending the terminal from the process that holds it, on a real terminal (a tmux pane): a stand-in for ags
// (test/fixtures/authproxy/handoff-main.ts) stops its "attach client" child, asks on /dev/tty, and gives
// everything back. The pane runs it under a job-control shell, as a user's shell runs ags: its own process
// group, the shell its parent. The test reads the client's state from /proc and the terminal's mode with stty.

// a tmux server per test: a new one on the socket of one just killed can fail to start
let tests = 0;
let socket = `ags-handoff-${process.pid}-0`;
let root: string;
let bundle: string;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-J');

async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The state letter of a process (T: stopped), or null once it is gone. */
function stateOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
  } catch {
    return null;
  }
}

/** Starts the stand-in in a new pane; the test dir, and the client's pid once it exists. */
async function start(args: string): Promise<{ dir: string; owner: number; host: () => number }> {
  const dir = mkdtempSync(join(root, 'run-'));
  socket = `ags-handoff-${process.pid}-${++tests}`;
  tmux(
    'new-session',
    '-d',
    '-x',
    '120',
    '-y',
    '30',
    `bash -c 'set -m; printf "main screen line\\n"; stty -g > ${dir}/mode-before; ${process.execPath} ${bundle} ${dir} ${args} & echo $! > ${dir}/host-pid; fg >/dev/null; stty -g > ${dir}/mode-after; sleep 60'`,
  );
  const owner = await until('the client', () =>
    existsSync(join(dir, 'owner-pid')) ? Number(readFileSync(join(dir, 'owner-pid'), 'utf8')) : 0,
  );
  return { dir, owner, host: () => Number(readFileSync(join(dir, 'host-pid'), 'utf8')) };
}

const question = () => until('the question', () => screen().includes('ags: open it? [y/N]'));
/** The answer, and whether the client was running again right after it. */
const answer = () =>
  until('the answer', () => {
    const m = /ANSWER=(true|false) CLIENT=(\w)/.exec(screen());
    return m && { yes: m[1] === 'true', stopped: m[2] === 'T' };
  });
const mode = (dir: string, when: 'before' | 'after') =>
  until(
    `the mode ${when}`,
    () => existsSync(join(dir, `mode-${when}`)) && readFileSync(join(dir, `mode-${when}`), 'utf8'),
  );

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ags-handoff-'));
  bundle = join(root, 'handoff-main.mjs');
  await build({
    entryPoints: [join(REPO_ROOT, 'test/fixtures/authproxy/handoff-main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'error',
    banner: {
      js: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
    },
  });
});
afterEach(() => {
  try {
    tmux('kill-server');
  } catch {
    /* none */
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('lending the terminal for a question', () => {
  it('stops the client while it asks, on the alternate screen; a "y" is yes; all is given back', async () => {
    const { dir, owner } = await start('20000');
    await question();
    expect(stateOf(owner)).toBe('T');
    // the alternate screen: the line printed before is not under the question
    expect(screen()).not.toContain('main screen line');
    tmux('send-keys', 'y', 'Enter');
    expect(await answer()).toEqual({ yes: true, stopped: false });
    expect(screen()).toContain('main screen line');
    expect(await mode(dir, 'after')).toBe(await mode(dir, 'before'));
  });

  it('Ctrl-C at the prompt is a no, not a signal: the asker and the client carry on', async () => {
    const { dir } = await start('20000');
    await question();
    tmux('send-keys', 'C-c');
    expect(await answer()).toEqual({ yes: false, stopped: false });
    expect(await mode(dir, 'after')).toBe(await mode(dir, 'before'));
  });

  it('no answer in time is a no, and gives everything back', async () => {
    const { dir } = await start('1500');
    await question();
    expect(await answer()).toEqual({ yes: false, stopped: false });
    expect(screen()).toContain('main screen line');
    expect(await mode(dir, 'after')).toBe(await mode(dir, 'before'));
  });

  it('a run ended while it asks gives the terminal and the client back at once', async () => {
    const { dir } = await start('20000 abort');
    await question();
    expect(await answer()).toEqual({ yes: false, stopped: false });
    expect(await mode(dir, 'after')).toBe(await mode(dir, 'before'));
  });

  it('the asker killed outright: the kernel continues the stopped client', async () => {
    const { owner, host } = await start('20000');
    await question();
    expect(stateOf(owner)).toBe('T');
    execFileSync('kill', ['-KILL', String(host())]);
    await until('the client to run again', () => stateOf(owner) !== 'T');
    execFileSync('kill', ['-KILL', String(owner)]);
  });
});
