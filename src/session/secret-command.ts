import { spawn } from 'node:child_process';
import { RuntimeError } from '../errors.js';
import { escapeText } from '../util/terminal-text.js';

/** How long a [[secret]] command may take, with everything it starts. */
export const SECRET_COMMAND_TIMEOUT_MS = 30_000;
/** A secret is a token or a key, not a download: more than this on stdout is an error. */
const MAX_STDOUT_BYTES = 1024 * 1024;
/** The end of the command's stderr that is kept, and how much of it an error message shows. */
const STDERR_KEPT_BYTES = 8192;
const STDERR_SHOWN_CHARS = 300;
/** After SIGTERM on timeout, how long the process group has before SIGKILL. */
const KILL_GRACE_MS = 1000;
/** After the command exits, how long ags waits for its pipes (a leftover background child may hold them). */
const DRAIN_MS = 250;

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * The end of a helper's stderr (where programs say what went wrong), escaped for the terminal and bounded.
 */
export function stderrExcerpt(stderr: string, max = STDERR_SHOWN_CHARS): string {
  const chars = [...stderr.trim()];
  const cut = chars.length > max;
  return `${cut ? '...' : ''}${escapeText(chars.slice(-max).join(''), max * 2)}`;
}

interface Outcome {
  spawnError?: NodeJS.ErrnoException;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  tooLong: boolean;
  interrupted: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs `argv` with no stdin, in its own process group (and session, so it has no controlling terminal), and
 * collects its stdout. On timeout, and on ags's own SIGINT/SIGTERM/SIGHUP, the whole group is killed: a wrapper
 * such as `sh -c 'sleep 50; echo x'` cannot outlive the limit through its children.
 */
function run(argv: string[], timeoutMs: number): Promise<Outcome> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    const child = spawn(file!, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = Buffer.alloc(0);
    const o: Omit<Outcome, 'stdout' | 'stderr'> = {
      code: null,
      signal: null,
      timedOut: false,
      tooLong: false,
      interrupted: null,
    };
    const timers: NodeJS.Timeout[] = [];
    let settled = false;

    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is gone already
      }
    };
    const onSignal = (signal: NodeJS.Signals) => {
      o.interrupted ??= signal;
      killGroup('SIGKILL');
      finish();
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      for (const s of SIGNALS) process.off(s, onSignal);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ ...o, stdout: Buffer.concat(out), stderr: err.toString('utf8') });
      // ags was interrupted: die of the signal as it would have without this listener, unless the run
      // handles the signal itself
      if (o.interrupted && process.listenerCount(o.interrupted) === 0)
        process.kill(process.pid, o.interrupted);
    };

    for (const s of SIGNALS) process.on(s, onSignal);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_STDOUT_BYTES) {
        o.tooLong = true;
        killGroup('SIGKILL');
        finish();
      } else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err = Buffer.concat([err, chunk]);
      if (err.length > STDERR_KEPT_BYTES) err = err.subarray(err.length - STDERR_KEPT_BYTES);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      o.spawnError = e;
      finish();
    });
    child.on('exit', (code, signal) => {
      o.code = code;
      o.signal = signal;
      timers.push(setTimeout(finish, DRAIN_MS));
    });
    child.on('close', finish);
    timers.push(
      setTimeout(() => {
        o.timedOut = true;
        killGroup('SIGTERM');
        timers.push(
          setTimeout(() => {
            killGroup('SIGKILL');
            finish();
          }, KILL_GRACE_MS),
        );
      }, timeoutMs),
    );
  });
}

/**
 * Runs the command of [[secret]] `name` and returns what it printed (one trailing line break dropped). Every
 * failure is one line naming the secret and the program, with the end of its stderr (escaped and bounded);
 * its stdout, which would be the secret, is never shown.
 */
export async function runSecretCommand(
  name: string,
  argv: string[],
  { timeoutMs = SECRET_COMMAND_TIMEOUT_MS }: { timeoutMs?: number } = {},
): Promise<string> {
  const file = argv[0];
  if (!file) throw new RuntimeError(`secret ${name} has an empty command`);
  const program = escapeText(file);
  const r = await run(argv, timeoutMs);
  const said = stderrExcerpt(r.stderr);
  const withStderr = (what: string) => `secret ${name}: ${what}${said ? `; it said: ${said}` : ''}`;
  if (r.spawnError) {
    const code = r.spawnError.code;
    if (code === 'ENOENT') {
      throw new RuntimeError(
        `secret ${name}: program not found: ${program}`,
        'install it, or fix command[0] of this [[secret]] in your config',
      );
    }
    if (code === 'EACCES') {
      throw new RuntimeError(
        `secret ${name}: ${program} is not an executable program`,
        'check command[0] of this [[secret]] in your config',
      );
    }
    throw new RuntimeError(
      `secret ${name}: ${program} could not be started (${code ?? r.spawnError.message})`,
    );
  }
  if (r.interrupted)
    throw new RuntimeError(`secret ${name}: ${program} was stopped (ags got ${r.interrupted})`);
  if (r.timedOut) {
    throw new RuntimeError(
      withStderr(
        `${program} did not finish within ${timeoutMs / 1000} s and was killed, with what it started`,
      ),
      'a secret command must print the secret without waiting for input (its stdin is closed)',
    );
  }
  if (r.tooLong) {
    throw new RuntimeError(`secret ${name}: ${program} printed more than 1 MiB; a secret is expected`);
  }
  if (r.code !== 0) {
    const how = r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
    throw new RuntimeError(withStderr(`${program} failed (${how})`));
  }
  return r.stdout.toString('utf8').replace(/\r?\n$/, '');
}
