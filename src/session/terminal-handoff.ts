/**
 * Lending the terminal ags runs in to ags itself while the sandbox holds it. During a run the engine's attach
 * client (`podman run -it`) owns the terminal: it has it in raw mode, reads every key and forwards the agent's
 * screen. For a question ags must ask (the auth proxy's "open this URL?"), the client is stopped — SIGSTOP to it
 * and every process under it, as rootless podman may re-exec itself into its user namespace and the child is
 * the one attached. Stopped, it reads and writes nothing; the agent inside keeps running and its output waits
 * in the engine's buffer. Then the terminal's mode is saved, the question is asked on the alternate screen (so
 * the agent's screen underneath is left as it was), and the mode is restored and the client continued — on
 * every way out: an answer, a timeout, a failure, and the run being ended (`abort`). Should ags itself be
 * killed outright, the kernel cannot be relied on to continue the stopped client, so a watchdog started with the
 * question does it and, once the client has ended, puts the terminal's mode from before the run back.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';

/** The terminal, as a shell's redirections name it. */
const TTY = '/dev/tty';

/** `stty ARGS` on the terminal; its output, or null when it fails. */
function stty(args: string[], ttyPath: string): string | null {
  const r = spawnSync('sh', ['-c', 'exec stty "$@" <"$0"', ttyPath, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 5000,
  });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** `root` and every process under it, parents first (from /proc; a process gone meanwhile is left out). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [root];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // after the command name in parentheses (which may hold anything): state, then the parent's pid
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** Sends `signal` to each of `pids`; the ones it reached. */
function signalTree(pids: number[], signal: NodeJS.Signals): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Should ags die while the client is stopped: $1 ags, $2 the mode from before the run, $3 the terminal, $4 the
 * mode the client had, then the stopped pids (the client's first). It gives the client back its screen, mode
 * and run (the kernel continues a stopped orphaned group only when ags's parent shell does job control), and
 * once the client has ended, puts the mode from before the run back (a client ended by a hangup leaves raw).
 */
const WATCHDOG = `
ags=$1 orig=$2 tty=$3 lent=$4; shift 4
while kill -0 "$ags" 2>/dev/null; do sleep 0.2; done
printf '\\033[?1049l' > "$tty"
[ -n "$lent" ] && stty "$lent" < "$tty"
kill -CONT "$@" 2>/dev/null; kill -WINCH "$@" 2>/dev/null
while [ -e "/proc/$1" ] && ! grep -q ') Z' "/proc/$1/stat" 2>/dev/null; do sleep 0.5; done
stty "$orig" < "$tty"
`;

/** Enter and leave the alternate screen (xterm's 1049: the cursor is saved and restored with it). */
export const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H\x1b[2J';
export const ALT_SCREEN_OFF = '\x1b[?1049l';

export interface Borrowed {
  /** Whether a sandbox client was stopped for it (false: nobody else held the terminal). */
  paused: boolean;
}

export class TerminalHandoff {
  private owner: number | null = null;
  /** While lent: the mode to restore and the client to continue. */
  private lent: { saved: string | null; stopped: number[] } | null = null;
  private readonly aborts = new Set<() => void>();
  /** The terminal's own path and its mode before the sandbox started, for the watchdog. */
  private before: { tty: string; mode: string } | null = null;
  private watchdog: ChildProcess | null = null;

  constructor(private readonly ttyPath = TTY) {}

  /** The process that owns the terminal from now on (the engine's attach client). */
  hold(pid: number): void {
    this.owner = pid;
  }

  /**
   * Records the terminal's mode before the sandbox client takes it (call it before starting the client), so
   * that a watchdog can put it back should ags be killed while it asks.
   */
  recordMode(): void {
    let tty: string;
    try {
      tty = readlinkSync('/proc/self/fd/0');
    } catch {
      return;
    }
    const mode = tty.startsWith('/dev/') ? stty(['-g'], tty) : null;
    this.before = mode ? { tty, mode } : null;
  }

  /** The owner has exited. */
  release(): void {
    this.owner = null;
  }

  /**
   * Runs `use` with the terminal in ags's hands: the owner stopped, the mode saved and then set raw (a key is
   * read as it is typed, Ctrl-C is a byte, not a signal to the stopped client), the alternate screen shown.
   * `use` gets an abort registration: the callback runs when the run is ended while it asks, and must settle.
   * One borrower at a time; the caller serialises.
   */
  async borrow<T>(use: (onAbort: (cb: () => void) => void, b: Borrowed) => Promise<T>): Promise<T> {
    // rootless podman may re-exec itself: the process attached to the terminal can be a child of the one started
    const stopped = this.owner === null ? [] : signalTree(processTree(this.owner), 'SIGSTOP');
    const paused = stopped.length > 0;
    const saved = stty(['-g'], this.ttyPath);
    stty(['raw', '-echo'], this.ttyPath);
    this.lent = { saved, stopped };
    if (paused) this.startWatchdog(saved, stopped);
    this.write(ALT_SCREEN_ON);
    const registered: (() => void)[] = [];
    try {
      return await use(
        (cb) => {
          registered.push(cb);
          this.aborts.add(cb);
        },
        { paused },
      );
    } finally {
      for (const cb of registered) this.aborts.delete(cb);
      this.giveBack();
    }
  }

  /**
   * Ends a question in progress (the run is over): the terminal and the stopped client are given back now,
   * synchronously, before whatever signals the client next.
   */
  abort(): void {
    for (const cb of [...this.aborts]) cb();
    this.aborts.clear();
    this.giveBack();
  }

  private write(text: string): void {
    try {
      writeFileSync(this.ttyPath, text);
    } catch {
      /* the terminal went away */
    }
  }

  /** The WATCHDOG, in a session of its own (a hangup of the terminal's group does not reach it). */
  private startWatchdog(saved: string | null, stopped: number[]): void {
    if (!this.before) return;
    try {
      this.watchdog = spawn(
        'sh',
        [
          '-c',
          WATCHDOG,
          'ags-terminal-watchdog',
          String(process.pid),
          this.before.mode,
          this.before.tty,
          saved ?? '',
          ...stopped.map(String),
        ],
        { stdio: 'ignore', detached: true },
      );
      this.watchdog.on('error', () => {});
      this.watchdog.unref();
    } catch {
      this.watchdog = null;
    }
  }

  private giveBack(): void {
    if (!this.lent) return;
    try {
      this.watchdog?.kill('SIGKILL');
    } catch {
      /* gone */
    }
    this.watchdog = null;
    const { saved, stopped } = this.lent;
    this.lent = null;
    this.write(ALT_SCREEN_OFF);
    if (saved) stty([saved], this.ttyPath);
    signalTree(stopped, 'SIGCONT');
    // the client re-reads the size (the user may have resized the window meanwhile)
    signalTree(stopped, 'SIGWINCH');
  }
}
