/** Hands a command's exit code to whoever parsed the command line (runCli), once the command is done. */
export type ReportExit = (code: number) => void;

/**
 * A commander action from a handler that returns the command's exit code. Commander discards what an action
 * returns, so the code travels through `report`.
 */
export function returningExit<A extends unknown[]>(
  report: ReportExit,
  handler: (...args: A) => number | Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => report(await handler(...args));
}
