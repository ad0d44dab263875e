/**
 * Launch-phase timing for people chasing start-up cost: with AGS_TIMING=1, each mark prints the milliseconds
 * since the process started to stderr. Free when off.
 */
const enabled = process.env.AGS_TIMING === '1';

export function mark(label: string): void {
  if (enabled) process.stderr.write(`ags: timing ${performance.now().toFixed(1)} ms ${label}\n`);
}
