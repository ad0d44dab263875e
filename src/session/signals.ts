export const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

type Task = () => void;

/**
 * What a run holds on the host (session dir, ssh-agent, env file, mount points, a container) and how to let it
 * go, on every way out: normal return, thrown error, process exit, and SIGINT/SIGTERM/SIGHUP from the moment it
 * is made. Make it before the first resource exists. Tasks are synchronous so they can run from an 'exit' handler.
 *
 * A signal ends the process at once after running every task (exit 128+n), unless a handler installed with
 * `intercept` takes it (while the container runs, which has to be stopped first).
 */
export class Teardown {
  private readonly tasks: Task[] = [];
  private readonly lateTasks: Task[] = [];
  private released = false;
  private finished = false;
  private interceptor: ((signal: NodeJS.Signals) => void) | null = null;
  private readonly onExit = () => this.finish();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (this.interceptor) {
      this.interceptor(signal);
      return;
    }
    this.finish();
    // after the signal's other listeners (a secret command's, which kills its process group), and before any
    // code awaiting something resumes
    process.nextTick(() => this.exit(SIGNAL_EXIT[signal] ?? 1));
  };

  /** `exit` ends the process after a signal (a test passes its own). */
  constructor(private readonly exit: (code: number) => void = (code) => process.exit(code)) {
    process.on('exit', this.onExit);
    for (const s of SIGNALS) process.on(s, this.onSignal);
  }

  /** A task for `release`: what must go as soon as the run is over or interrupted (secrets, the ssh-agent). */
  add(task: Task): void {
    this.tasks.push(task);
  }

  /** A task that may only run once nothing of the run is left running (mount points the container uses). */
  addLate(task: Task): void {
    this.lateTasks.push(task);
  }

  /** Runs the `add` tasks once, last added first; a failing task does not stop the others. */
  release(): void {
    if (this.released) return;
    this.released = true;
    runAll(this.tasks);
  }

  /** Releases, then runs the late tasks, and hands signals back to their default. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
    runAll(this.lateTasks);
    process.off('exit', this.onExit);
    for (const s of SIGNALS) process.off(s, this.onSignal);
  }

  /** While `body` runs, signals go to `handler` (which must bring the run to an end) instead of exiting. */
  async intercept<T>(handler: (signal: NodeJS.Signals) => void, body: () => Promise<T>): Promise<T> {
    this.interceptor = handler;
    try {
      return await body();
    } finally {
      this.interceptor = null;
    }
  }
}

function runAll(tasks: Task[]): void {
  for (const task of [...tasks].reverse()) {
    try {
      task();
    } catch {
      // best effort: the remaining tasks still run
    }
  }
}
