/**
 * Cleanup that runs on every way out of a run: normal return, thrown error, SIGINT, SIGTERM, SIGHUP, and
 * process exit. Callbacks are synchronous so they can run from an 'exit' handler too.
 */
export class Teardown {
  private readonly tasks: Array<() => void> = [];
  private done = false;
  private readonly onExit = () => this.run();

  constructor() {
    process.on('exit', this.onExit);
  }

  add(task: () => void): void {
    this.tasks.push(task);
  }

  /** Runs every task once, last added first; a failing task does not stop the others. */
  run(): void {
    if (this.done) return;
    this.done = true;
    process.off('exit', this.onExit);
    for (const task of this.tasks.reverse()) {
      try {
        task();
      } catch {
        // best effort: the remaining tasks still run
      }
    }
  }
}

export const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/**
 * While `body` runs, SIGINT/SIGTERM/SIGHUP call `onSignal` instead of killing the process, so the run can stop
 * its container and clean up. Returns body's result.
 */
export async function withSignals<T>(
  onSignal: (signal: NodeJS.Signals) => void,
  body: () => Promise<T>,
): Promise<T> {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  try {
    return await body();
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
